/**
 * Generates test/fixtures/sdk-payment-pages.json: each case of cases.mjs as a Payment Page URL
 * built by the Python, PHP and Go SDKs' own code (their PaymentPage classes), to check the
 * sandbox's Payment Page against (test/node/sandbox/payment-page-sdks.test.ts; the JS SDK, the
 * `ecommpay` devDependency, is run by the test itself).
 *
 *   node scripts/sdk-payment-pages/generate.mjs \
 *     --python DIR --python-commit SHA --php DIR --php-commit SHA --go DIR --go-commit SHA \
 *     > test/fixtures/sdk-payment-pages.json
 *
 * DIR is a checkout of github.com/ITECOMMPAY/paymentpage-sdk-<name>. Python and PHP run their
 * runner here (run-python.py, run-php.php); Go runs run-go/pages_test.go in a module of its
 * own beside the SDK's four source files, copied to a temporary folder (the SDK's go.mod asks
 * for a newer Go than Debian's). No SDK code is part of this repository.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BASE_URL, CASES, PROJECT_ID, SECRET_KEY } from './cases.mjs';

const here = (name) => new URL(name, import.meta.url).pathname;
const SDKS = ['python', 'php', 'go'];
const { values: options } = parseArgs({
  options: Object.fromEntries(
    SDKS.flatMap((sdk) => [sdk, `${sdk}-commit`]).map((name) => [name, { type: 'string' }]),
  ),
});
for (const name of SDKS) {
  if (!options[name] || !options[`${name}-commit`]) {
    console.error(`--${name} and --${name}-commit are required (see the header of this script)`);
    process.exit(2);
  }
}

const job = { secret: SECRET_KEY, projectId: PROJECT_ID, base: BASE_URL, cases: CASES };
const input = JSON.stringify(job);
const run = (command, args, env) =>
  execFileSync(command, args, { input, encoding: 'utf8', env: { ...process.env, ...env } });
const firstLine = (command, args) =>
  execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0];

const python = JSON.parse(run('python3', [here('run-python.py'), options.python]));
const php = JSON.parse(run('php', [here('run-php.php'), options.php]));

const module = mkdtempSync(join(tmpdir(), 'sdk-go-pages-'));
let go;
try {
  for (const file of ['payment-page.go', 'payment.go', 'signature-handler.go', 'helper.go']) {
    copyFileSync(join(options.go, file), join(module, file));
  }
  copyFileSync(here('run-go/pages_test.go'), join(module, 'pages_test.go'));
  writeFileSync(join(module, 'go.mod'), 'module paymentpage\n\ngo 1.19\n');
  const casesFile = join(module, 'cases.json');
  writeFileSync(casesFile, input);
  const out = execFileSync('go', ['test', '-run', 'TestPages', '-count=1', '-v', '.'], {
    cwd: module,
    encoding: 'utf8',
    env: { ...process.env, CASES: casesFile, GOFLAGS: '-mod=mod', GOPROXY: 'off' },
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULTS '));
  if (!line) throw new Error(`the Go runner printed no results:\n${out}`);
  go = JSON.parse(line.slice('RESULTS '.length));
} finally {
  rmSync(module, { recursive: true, force: true });
}

const fixture = {
  about:
    'Payment Page URLs built by the official ECommPay SDKs (PaymentPage.get_url / getUrl / GetUrl) for each case, on `base`, signed with `secret` for project `projectId`. Generated once by scripts/sdk-payment-pages/generate.mjs; read by test/node/sandbox/payment-page-sdks.test.ts, which points them at its sandbox.',
  secret: SECRET_KEY,
  projectId: PROJECT_ID,
  base: BASE_URL,
  sdks: {
    python: {
      repository: 'https://github.com/ITECOMMPAY/paymentpage-sdk-python',
      commit: options['python-commit'],
      code: 'payment_page_sdk/payment_page.py, payment.py',
      runtime: firstLine('python3', ['--version']),
      run: 'scripts/sdk-payment-pages/run-python.py',
    },
    php: {
      repository: 'https://github.com/ITECOMMPAY/paymentpage-sdk-php',
      commit: options['php-commit'],
      code: 'src/PaymentPage.php, src/Payment.php',
      runtime: firstLine('php', ['-r', 'echo "PHP " . PHP_VERSION;']),
      run: 'scripts/sdk-payment-pages/run-php.php',
    },
    go: {
      repository: 'https://github.com/ITECOMMPAY/paymentpage-sdk-go',
      commit: options['go-commit'],
      code: 'payment-page.go, payment.go',
      runtime: firstLine('go', ['version']),
      run: 'scripts/sdk-payment-pages/run-go/pages_test.go',
    },
  },
  cases: CASES.map((c, index) => ({
    name: c.name,
    params: c.params,
    urls: { python: python[index].url, php: php[index].url, go: go[index].url },
  })),
};
process.stdout.write(`${JSON.stringify(fixture, null, 2)}\n`);
