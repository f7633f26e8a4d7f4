/**
 * The conformance kit against the Node toolkit: `cup-qr-checkout conformance --start` spawns a
 * real createCheckout server (test/helpers/conformance-backend.ts, SQLite in a temp folder, so
 * the restart clauses restart a real process), and every clause passes. The command's usage
 * errors exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../src/conformance/backend.js';
import { runBin } from '../../helpers/bin.js';

const BACKEND = fileURLToPath(new URL('../../helpers/conformance-backend.ts', import.meta.url));

describe('conformance kit', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cup-qr-conformance-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the Node toolkit passes every clause', async () => {
    const run = await runBin([
      'conformance',
      '--start',
      `"${process.execPath}" --import tsx "${BACKEND}" "${dir}"`,
    ]);
    const lines = run.stdout.trim().split('\n');
    const failed = lines.filter((line) => line.startsWith('FAIL'));
    assert.deepEqual(failed, [], run.stdout + run.stderr);
    const summary = lines.at(-1) ?? '';
    const match = /^(\d+) passed, 0 failed, 0 skipped \(/.exec(summary);
    assert.ok(match, `summary: ${summary}\n${run.stderr}`);
    assert.equal(Number(match[1]), lines.length - 1, 'one line per clause');
    for (const line of lines.slice(0, -1)) assert.match(line, /^ok {4}§\S.* {2}\S/);
    assert.equal(run.code, 0, run.stderr);
    // The kit's own figure: its run time against the toolkit.
    console.log(`conformance: ${summary}`);
  });

  test('usage errors exit 2 and say what is wrong', async () => {
    const none = await runBin(['conformance']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --start "<command>" or --url <base URL>/);
    const noKey = await runBin(['conformance', '--url', 'http://127.0.0.1:9']);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /secret key is required/);
    const unknown = await runBin(['conformance', '--start', 'true', '--frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option "--frobnicate"/);
    const help = await runBin(['conformance', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /ok\|FAIL\|skip {2}§<section> {2}<clause> {2}\[what differed\]/);
  });

  test('a backend that never answers: exit 2 with its output', async () => {
    const run = await runBin([
      'conformance',
      '--start',
      `"${process.execPath}" -e "console.log('no server here'); process.exit(3)"`,
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /exited \(code 3\) before answering:\nno server here/);
  });
});

describe('conformance kit against a broken copy of the toolkit', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cup-qr-conformance-broken-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [broken: string, only: string, clause: RegExp][] = [
    [
      'sse-id',
      'SSE',
      /^FAIL {2}§SSE {2}retry: first, then the current state .* {2}id:: expected "0", got undefined$/m,
    ],
    [
      'media-type',
      'POST /payments',
      /^FAIL {2}§POST \/payments {2}a body sent as text\/plain answers 415 unsupported-media-type {2}expected 415 unsupported-media-type, got 201$/m,
    ],
    [
      'memory',
      'Restarts',
      /^FAIL {2}§Restarts {2}payments, tokens and the attempt counter survive a restart.* {2}GET \/payments\/:id answered 403 forbidden$/m,
    ],
  ];
  for (const [broken, only, clause] of cases) {
    test(`CONFORMANCE_BREAK=${broken}: exit 1, naming the clause`, async () => {
      const run = await runBin(
        [
          'conformance',
          '--only',
          only,
          '--start',
          `"${process.execPath}" --import tsx "${BACKEND}" "${dir}"`,
        ],
        '',
        { CONFORMANCE_BREAK: broken },
      );
      assert.match(run.stdout, clause, run.stdout + run.stderr);
      assert.match(run.stdout, /^\d+ passed, [1-9]\d* failed, 0 skipped/m);
      assert.equal(run.code, 1, run.stderr);
    });
  }
});

describe('conformance kit without --start', () => {
  test('a backend started apart: every clause but the restart passes, that one is skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cup-qr-conformance-url-'));
    const [port, gatePort] = [await freePort(), await freePort()];
    const backend = spawn(process.execPath, ['--import', 'tsx', BACKEND, dir], {
      env: {
        ...process.env,
        ECOMMPAY_GATE_URL: `http://127.0.0.1:${gatePort}`,
        ECOMMPAY_PAYMENT_PAGE_URL: `http://127.0.0.1:${gatePort}/payment`,
        ECOMMPAY_PROJECT_ID: '77',
        ECOMMPAY_SECRET_KEY: 'apart-secret-key-0123456789',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        backend.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          if (output.includes('conformance-backend: listening')) resolve();
        });
        backend.once('exit', (code) => reject(new Error(`the backend exited (${code})`)));
      });
      const run = await runBin(
        [
          'conformance',
          '--url',
          `http://127.0.0.1:${port}`,
          '--sandbox-port',
          String(gatePort),
          '--project-id',
          '77',
          '--only',
          'Restarts,no second sale,platform',
        ],
        '',
        { ECOMMPAY_SECRET_KEY: 'apart-secret-key-0123456789' },
      );
      assert.match(run.stdout, /^skip {2}§Restarts {2}.* {2}skipped: no --start$/m, run.stdout);
      assert.match(
        run.stdout,
        /^ok {4}§POST \/payments {2}a re-POST answers 200 .*no second sale$/m,
      );
      assert.match(run.stdout, /^\d+ passed, 0 failed, 1 skipped/m, run.stdout + run.stderr);
      assert.equal(run.code, 0, run.stderr);
    } finally {
      backend.kill('SIGTERM');
      await once(backend, 'exit');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
