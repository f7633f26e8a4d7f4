/**
 * Generates test/fixtures/sdk-signatures.json: every case of cases.mjs signed by the five
 * official ECommPay signers, each parsing the raw JSON as its own Callback class does.
 *
 *   node scripts/sdk-signatures/generate.mjs --cases > cases.json    # the cases, for other runners
 *   node scripts/sdk-signatures/generate.mjs \
 *     --php DIR --php-commit SHA --python DIR --python-commit SHA \
 *     --java RESULTS.json --java-commit SHA --java-runtime TEXT \
 *     --go RESULTS.json --go-commit SHA --go-runtime TEXT > test/fixtures/sdk-signatures.json
 *
 * PHP and Python run here (run-php.php, run-python.py) on SDK checkouts given by path; the JS
 * SDK is the `ecommpay` devDependency. Java and Go need a build, so their results come from a
 * one-off run described in README.md, given here as files: `[{ string, signature } | { error }]`
 * in case order. No SDK code is part of this repository.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { CASES } from './cases.mjs';

const here = (name) => new URL(name, import.meta.url).pathname;
const cases = CASES.map(({ name, secret = 'secret', json }) => ({ name, secret, json }));

const { values: options } = parseArgs({
  options: Object.fromEntries(
    ['php', 'python', 'java', 'go']
      .flatMap((sdk) => [sdk, `${sdk}-commit`, `${sdk}-runtime`])
      .map((name) => [name, { type: 'string' }])
      .concat([['cases', { type: 'boolean' }]]),
  ),
});

if (options.cases) {
  process.stdout.write(`${JSON.stringify(cases, null, 2)}\n`);
  process.exit(0);
}
for (const name of ['php', 'python', 'java', 'go']) {
  if (!options[name] || !options[`${name}-commit`]) {
    console.error(`--${name} and --${name}-commit are required (see the header of this script)`);
    process.exit(2);
  }
}

const input = JSON.stringify(cases);
const run = (command, args) => JSON.parse(execFileSync(command, args, { input, encoding: 'utf8' }));
const firstLine = (command, args) =>
  execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0];

// The JS SDK: its signer, and the converter that makes the string it hashes.
const require = createRequire(import.meta.url);
const signer = require('ecommpay/src/signer');
const converter = require('ecommpay/src/converter');
const jsResults = cases.map(({ secret, json }) => {
  try {
    const data = JSON.parse(json);
    const signature = signer(data, secret);
    const string = converter(data, ['frame_mode']);
    if (signer(JSON.parse(json), secret) !== signature) throw new Error('not deterministic');
    return { string, signature };
  } catch (error) {
    return { error: `${error.name}: ${error.message}` };
  }
});

const results = {
  php: run('php', [here('run-php.php'), options.php]),
  python: run('python3', [here('run-python.py'), options.python]),
  js: jsResults,
  java: JSON.parse(readFileSync(options.java, 'utf8')),
  go: JSON.parse(readFileSync(options.go, 'utf8')),
};
for (const [sdk, list] of Object.entries(results)) {
  if (list.length !== cases.length)
    throw new Error(`${sdk}: ${list.length} results for ${cases.length} cases`);
}

const repository = (name) => `https://github.com/ITECOMMPAY/paymentpage-sdk-${name}`;
const fixture = {
  about:
    'Each case signed by the five official ECommPay signers (SignatureHandler/signer), each ' +
    'parsing `json` as its own Callback class does. `string` is what the SDK hashed, ' +
    '`signature` its result, `error` its failure. Generated once by ' +
    'scripts/sdk-signatures/generate.mjs; the java and go columns come from a one-off run ' +
    '(scripts/sdk-signatures/README.md). Read by test/node/ecommpay/signature-sdks.test.ts.',
  sdks: {
    php: {
      repository: repository('php'),
      commit: options['php-commit'],
      code: 'src/SignatureHandler.php',
      runtime: `PHP ${firstLine('php', ['-r', 'echo PHP_VERSION;'])}`,
      run: 'scripts/sdk-signatures/run-php.php',
    },
    python: {
      repository: repository('python'),
      commit: options['python-commit'],
      code: 'payment_page_sdk/signature_handler.py',
      runtime: firstLine('python3', ['--version']),
      run: 'scripts/sdk-signatures/run-python.py',
    },
    js: {
      repository: repository('js'),
      package: `ecommpay@${require('ecommpay/package.json').version}`,
      code: 'src/signer.js, src/converter.js',
      runtime: `Node.js ${process.versions.node}`,
      run: 'scripts/sdk-signatures/generate.mjs',
    },
    java: {
      repository: repository('java'),
      commit: options['java-commit'],
      code: 'src/main/java/com/ecommpay/sdk/SignatureHandler.java (JSON read with Jackson, as Callback.java does)',
      runtime: options['java-runtime'],
      run: 'one-off, see scripts/sdk-signatures/README.md',
    },
    go: {
      repository: repository('go'),
      commit: options['go-commit'],
      code: 'signature-handler.go (JSON read with encoding/json, as callback.go does)',
      runtime: options['go-runtime'],
      run: 'one-off, see scripts/sdk-signatures/README.md',
    },
  },
  cases: cases.map((item, i) => ({
    ...item,
    sdks: Object.fromEntries(Object.entries(results).map(([sdk, list]) => [sdk, list[i]])),
  })),
};
process.stdout.write(`${JSON.stringify(fixture, null, 2)}\n`);
