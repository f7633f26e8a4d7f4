/**
 * The command line, `cup-qr-checkout <command>` (bin/cup-qr-checkout.js loads this file).
 *
 * Each command is one entry of {@link COMMANDS}: a summary for the usage text and an async
 * function from its arguments to an exit code. Commands talk only through a {@link CliIO}, so
 * tests run them in-process with `run(argv, io)`.
 *
 * Exit codes: 0 done; 1 the answer is "no" (`sign --verify` on a bad signature); 2 the command
 * could not do its job (usage, missing configuration, unreadable input).
 *
 * It is all one file because the lint's layer rules treat `src/cli.ts` alone as Node code
 * that may use the toolkit.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sandboxCommand } from './sandbox/cli.js';
import { depthOver, MAX_JSON_DEPTH } from './server/http.js';
import { reportCommand } from './server/report.js';
import { canonicalString, checkSignature, sign, SignatureError } from './server/signature.js';

export const EXIT_OK = 0;
export const EXIT_NO = 1;
export const EXIT_USAGE = 2;

export const SECRET_KEY_ENV = 'ECOMMPAY_SECRET_KEY';

/** The outside world of a command. */
export interface CliIO {
  /** All of standard input, or how to read it (read only by the commands that need it). */
  stdin: string | (() => Promise<string>);
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  /** `sign [--verify]`: the name and its arguments, for the usage text. */
  synopsis: string;
  summary: string;
  run: (args: readonly string[], io: CliIO) => Promise<number>;
}

const NAME = 'cup-qr-checkout';

const SIGN_USAGE = `Usage: ${NAME} sign [--verify] < message.json

Signs the JSON object on stdin with the project's secret key (env ${SECRET_KEY_ENV}) and
prints it with the signature in general.signature (Gate requests) or, when it has no
"general" object, in a top-level "signature".

  --verify   check the signature the JSON carries instead: prints "valid (<ordering>)"
             and exits 0, or "invalid: <reason>" on stderr and exits 1

Floats are signed as most official ECommPay SDKs write them (1.5); one they write
differently (1e-7) is refused: send it as a string. Amounts are integers (minor units).
`;

export const COMMANDS: Readonly<Record<string, Command>> = {
  sign: {
    synopsis: 'sign [--verify]',
    summary: `sign the JSON on stdin with ${SECRET_KEY_ENV} (--verify: check its signature)`,
    run: signCommand,
  },
  report: {
    synopsis: 'report --db <file> --from <iso> --to <iso> [--format csv|json]',
    summary: 'export payments and callbacks for reconciliation',
    run: (args, io) => reportCommand([...args], io.env, io),
  },
  sandbox: {
    synopsis: 'sandbox',
    summary: 'run the offline ECommPay emulator (SANDBOX_PORT, default 8090)',
    run: (args, io) =>
      sandboxCommand([...args], { ...io.env }, (line) => io.stdout(`${line}\n`), {
        err: (line) => io.stderr(`${line}\n`),
      }),
  },
};

export function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((command) => command.synopsis.length));
  const lines = Object.values(COMMANDS).map(
    (command) => `  ${command.synopsis.padEnd(width)}  ${command.summary}`,
  );
  return `Usage: ${NAME} <command> [options]

Commands:
${lines.join('\n')}
  ${'help'.padEnd(width)}  show this help (also: ${NAME} <command> --help)

Exit status: 0 done, 1 invalid signature (sign --verify), 2 usage or input error.
`;
}

/** Runs one command line (without `node` and the script) and returns its exit code. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage());
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`${NAME}: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    // A bug, not a user error: say so, with the stack to report.
    io.stderr(`${NAME} ${name}: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_NO;
  }
}

async function signCommand(args: readonly string[], io: CliIO): Promise<number> {
  const fail = (message: string): number => {
    io.stderr(`${NAME} sign: ${message}\n`);
    return EXIT_USAGE;
  };
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(SIGN_USAGE);
    return EXIT_OK;
  }
  const unknown = args.filter((arg) => arg !== '--verify');
  if (unknown.length > 0) {
    return fail(`unexpected argument ${JSON.stringify(unknown[0])}\n\n${SIGN_USAGE}`);
  }
  const verifyOnly = args.includes('--verify');

  // Checked before reading stdin, so a forgotten key never leaves the command waiting.
  const secretKey = io.env[SECRET_KEY_ENV];
  if (!secretKey) {
    return fail(
      `${SECRET_KEY_ENV} is not set: export the project's secret key (ECommPay Dashboard, ` +
        `project settings) to ${verifyOnly ? 'verify' : 'sign'}`,
    );
  }

  const input = await readInput(io);
  if (!input.ok) return fail(input.message);
  const data = input.value;

  // Unsignable data (a float the SDKs write differently, a ";" in a value to sign...) is an
  // input error, not an invalid signature. Verifying takes a ";" in a value (genuine callbacks
  // carry them) and needs no agreed float form (every SDK's is tried).
  let signature = '';
  try {
    if (verifyOnly) canonicalString(data, 'natural', 'js');
    else signature = sign(data, secretKey);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    return fail(`cannot ${verifyOnly ? 'verify' : 'sign'} this JSON: ${error.message}`);
  }

  if (verifyOnly) {
    const check = checkSignature(data, secretKey);
    if (!check.valid) {
      io.stderr(`invalid: ${check.reason}\n`);
      return EXIT_NO;
    }
    io.stdout(`valid (${check.ordering} ordering)\n`);
    return EXIT_OK;
  }

  io.stdout(`${JSON.stringify(withSignature(data, signature), null, 2)}\n`);
  return EXIT_OK;
}

type Input = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** The JSON object on stdin, or what is wrong with it. */
async function readInput(io: CliIO): Promise<Input> {
  const raw = typeof io.stdin === 'string' ? io.stdin : await io.stdin();
  // A byte-order mark (Windows editors, PowerShell pipes) is not part of the JSON.
  const text = raw.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    return {
      ok: false,
      message: `stdin is empty: pipe the JSON in, e.g. ${NAME} sign < sale.json`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `stdin is not valid JSON: ${(error as Error).message}` };
  }
  if (!isRecord(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return {
      ok: false,
      message: `the JSON must be an object (a request, a callback), not ${what}`,
    };
  }
  // ECommPay's messages nest a few levels; the signature walks the data recursively.
  if (depthOver(value, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      message: `the JSON nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`,
    };
  }
  return { ok: true, value };
}

/** Gate bodies carry the signature in `general`; callbacks and flat parameters at the top. */
function withSignature(data: Record<string, unknown>, signature: string): Record<string, unknown> {
  if (isRecord(data.general)) return { ...data, general: { ...data.general, signature } };
  return { ...data, signature };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('(reading JSON from stdin; end it with Ctrl-D)\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Whether this module is the program (run by bin/cup-qr-checkout.js or directly), not
 * imported by a test. The bin imports it, so `process.argv[1]` is the bin (through npm's
 * symlink, hence the realpath) or this file itself.
 */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  const real = (path: string): string | undefined => {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  };
  const entry = real(script);
  return (
    entry !== undefined &&
    (entry === real(fileURLToPath(import.meta.url)) ||
      entry === real(fileURLToPath(new URL('../bin/cup-qr-checkout.js', import.meta.url))))
  );
}

if (isMain()) {
  process.exitCode = await run(process.argv.slice(2), {
    stdin: readStdin,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}
