/**
 * `cup-qr-checkout conformance`: runs the conformance kit (src/conformance) against a backend
 * and prints one line per clause, then the summary. Exit 0 when no clause failed (skips
 * allowed), 1 when one did, 2 for a usage error or a backend or sandbox that cannot start.
 */
import {
  formatResult,
  formatSummary,
  runConformance,
  summarize,
  type ClauseResult,
  type ConformanceOptions,
} from '../../conformance/index.js';
import { EXIT_NO, EXIT_OK, EXIT_USAGE, NAME, SECRET_KEY_ENV, type CliIO } from '../io.js';

export const CONFORMANCE_USAGE = `Usage: ${NAME} conformance [--start "<command>" | --url <base URL>] [options]

Runs every clause of the wire protocol (docs/wire-protocol.md) against a backend: its own
ECommPay sandbox is the backend's Gate, and the sandbox's callbacks go to the backend.
Prints one line per clause, "ok|FAIL|skip  §<section>  <clause>  [what differed]", then
"N passed, N failed, N skipped".

Options:
  --start "<command>"   start the backend with this shell command, with ECOMMPAY_GATE_URL,
                        ECOMMPAY_PAYMENT_PAGE_URL, ECOMMPAY_PROJECT_ID, ECOMMPAY_SECRET_KEY,
                        PUBLIC_URL and PORT in its environment; the kit waits for it to answer,
                        restarts it for the restart clauses and stops it at the end
  --url <base URL>      the backend's base URL (default with --start: http://127.0.0.1:<port>);
                        without --start the backend must already run, with its Gate URL at
                        the kit's sandbox (--sandbox-port), and the restart clauses are skipped
  --prefix <path>       the routes' prefix, the element's endpoint (default /cup-qr)
  --project-id <n>      the ECommPay project id (default ECOMMPAY_PROJECT_ID, else 1)
  --secret-key <key>    the project's secret key (default ${SECRET_KEY_ENV}; with --start and
                        none, a random one)
  --payload-key <key>   the backend's own payload key (UTF-8), if it does not derive it
  --sandbox-port <n>    the sandbox's port (default: a free one with --start, else 8090)
  --port <n>            the backend's PORT with --start (default: a free one)
  --only <words>        only the clauses whose section or name contains one of these
                        (comma-separated; repeatable)
  --concurrency <n>     clauses run at once (default 6)
  --json                print one JSON document instead of the lines

The backend must not limit payment starts from 127.0.0.1 during the run (the kit starts
about 150 payments within a minute).

Exit status: 0 every clause passed or was skipped, 1 a clause failed, 2 usage error or
the backend or sandbox could not be started.
`;

type Parsed =
  { ok: true; options: ConformanceOptions; json: boolean } | { ok: false; message: string };

const VALUE_OPTIONS = new Set([
  '--start',
  '--url',
  '--prefix',
  '--project-id',
  '--secret-key',
  '--payload-key',
  '--sandbox-port',
  '--port',
  '--only',
  '--concurrency',
]);

function wholeNumber(name: string, text: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(text)) return `${name} must be a whole number (got ${JSON.stringify(text)})`;
  const value = Number(text);
  return value >= min && value <= max ? value : `${name} must be from ${min} to ${max}`;
}

export function parseConformanceArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Parsed {
  const values = new Map<string, string[]>();
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--json') {
      json = true;
      continue;
    }
    if (!VALUE_OPTIONS.has(name))
      return { ok: false, message: `unknown option ${JSON.stringify(arg)}` };
    const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) return { ok: false, message: `${name} needs a value` };
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const one = (name: string): string | undefined => values.get(name)?.at(-1);
  const options: ConformanceOptions = {};
  const start = one('--start');
  if (start !== undefined) {
    if (start.trim() === '') return { ok: false, message: '--start needs a command' };
    options.start = start;
  }
  const url = one('--url');
  if (url !== undefined) {
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
      return { ok: false, message: `--url must be an http(s) URL (got ${JSON.stringify(url)})` };
    }
    options.url = url;
  }
  if (!options.start && !options.url)
    return { ok: false, message: 'give --start "<command>" or --url <base URL>' };
  const prefix = one('--prefix');
  if (prefix !== undefined) {
    if (prefix !== '' && !/^\/[\x21-\x7e]*$/.test(prefix)) {
      return { ok: false, message: `--prefix must start with "/" (got ${JSON.stringify(prefix)})` };
    }
    options.prefix = prefix;
  }
  const numbers: [string, keyof ConformanceOptions, number, number][] = [
    ['--project-id', 'projectId', 1, Number.MAX_SAFE_INTEGER],
    ['--sandbox-port', 'sandboxPort', 0, 65535],
    ['--port', 'port', 1, 65535],
    ['--concurrency', 'concurrency', 1, 64],
  ];
  for (const [name, key, min, max] of numbers) {
    const text =
      one(name) ??
      (name === '--project-id' ? env.ECOMMPAY_PROJECT_ID?.trim() || undefined : undefined);
    if (text === undefined) continue;
    const value = wholeNumber(name, text, min, max);
    if (typeof value === 'string') return { ok: false, message: value };
    (options as Record<string, unknown>)[key] = value;
  }
  const secretKey = one('--secret-key') ?? (env[SECRET_KEY_ENV] || undefined);
  if (secretKey !== undefined) options.secretKey = secretKey;
  if (!options.secretKey && !options.start) {
    return { ok: false, message: `the secret key is required: --secret-key or ${SECRET_KEY_ENV}` };
  }
  const key = one('--payload-key');
  if (key !== undefined) {
    if (Buffer.byteLength(key, 'utf8') < 16)
      return { ok: false, message: '--payload-key: at least 16 bytes' };
    options.payloadKey = key;
  }
  const only = (values.get('--only') ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (only.length > 0) options.only = only;
  return { ok: true, options, json };
}

export async function conformanceCommand(args: readonly string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(CONFORMANCE_USAGE);
    return EXIT_OK;
  }
  const parsed = parseConformanceArgs(args, io.env);
  if (!parsed.ok) {
    io.stderr(`${NAME} conformance: ${parsed.message}\n\n${CONFORMANCE_USAGE}`);
    return EXIT_USAGE;
  }
  const started = performance.now();
  let results: ClauseResult[];
  try {
    results = await runConformance(parsed.options, (result) => {
      if (!parsed.json) io.stdout(`${formatResult(result)}\n`);
    });
  } catch (error) {
    io.stderr(`${NAME} conformance: cannot run: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  const summary = summarize(results);
  const ms = Math.round(performance.now() - started);
  if (parsed.json) {
    io.stdout(`${JSON.stringify({ ...summary, ms, results }, null, 2)}\n`);
  } else {
    io.stdout(`${formatSummary(summary)} (${(ms / 1000).toFixed(1)} s)\n`);
  }
  return summary.failed > 0 ? EXIT_NO : EXIT_OK;
}
