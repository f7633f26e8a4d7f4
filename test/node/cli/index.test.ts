// The command line as a user runs it: the real bin in a child process, JSON piped to stdin;
// plus the in-process `run()` for the cases that need no process.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { CliIO } from '../../../src/cli/index.js';
import { run } from '../../../src/cli/index.js';
import { canonicalString, verify } from '../../../src/ecommpay/signature.js';
import { runBin, type Exit } from '../../helpers/bin.js';

const FIXTURE = readFileSync(new URL('../../fixtures/sale-request.json', import.meta.url), 'utf8');
const KEY = 'cli-test-secret';

/** The bin with ECOMMPAY_SECRET_KEY set to `secretKey` (`null`: unset). */
function cli(args: string[], stdin: string, secretKey: string | null = KEY): Promise<Exit> {
  return runBin(args, stdin, secretKey === null ? {} : { ECOMMPAY_SECRET_KEY: secretKey });
}

/** The fixture signed by the bin, parsed. */
async function signedFixture(): Promise<{ text: string; json: Record<string, unknown> }> {
  const outcome = await cli(['sign'], FIXTURE);
  assert.equal(outcome.code, 0, outcome.stderr);
  return { text: outcome.stdout, json: JSON.parse(outcome.stdout) as Record<string, unknown> };
}

describe('cup-qr-checkout sign (the bin)', () => {
  it('signs a Gate request into general.signature, as indented JSON', async () => {
    const { text, json } = await signedFixture();
    const general = json.general as Record<string, unknown>;
    assert.equal(typeof general.signature, 'string');
    assert.ok(verify(json, KEY), 'the printed signature verifies with the key');
    assert.ok(!verify(json, 'another-key'));
    const { signature: _signature, ...rest } = general;
    assert.deepEqual({ ...json, general: rest }, JSON.parse(FIXTURE), 'nothing else changed');
    assert.ok(text.startsWith('{\n  "general": {\n    "project_id": 200,'), '2-space indent');
    assert.ok(text.includes('"first_name": "伍"'), 'Chinese text printed as is');
    assert.ok(text.endsWith('}\n'));
  });

  it('puts the signature at the top level without a general object (PROTOCOL.md vector)', async () => {
    const outcome = await cli(['sign'], '{"payment":{"id":"000049","status":"success"}}', 'secret');
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(
      (JSON.parse(outcome.stdout) as { signature: string }).signature,
      '/3TrhHVz9BHaLfgLyhoxO7dsQNzbzZa/TdO3pxQocXWwgVM6tGlzMLVfpOxFNTnkR9iiFVK/77ZedMcbkCjmng==',
    );
  });

  it('verifies its own output (exit 0)', async () => {
    const { text } = await signedFixture();
    const outcome = await cli(['sign', '--verify'], text);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.stdout, 'valid (natural ordering)\n');
  });

  it('rejects a tampered field (exit 1, reason on stderr)', async () => {
    const { json } = await signedFixture();
    const tampered = { ...json, payment: { ...(json.payment as object), amount: 1 } };
    const outcome = await cli(['sign', '--verify'], JSON.stringify(tampered));
    assert.equal(outcome.code, 1);
    assert.equal(outcome.stdout, '');
    assert.match(outcome.stderr, /^invalid: signature does not match/);
  });

  it('rejects a message with the wrong key (exit 1)', async () => {
    const { text } = await signedFixture();
    const outcome = await cli(['sign', '--verify'], text, 'not-the-key');
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /^invalid:/);
  });

  it('needs ECOMMPAY_SECRET_KEY (exit 2)', async () => {
    const outcome = await cli(['sign'], FIXTURE, null);
    assert.equal(outcome.code, 2);
    assert.equal(outcome.stdout, '');
    assert.match(outcome.stderr, /ECOMMPAY_SECRET_KEY is not set/);
  });

  it('refuses a float the SDKs write differently, naming its path (exit 2)', async () => {
    // Was a float amount (10.5): floats are signed now, as most official SDKs write them.
    const withFloat = FIXTURE.replace('"amount": 1000', '"amount": 1000, "rate": 1e-7');
    assert.notEqual(withFloat, FIXTURE, 'the fixture has the amount this test edits');
    const outcome = await cli(['sign'], withFloat);
    assert.equal(outcome.code, 2);
    assert.equal(outcome.stdout, '');
    assert.match(
      outcome.stderr,
      /payment:rate: 1e-7 is a float the official SDKs write differently/,
    );
  });

  it('signs a float as most SDKs write it, and verifies one signed the PHP way (exit 0)', async () => {
    const signed = await cli(
      ['sign'],
      FIXTURE.replace('"amount": 1000', '"amount": 1000, "rate": 1.5'),
    );
    assert.equal(signed.code, 0, signed.stderr);
    assert.ok(verify(JSON.parse(signed.stdout), KEY));
    // PHP writes 0.30000000000000004 as 0.3 and 1e-7 as 1.0E-7.
    const data = { ...JSON.parse(FIXTURE), extra: { a: 0.1 + 0.2, b: 1e-7 } };
    const text = canonicalString(data, 'natural', 'php');
    assert.ok(text.includes('extra:a:0.3;extra:b:1.0E-7'));
    const signature = createHmac('sha512', KEY).update(text).digest('base64');
    const outcome = await cli(['sign', '--verify'], JSON.stringify({ ...data, signature }));
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.stdout, 'valid (natural ordering)\n');
  });

  it('refuses bad JSON (exit 2)', async () => {
    const outcome = await cli(['sign'], '{"general": {');
    assert.equal(outcome.code, 2);
    assert.equal(outcome.stdout, '');
    assert.match(outcome.stderr, /stdin is not valid JSON/);
  });

  it('prints the usage for help, and on stderr with exit 2 for an unknown command', async () => {
    const help = await cli([], '');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: cup-qr-checkout <command>/);
    assert.match(help.stdout, /\n {2}sign \[--verify\] /);
    assert.match(help.stdout, /\n {2}sandbox +run the offline ECommPay emulator/);

    const unknown = await cli(['frobnicate'], '');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    assert.match(unknown.stderr, /Usage: cup-qr-checkout/);
  });
});

