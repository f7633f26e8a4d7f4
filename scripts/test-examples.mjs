// `npm run test:examples`: every documented integration in examples/, each a project that
// installs the packed package, not the sources.
//
// 1. Builds (when dist/ is missing or older than a source) and packs the package into
//    examples/.pack/cup-qr-checkout.tgz (what `npm publish` would upload).
// 2. Installs the examples' one npm workspace from its committed lock (`npm ci`, from npm's
//    cache where it can), then the fresh tarball over it (`--no-save`: the lock records a
//    tarball's hash, and npm would install an older tarball of that hash from its cache).
// 3. Checks the tarball (publint, and attw with the ESM-only profile) and a browser-only
//    TypeScript consumer (skipLibCheck false, no server packages), then runs
//    examples/test/*.test.mjs, EXAMPLES_CONCURRENCY (default 3) files at a time
//    (EXAMPLES_ONLY=nextjs,vite-vue: those files only).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = join(root, 'examples');
const pack = join(examples, '.pack');
const tarball = join(pack, 'cup-qr-checkout.tgz');
const exec = promisify(execFile);
const started = performance.now();
const times = [];

/** Runs a step, printing its output and how long it took; exits on failure. */
async function step(name, command, args, options = {}) {
  const began = performance.now();
  process.stdout.write(`examples: ${name}\n`);
  const code = await new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd: root, ...options });
    child.on('exit', (exit) => resolve(exit ?? 1));
  });
  const seconds = (performance.now() - began) / 1000;
  times.push(`${name} ${seconds.toFixed(1)} s`);
  if (code !== 0) {
    process.stdout.write(`examples: ${name} failed (exit ${code})\n`);
    process.exit(code);
  }
}

/** The newest modification time under a folder, in ms. */
function newest(folder) {
  let latest = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

const built = join(root, 'dist', 'index.js');
const inputs = Math.max(
  newest(join(root, 'src')),
  ...[
    'package.json',
    'tsconfig.build.json',
    'vite.config.ts',
    'custom-elements-manifest.config.mjs',
  ].map((file) => statSync(join(root, file)).mtimeMs),
);
if (!existsSync(built) || statSync(built).mtimeMs < inputs) {
  await step('build', 'npm', ['run', 'build']);
} else {
  process.stdout.write('examples: dist/ is newer than src/, not built again\n');
}

rmSync(pack, { recursive: true, force: true });
mkdirSync(pack);
const { stdout } = await exec(
  'npm',
  ['pack', '--json', '--ignore-scripts', '--pack-destination', pack],
  { cwd: root, maxBuffer: 16 * 1024 * 1024 },
);
const [{ filename }] = JSON.parse(stdout);
await exec('mv', [join(pack, filename), tarball]);
process.stdout.write(`examples: packed ${filename}\n`);

const quiet = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
await step('npm ci (examples/)', 'npm', ['ci', ...quiet], { cwd: examples });
await step('the fresh tarball over it', 'npm', ['install', '--no-save', ...quiet, tarball], {
  cwd: examples,
});

await step('publint', 'npx', ['publint', '--strict', tarball]);
await step('attw (ESM-only)', 'npx', ['attw', '--pack', tarball, '--profile', 'esm-only']);

// A browser-only TypeScript consumer outside the workspace: the tarball, TypeScript and
// whatever they bring (no better-sqlite3, no ioredis), with skipLibCheck off.
const consumer = join(tmpdir(), `cup-qr-browser-consumer-${process.pid}`);
rmSync(consumer, { recursive: true, force: true });
mkdirSync(join(consumer, 'src'), { recursive: true });
writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
writeFileSync(
  join(consumer, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'bundler',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      jsx: 'react-jsx',
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      types: [],
    },
    include: ['src'],
  }),
);
writeFileSync(
  join(consumer, 'src', 'main.tsx'),
  `import 'cup-qr-checkout';
import { CupQrCheckout as Wrapper } from 'cup-qr-checkout/react';
import type { CupQrSuccessEvent } from 'cup-qr-checkout';
import 'cup-qr-checkout/dist/cup-qr-checkout.min.js';

const el = document.querySelector('cup-qr-checkout');
el?.addEventListener('cup-qr-success', (e: CupQrSuccessEvent) => e.detail.paymentId.length);
export const page = <Wrapper payload="x" onSuccess={(e) => e.detail.amount} />;
export const bare = <cup-qr-checkout payload="x" oncup-qr-success={(e) => e.detail.paymentId} />;
export const global = globalThis.CupQrCheckout.TAG_NAME;
`,
);
await step(
  'browser-only consumer: install',
  'npm',
  ['install', ...quiet, tarball, 'typescript@5.9'],
  {
    cwd: consumer,
  },
);
for (const server of ['better-sqlite3', 'ioredis', '@types/better-sqlite3']) {
  if (existsSync(join(consumer, 'node_modules', server))) {
    process.stdout.write(`examples: ${server} was installed in the browser-only consumer\n`);
    process.exit(1);
  }
}
await step('browser-only consumer: tsc (skipLibCheck false)', 'npx', ['tsc', '-p', '.'], {
  cwd: consumer,
});
rmSync(consumer, { recursive: true, force: true });

// EXAMPLES_ONLY=nextjs,vite-vue runs those test files only (while working on one).
const only = process.env.EXAMPLES_ONLY?.split(',').map((name) => `${name.trim()}.test.mjs`);
const files = readdirSync(join(examples, 'test'))
  .filter((name) => name.endsWith('.test.mjs') && (!only || only.includes(name)))
  .map((name) => join('test', name));
const concurrency = process.env.EXAMPLES_CONCURRENCY ?? '3';
await step(
  `examples/test (${files.length} files, ${concurrency} at a time)`,
  'node',
  ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...files],
  { cwd: examples },
);

const total = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`examples: ${times.join(', ')}; in all ${total} s\n`);
