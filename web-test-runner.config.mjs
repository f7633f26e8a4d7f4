// Browser tests: the TypeScript sources, run in Debian's Chromium through web-test-runner.
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { commonJsPackages } from './scripts/wtr-commonjs-plugin.mjs';
import { checkoutServer } from './test/helpers/wtr-checkout-server.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.mjs';

// The real merchant toolkit and ECommPay sandbox, in this process, for the element's tests.
const checkout = checkoutServer();

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
  concurrency: 1,
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
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
      },
    }),
  ],
};
