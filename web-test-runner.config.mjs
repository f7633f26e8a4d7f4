// Browser tests: the TypeScript sources, run through web-test-runner in three engines from
// Debian's packages, one after the other: Chromium, Firefox ESR and WebKitGTK
// (scripts/wtr-engines.mjs). `WTR_ENGINES=firefox` (comma-separated) runs some of them only.
//
// A test that only one engine can run lives in `<name>.<engine>.test.ts` (e.g.
// `forced-colors.chromium.test.ts`), outside csp/, and says why in its name ("(Chromium only:
// CDP forced colours)"): it runs in that engine's group `<engine>-only` alone, and is no
// part of the other engines' runs (nothing is skipped there).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { commonJsPackages } from './scripts/wtr-commonjs-plugin.mjs';
import { engineTimesReporter } from './scripts/wtr-engine-times.mjs';
import { ENGINES, engineLauncher } from './scripts/wtr-engines.mjs';
import { checkoutServer } from './test/helpers/wtr-checkout-server.mjs';
import { scriptedBackend } from './test/helpers/wtr-scripted-backend.mjs';

// The real merchant toolkit and ECommPay sandbox, in this process, for the element's tests.
const checkout = checkoutServer();
// A backend that answers what a test scripts (states the element cannot use).
const scripted = scriptedBackend();

const engines = process.env.WTR_ENGINES
  ? process.env.WTR_ENGINES.split(',').map((name) => name.trim())
  : ENGINES;
const browsers = engines.map((name) => [name, engineLauncher(name)]);

const onlyIn = (engine) => `test/browser/**/*.${engine}.test.ts`;
const notEngineOnly = ENGINES.map((engine) => `!${onlyIn(engine)}`);
const testFiles = readdirSync(new URL('./test/browser/', import.meta.url), { recursive: true });
/** A group per engine that has tests of its own (the runner refuses a group with no file). */
const engineOnlyGroups = browsers
  .filter(([engine]) => testFiles.some((file) => file.endsWith(`.${engine}.test.ts`)))
  .map(([engine, launcher]) => ({
    name: `${engine}-only`,
    files: [onlyIn(engine)],
    browsers: [launcher],
  }));

export default {
  files: ['test/browser/**/*.test.ts', '!test/browser/csp/**', ...notEngineOnly],
  groups: [
    ...engineOnlyGroups,
    {
      // The element on a page that enforces Trusted Types and forbids inline styles.
      name: 'strict-csp',
      files: ['test/browser/csp/**/*.test.ts', ...notEngineOnly],
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
  reporters: [defaultReporter(), engineTimesReporter()],
  // Under /cup-qr/ the toolkit's routes; under /__test__/ the tests drive the sandbox. Under
  // /cup-qr-scripted/ the scripted backend, driven under /__scripted__/.
  middleware: [scripted.middleware, checkout.middleware],
  plugins: [
    checkout.plugin,
    scripted.plugin,
    // jsqr (the QR decoder of the tests) ships CommonJS only: serve it pre-bundled as ESM.
    commonJsPackages(['jsqr']),
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
  ],
  browsers: browsers.map(([, launcher]) => launcher),
};
