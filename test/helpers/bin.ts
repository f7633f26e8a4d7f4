/**
 * The real `cup-qr-checkout` bin in a child process, as a shell runs it: stdin piped in, the
 * exit code and both outputs collected.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/cup-qr-checkout.js', import.meta.url));

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the bin with `args` and `stdin`. `env` is added to this process's environment, without
 * its ECOMMPAY_SECRET_KEY and CUP_QR_DB unless `env` sets them.
 */
export function runBin(
  args: string[],
  stdin = '',
  env: Record<string, string> = {},
): Promise<Exit> {
  const childEnv: Record<string, string | undefined> = { ...process.env };
  delete childEnv.ECOMMPAY_SECRET_KEY;
  delete childEnv.CUP_QR_DB;
  Object.assign(childEnv, env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // The command may exit before reading stdin (a missing key, a usage error): EPIPE is expected.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}
