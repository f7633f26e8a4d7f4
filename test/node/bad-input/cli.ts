// The bad-input suite, the command line: arguments, files and standard input of its commands
// (src/cli). Run by test/node/bad-input.test.ts, which prints the figures of all its parts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { run, type CliIO } from '../../../src/cli/index.js';
import { runBin, type Exit } from '../../helpers/bin.js';
import { figures, labelOf, nestedArrays } from '../../helpers/bad-input.js';

describe('the command line', () => {
  const NAME = 'cup-qr-checkout';

  /** The real bin in a child process, with a secret key unless `env` says otherwise. */
  const bin = (
    args: string[],
    stdin = '',
    env: Record<string, string> = { ECOMMPAY_SECRET_KEY: 'cli-key' },
  ): Promise<Exit> => runBin(args, stdin, env);

  /** `run()` in this process, as the bin calls it. */
  async function inProcess(
    args: string[],
    stdin: string,
    env: Record<string, string> = { ECOMMPAY_SECRET_KEY: 'cli-key' },
  ): Promise<Exit> {
    let stdout = '';
    let stderr = '';
    const io: CliIO = { stdin, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env };
    const code = await run(args, io);
    return { code, stdout, stderr };
  }

  /** What is wrong with a refusal: exit code, a clear first line on stderr, no stack. */
  function refusalProblems(label: string, exit: Exit, code: number, mentions?: RegExp): string[] {
    figures.inputs++;
    figures.entryPoints.add('CLI');
    const problems: string[] = [];
    const fail = (what: string): void => {
      problems.push(`CLI ${labelOf(label)}: ${what}`);
    };
    const firstLine = exit.stderr.split('\n')[0];
    if (exit.code !== code)
      fail(`exit ${exit.code}, wanted ${code}; stderr ${exit.stderr.slice(0, 300)}`);
    if (/\n\s+at |unexpected error/.test(exit.stderr)) {
      figures.cliStackTraces++;
      fail(`a stack trace: ${exit.stderr.slice(0, 400)}`);
    }
    if (!firstLine.trim() || firstLine.length > 400)
      fail(`no clear first line on stderr: ${JSON.stringify(firstLine.slice(0, 400))}`);
    if (!firstLine.startsWith(NAME) && !firstLine.startsWith('invalid:'))
      fail(`stderr does not start with the command: ${firstLine.slice(0, 200)}`);
    if (mentions && !mentions.test(firstLine))
      fail(`the first line does not mention ${mentions}: ${firstLine.slice(0, 300)}`);
    if (exit.stdout !== '') fail(`something on stdout: ${exit.stdout.slice(0, 200)}`);
    return problems;
  }

  it('the bin refuses bad input with exit 2, one clear line and no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-input-cli-'));
    try {
      const notADatabase = join(dir, 'not-a-db.sqlite');
      writeFileSync(notADatabase, 'this is not SQLite\n'.repeat(100));
      const period = ['--from', '2026-11-01', '--to', '2026-12-01'];
      const cases: [string, string[], string, number, RegExp?][] = [
        ['sign: empty stdin', ['sign'], '', 2, /empty/],
        ['sign: malformed JSON', ['sign'], '{"general":', 2, /not valid JSON/],
        ['sign: an array', ['sign'], '[1,2]', 2, /object/],
        ['sign: null', ['sign'], 'null', 2, /object/],
        // Was a float amount (1.5): floats are signed now; one the SDKs write differently is not.
        ['sign: a float', ['sign'], '{"payment":{"rate":1e-7}}', 2, /payment:rate.*differently/],
        ['sign: past 2^53', ['sign'], '{"amount":123456789012345678901}', 2, /2\^53/],
        ['sign: 100,000 levels deep', ['sign'], `{"a":${nestedArrays(100_000)}}`, 2, /deeper/],
        ['sign: 5 MB of garbage', ['sign'], `{${'x'.repeat(5_000_000)}`, 2, /not valid JSON/],
        ['sign: invalid UTF-8 turned JSON', ['sign'], '\u0000{}', 2, /not valid JSON/],
        [
          'sign --verify: 100,000 levels deep',
          ['sign', '--verify'],
          `{"signature":"x","a":${nestedArrays(100_000)}}`,
          2,
          /deeper/,
        ],
        ['sign: unknown flag', ['sign', '--force'], '{}', 2, /unexpected argument "--force"/],
        ['sign: a file argument', ['sign', 'sale.json'], '{}', 2, /unexpected argument/],
        ['unknown command', ['frobnicate'], '', 2, /unknown command "frobnicate"/],
        ['a flag as command', ['--version'], '', 2, /unknown command/],
        ['an empty command', [''], '', 2, /unknown command/],
        ['a prototype key as command', ['__proto__'], '', 2, /unknown command/],
        ['constructor as command', ['constructor'], '', 2, /unknown command/],
        ['report: no arguments', ['report'], '', 2, /--db is required/],
        [
          'report: bad --from',
          ['report', '--db', notADatabase, '--from', 'yesterday', '--to', '2026-12-01'],
          '',
          2,
          /--from: not an ISO 8601/,
        ],
        [
          'report: --from 1',
          ['report', '--db', notADatabase, '--from', '1', '--to', '2026-12-01'],
          '',
          2,
          /--from: not an ISO 8601/,
        ],
        [
          'report: February 30',
          ['report', '--db', notADatabase, '--from', '2026-02-30', '--to', '2026-12-01'],
          '',
          2,
          /--from: not an ISO 8601/,
        ],
        [
          'report: --to before --from',
          ['report', '--db', notADatabase, '--from', '2026-12-01', '--to', '2026-11-01'],
          '',
          2,
          /--to must be after --from/,
        ],
        [
          'report: --format xml',
          ['report', '--db', notADatabase, ...period, '--format', 'xml'],
          '',
          2,
          /--format/,
        ],
        [
          'report: --rows all',
          ['report', '--db', notADatabase, ...period, '--rows', 'all'],
          '',
          2,
          /--rows/,
        ],
        [
          'report: unknown option',
          ['report', '--db', notADatabase, ...period, '--limit', '5'],
          '',
          2,
          /unknown option --limit/,
        ],
        ['report: --db without value', ['report', '--db'], '', 2, /--db needs a value/],
        ['report: a bare word', ['report', 'payments.sqlite'], '', 2, /unexpected argument/],
        [
          'report: a missing file',
          ['report', '--db', join(dir, 'missing.sqlite'), ...period],
          '',
          2,
        ],
        ['report: not a database', ['report', '--db', notADatabase, ...period], '', 2],
        ['report: a directory', ['report', '--db', dir, ...period], '', 2],
        ['sandbox: an argument', ['sandbox', '--port', '1'], '', 2, /unexpected argument/],
      ];
      const problems: string[] = [];
      for (const [label, args, stdin, code, mentions] of cases) {
        problems.push(...refusalProblems(label, await bin(args, stdin), code, mentions));
      }
      problems.push(
        ...refusalProblems(
          'sign: no key',
          await bin(['sign'], '{}', {}),
          2,
          /ECOMMPAY_SECRET_KEY is not set/,
        ),
        ...refusalProblems(
          'sign --verify: no signature',
          await bin(['sign', '--verify'], '{"a":1}'),
          1,
          /no signature/,
        ),
      );
      assert.deepEqual(problems, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('property: any stdin to sign, any arguments: exit 0 or a clear refusal, never a stack', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
        ),
        async (stdin) => {
          const exit = await inProcess(['sign'], stdin);
          if (exit.code === 0) {
            figures.inputs++;
            const signedOut = JSON.parse(exit.stdout) as Record<string, unknown>;
            assert.ok(
              typeof signedOut.signature === 'string' ||
                typeof (signedOut.general as Record<string, unknown>)?.signature === 'string',
            );
            return;
          }
          assert.deepEqual(refusalProblems(stdin, exit, 2), []);
        },
      ),
      { numRuns: 300 },
    );
    const word = fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom(
        '--db',
        '--from',
        '--to',
        '--format',
        '--rows',
        '--verify',
        '--help=1',
        '-h=x',
        '--',
        '-',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('sign', 'report', 'sandbox', 'help2', ''),
        fc.array(word, { minLength: 1, maxLength: 5 }),
        async (command, args) => {
          fc.pre(!args.some((a) => a === '--help' || a === '-h' || a.startsWith('--help=')));
          // Valid `sign` input on stdin, so that only the arguments can be wrong.
          const exit = await inProcess([command, ...args], '{"a":1}');
          if (command === 'sign' && args.every((a) => a === '--verify')) {
            assert.equal(exit.code, 1); // "invalid: no signature"
            return;
          }
          assert.deepEqual(refusalProblems(`${command} ${args.join(' ')}`, exit, 2), []);
        },
      ),
      { numRuns: 300 },
    );
  });
});
