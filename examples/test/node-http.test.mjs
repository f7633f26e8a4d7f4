// The README's server snippet, byte for byte (examples/node-http/server.js), from an empty
// folder: no ./data yet, the settings the sandbox's banner prints, a whole payment over HTTP.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { EXAMPLES, freePort, payloadFor, payOverHttp, startShop } from './helpers.mjs';

const dir = `${EXAMPLES}node-http/`;

test('node-http: the README snippet is the example, byte for byte', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Server side\n'));
  const snippet = /```js\n([\s\S]*?)```\n/.exec(section)[1];
  assert.equal(readFileSync(`${dir}server.js`, 'utf8'), snippet);
});

test('node-http: from an empty folder, against the sandbox as its banner says', async (t) => {
  rmSync(`${dir}data`, { recursive: true, force: true });
  t.after(() => rmSync(`${dir}data`, { recursive: true, force: true }));
  const port = await freePort();
  const { url, sandbox, shop } = await startShop(t, 'node-http', 'node', ['server.js'], {
    cwd: dir,
    port,
  });
  assert.equal(sandbox.settings.PUBLIC_URL, `http://127.0.0.1:${port}`);
  const { statuses } = await payOverHttp({
    shopUrl: url,
    sandboxUrl: sandbox.url,
    projectId: sandbox.settings.ECOMMPAY_PROJECT_ID,
    payload: payloadFor('readme-1', sandbox.settings.ECOMMPAY_SECRET_KEY),
  });
  // 'pending' is seen when the stream opened before the platform's first callback.
  assert.deepEqual(
    statuses.filter((status) => status !== 'pending'),
    ['awaiting-customer', 'success'],
    shop.text(),
  );
  assert.ok(existsSync(`${dir}data/payments.sqlite`), 'the store made its folder');
});

test('node-http: a Gate 503 at the start of a payment is in the log, not silent', async (t) => {
  const port = await freePort();
  const { url, sandbox, shop } = await startShop(t, 'node-http', 'node', ['server.js'], {
    cwd: dir,
    port,
  });
  t.after(() => rmSync(`${dir}data`, { recursive: true, force: true }));
  // The sandbox's Gate answers the next sale 503 (its control API, docs/sandbox.md "Faults").
  const fault = await fetch(`${sandbox.url}/sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults: { gateError: 503, gateFaultTimes: 1 } }),
  });
  assert.equal(fault.status, 200, await fault.text());
  const response = await fetch(`${url}/cup-qr/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payload: payloadFor('readme-2', sandbox.settings.ECOMMPAY_SECRET_KEY) }),
  });
  assert.ok(response.status >= 500, `status ${response.status}`);
  // The toolkit's line, then the Gate error it carries (console.error prints both).
  await shop.waitFor(/sale of readme-2\S* failed \(retryable\)[\s\S]*503/, 'the 503 in the log');
});
