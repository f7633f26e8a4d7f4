/**
 * The conformance kit against the Node toolkit: `cup-qr-checkout conformance --start` spawns a
 * real createCheckout server (test/helpers/conformance-backend.ts, SQLite in a temp folder, so
 * the restart clauses restart a real process), and every clause passes. The command's usage
 * errors exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
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
