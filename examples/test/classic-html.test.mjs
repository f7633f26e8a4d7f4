// examples/classic-html: the classic script by its package path, on a page with a strict CSP,
// a whole payment in Chromium.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXAMPLES, freePort, openBrowser, payInPage, startShop } from './helpers.mjs';

test('classic-html: a whole payment in Chromium, under a strict CSP', async (t) => {
  const { url, sandbox } = await startShop(t, 'classic-html', 'node', ['server.js'], {
    cwd: `${EXAMPLES}classic-html/`,
    port: await freePort(),
  });
  const browser = await openBrowser(t);
  const { console } = await payInPage(browser, {
    pageUrl: `${url}/`,
    sandboxUrl: sandbox.url,
    projectId: sandbox.settings.ECOMMPAY_PROJECT_ID,
  });
  assert.deepEqual(
    console.filter((m) => m.type === 'error' || m.type === 'pageerror'),
    [],
  );
});
