// examples/vite-vue: Vite's dev server with the proxy settings the docs show, in front of the
// shop's server; a whole payment in Chromium, and the page type-checked.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import {
  answers,
  EXAMPLES,
  freePort,
  openBrowser,
  payInPage,
  start,
  startShop,
} from './helpers.mjs';

const dir = `${EXAMPLES}vite-vue/`;

test('vite-vue: a whole payment in Chromium through the Vite dev proxy', async (t) => {
  const shop = await startShop(t, 'shop', 'node', ['shop.js'], {
    cwd: dir,
    port: await freePort(),
  });
  const port = await freePort();
  const vite = start(
    t,
    'vite',
    `${EXAMPLES}node_modules/.bin/vite`,
    ['--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    {
      cwd: dir,
      env: { SHOP_URL: shop.url },
    },
  );
  await answers(`http://127.0.0.1:${port}/`, vite);
  const browser = await openBrowser(t);
  const { console } = await payInPage(browser, {
    pageUrl: `http://127.0.0.1:${port}/`,
    sandboxUrl: shop.sandbox.url,
    projectId: shop.sandbox.settings.ECOMMPAY_PROJECT_ID,
  });
  assert.deepEqual(
    console.filter((m) => m.type === 'error' || m.type === 'pageerror'),
    [],
  );
});

test('vite-vue: the page type-checks with skipLibCheck false and no hand-written declarations', async () => {
  await promisify(execFile)('npm', ['run', 'typecheck'], { cwd: dir });
});
