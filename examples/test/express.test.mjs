// examples/express: its server as written, a whole payment over HTTP against the sandbox.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXAMPLES, freePort, payloadFor, payOverHttp, startShop } from './helpers.mjs';

test('express: a whole payment over HTTP (start, SSE, Approve, success)', async (t) => {
  const { url, sandbox, shop } = await startShop(t, 'express', 'node', ['server.js'], {
    cwd: `${EXAMPLES}express/`,
    port: await freePort(),
  });
  const { statuses } = await payOverHttp({
    shopUrl: url,
    sandboxUrl: sandbox.url,
    projectId: sandbox.settings.ECOMMPAY_PROJECT_ID,
    payload: payloadFor('express-1', sandbox.settings.ECOMMPAY_SECRET_KEY),
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
