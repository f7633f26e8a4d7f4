/**
 * The command line, `cup-qr-checkout <command>` (bin/cup-qr-checkout.js loads this file).
 *
 * Each command is one entry of {@link COMMANDS}, in its own file under commands/: a summary for
 * the usage text and an async function from its arguments to an exit code. Commands talk only
 * through a {@link CliIO} (io.ts), so tests run them in-process with `run(argv, io)`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { conformanceCommand } from './commands/conformance.js';
import { usage as usageOf } from './commands/help.js';
import { reportCommand } from './commands/report.js';
import { sandboxCommand } from './commands/sandbox.js';
import { signCommand } from './commands/sign.js';
import {
  EXIT_NO,
  EXIT_OK,
  EXIT_USAGE,
  NAME,
  SECRET_KEY_ENV,
  type CliIO,
  type Command,
} from './io.js';

export { EXIT_NO, EXIT_OK, EXIT_USAGE, SECRET_KEY_ENV, type CliIO, type Command };

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
  conformance: {
    synopsis: 'conformance --start "<command>" | --url <url> [options]',
    summary: "run the wire protocol's clauses against a backend (exit 1 on a failure)",
    run: conformanceCommand,
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
  return usageOf(COMMANDS);
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
      entry === real(fileURLToPath(new URL('../../bin/cup-qr-checkout.js', import.meta.url))))
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
