// examples/fastify: its server as written (one line registers the checkout), a whole payment
// over HTTP against the sandbox, and the app's own body parsing left as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXAMPLES, freePort, paysOverHttp, startShop } from './helpers.mjs';

test('fastify: a whole payment over HTTP (start, SSE, Approve, success)', (t) =>
  paysOverHttp(t, 'fastify'));

test("fastify: the app's own JSON parser still reads its routes' bodies", async (t) => {
  const { url } = await startShop(t, 'fastify', 'node', ['server.js'], {
    cwd: `${EXAMPLES}fastify/`,
    port: await freePort(),
  });
  const response = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 7 }),
  });
  assert.deepEqual(await response.json(), { received: { id: 7 } });
});
