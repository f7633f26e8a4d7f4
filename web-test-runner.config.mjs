// Browser tests: the TypeScript sources, run through web-test-runner in three engines from
// Debian's packages, one after the other: Chromium, Firefox ESR and WebKitGTK
// (scripts/wtr-engines.mjs). `WTR_ENGINES=firefox` (comma-separated) runs some of them only.
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { commonJsPackages } from './scripts/wtr-commonjs-plugin.mjs';
import { ENGINES, engineLaunchers } from './scripts/wtr-engines.mjs';
import { checkoutServer } from './test/helpers/wtr-checkout-server.mjs';

// The real merchant toolkit and ECommPay sandbox, in this process, for the element's tests.
const checkout = checkoutServer();

const browsers = engineLaunchers(
  process.env.WTR_ENGINES ? process.env.WTR_ENGINES.split(',').map((name) => name.trim()) : ENGINES,
);

export default {
  files: ['test/browser/**/*.test.ts', '!test/browser/csp/**'],
  groups: [
    {
      // The element on a page that enforces Trusted Types and forbids inline styles.
      name: 'strict-csp',
      files: ['test/browser/csp/**/*.test.ts'],
      testRunnerHtml: (testFramework) => `<!doctype html>
<html>
  <head>
    <meta
      http-equiv="Content-Security-Policy"
      content="require-trusted-types-for 'script'; trusted-types lit-html; style-src 'self'; object-src 'none'"
    />
  </head>
  <body>
    <script type="module" src="${testFramework}"></script>
  </body>
</html>`,
    },
  ],
  nodeResolve: { exportConditions: ['browser'] },
  // One test file at a time, one engine after the other: the tests share the one toolkit and
  // sandbox above (faults, counters), and the machine has two cores.
  concurrency: 1,
  concurrentBrowsers: 1,
  testFramework: { config: { timeout: 20000 } },
  // Under /cup-qr/ the toolkit's routes; under /__test__/ the tests drive the sandbox.
  middleware: [checkout.middleware],
  plugins: [
    checkout.plugin,
    // jsqr (the QR decoder of the tests) ships CommonJS only: serve it pre-bundled as ESM.
    commonJsPackages(['jsqr']),
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
  ],
  browsers,
};
