/**
 * What every command of the command line shares: its exit codes and the {@link CliIO} it talks
 * through (standard input and output, the environment), so tests run commands in-process.
 *
 * Exit codes: 0 done; 1 the answer is "no" (`sign --verify` on a bad signature); 2 the command
 * could not do its job (usage, missing configuration, unreadable input).
 */

/** The program's name, as usage texts and messages write it. */
export const NAME = 'cup-qr-checkout';

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
