/**
 * `cup-qr-checkout help` (also no command, `--help`, `-h`): the list of commands, one line each.
 */
import { NAME, type Command } from '../io.js';

/** The usage text of `commands`. */
export function usage(commands: Readonly<Record<string, Command>>): string {
  const width = Math.max(...Object.values(commands).map((command) => command.synopsis.length));
  const lines = Object.values(commands).map(
    (command) => `  ${command.synopsis.padEnd(width)}  ${command.summary}`,
  );
  return `Usage: ${NAME} <command> [options]

Commands:
${lines.join('\n')}
  ${'help'.padEnd(width)}  show this help (also: ${NAME} <command> --help)

Exit status: 0 done, 1 invalid signature (sign --verify) or a failed clause (conformance),
2 usage or input error.
`;
}
