// examples/fastify: its server as written, a whole payment over HTTP against the sandbox.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXAMPLES, freePort, payloadFor, payOverHttp, startShop } from './helpers.mjs';

test('fastify: a whole payment over HTTP (start, SSE, Approve, success)', async (t) => {
  const { url, sandbox, shop } = await startShop(t, 'fastify', 'node', ['server.js'], {
    cwd: `${EXAMPLES}fastify/`,
    port: await freePort(),
  });
  const { statuses } = await payOverHttp({
    shopUrl: url,
    sandboxUrl: sandbox.url,
    projectId: sandbox.settings.ECOMMPAY_PROJECT_ID,
    payload: payloadFor('fastify-1', sandbox.settings.ECOMMPAY_SECRET_KEY),
  });
  // 'pending' is seen when the stream opened before the platform's first callback.
  assert.deepEqual(
    statuses.filter((status) => status !== 'pending'),
    ['awaiting-customer', 'success'],
    shop.text(),
  );
  // The shop's own routes still answer beside the checkout's.
  assert.equal(await (await fetch(url)).text(), 'shop');
});

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
