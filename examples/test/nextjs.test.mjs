// examples/nextjs: the App Router's route handler and a page rendered on the server, then
// hydrated; a whole payment in Chromium, with React's and Lit's development warnings on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  answers,
  EXAMPLES,
  freePort,
  openBrowser,
  payInPage,
  startSandbox,
  start,
} from './helpers.mjs';

const dir = `${EXAMPLES}nextjs/`;

test('nextjs (next dev): a whole payment, onSuccess after hydration, no warning', async (t) => {
  const port = await freePort();
  const sandbox = await startSandbox(t, `http://127.0.0.1:${port}/cup-qr/callback`);
  const next = start(
    t,
    'next',
    `${EXAMPLES}node_modules/.bin/next`,
    ['dev', '--port', String(port), '--hostname', '127.0.0.1'],
    {
      cwd: dir,
      env: { ...sandbox.settings, NEXT_TELEMETRY_DISABLED: '1' },
    },
  );
  await answers(`http://127.0.0.1:${port}/cup-qr/none`, next, 240_000);
  const browser = await openBrowser(t);
  const { console } = await payInPage(browser, {
    pageUrl: `http://127.0.0.1:${port}/`,
    sandboxUrl: sandbox.url,
    projectId: sandbox.settings.ECOMMPAY_PROJECT_ID,
  });
  // Every warning and error of the page. Lit's development build announces itself once per
  // page ("Lit is in dev mode"), whatever the element does: that one notice is expected.
  const warnings = console.filter(
    (m) =>
      ['error', 'pageerror', 'warning'].includes(m.type) &&
      !/^Lit is in dev mode\. Not recommended for production!/.test(m.text),
  );
  assert.deepEqual(warnings, [], next.text());
  assert.ok(
    console.some((m) => /Lit is in dev mode/.test(m.text)),
    "Lit's development build ran (its warnings were on)",
  );
});