describe('run() in-process', () => {
  function io(stdin: string, env: Record<string, string> = { ECOMMPAY_SECRET_KEY: KEY }) {
    const out = { stdout: '', stderr: '' };
    const value: CliIO = {
      stdin,
      stdout: (text) => (out.stdout += text),
      stderr: (text) => (out.stderr += text),
      env,
    };
    return { io: value, out };
  }

  it('says "no signature" for unsigned JSON (exit 1)', async () => {
    const { io: cliIo, out } = io(FIXTURE);
    assert.equal(await run(['sign', '--verify'], cliIo), 1);
    assert.match(out.stderr, /^invalid: no signature/);
  });

  it('refuses JSON that is not an object, empty input and unknown options (exit 2)', async () => {
    for (const [args, stdin, message] of [
      [['sign'], '[1, 2]', /must be an object .*not an array/],
      [['sign'], '  \n', /stdin is empty/],
      [['sign', '--frob'], FIXTURE, /unexpected argument "--frob"/],
    ] as const) {
      const { io: cliIo, out } = io(stdin);
      assert.equal(await run([...args], cliIo), 2, stdin);
      assert.match(out.stderr, message);
      assert.equal(out.stdout, '');
    }
  });

  it('reads stdin only when the command needs it', async () => {
    let reads = 0;
    const { io: cliIo } = io('');
    const outcome = await run(['sign'], {
      ...cliIo,
      env: {},
      stdin: async () => {
        reads++;
        return FIXTURE;
      },
    });
    assert.equal(outcome, 2);
    assert.equal(reads, 0, 'a missing key is reported without waiting for input');
  });
});
