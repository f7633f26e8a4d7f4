/**
 * The PHP reference backend (backends/php/) for Node tests: `php -S` with
 * PHP_CLI_SERVER_WORKERS on a free port, its SQLite file in a temp folder, configured by the
 * environment exactly as the README says (ECOMMPAY_GATE_URL, ECOMMPAY_PROJECT_ID,
 * ECOMMPAY_SECRET_KEY, PUBLIC_URL, PORT), against a real sandbox whose callbacks reach it.
 * Start-up is awaited on the server's own "started" line, not a timer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/conformance/backend.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { PROJECT_ID } from './toolkit.js';

export const PHP_ROUTER = fileURLToPath(new URL('../../backends/php/router.php', import.meta.url));
/** The toolkit tests' project, so that their signed callbacks (toolkit.ts) fit this backend. */
export const PHP_PROJECT_ID = PROJECT_ID;
export const PHP_SECRET_KEY = 'php-backend-test-secret';

export interface PhpBackend {
  url: string;
  port: number;
  sandbox: Sandbox;
  dataDir: string;
  /** What the PHP server wrote to stderr (its request log and error_log lines). */
  log: string[];
  /** Stops and starts `php -S` again on the same port and SQLite file. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Spawns `php -S` and resolves once it says it listens. */
export function spawnPhp(
  port: number,
  env: Record<string, string>,
  log: string[],
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('php', ['-S', `127.0.0.1:${port}`, PHP_ROUTER], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: the workers PHP_CLI_SERVER_WORKERS forks stop with it.
      detached: true,
    });
    let started = false;
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      log.push(...text.split('\n').filter(Boolean));
      if (
        !started &&
        /Development Server \(http:\/\/127\.0\.0\.1:\d+\) started/.test(log.join('\n'))
      ) {
        started = true;
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!started) reject(new Error(`php -S exited (${code}): ${log.join('\n')}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGTERM');
  });
}

export async function startPhpBackend(extraEnv: Record<string, string> = {}): Promise<PhpBackend> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'cup-qr-php-'));
  const sandbox = await startSandbox({
    port: 0,
    projects: [
      { id: PHP_PROJECT_ID, secretKey: PHP_SECRET_KEY, callbackUrl: `${url}/cup-qr/callback` },
    ],
    retryDelaysMs: [50, 100, 200],
  });
  const env = {
    PHP_CLI_SERVER_WORKERS: '6',
    ECOMMPAY_GATE_URL: sandbox.url,
    ECOMMPAY_PROJECT_ID: String(PHP_PROJECT_ID),
    ECOMMPAY_SECRET_KEY: PHP_SECRET_KEY,
    PUBLIC_URL: url,
    PORT: String(port),
    CUPQR_DB: join(dataDir, 'cup-qr.sqlite'),
    ...extraEnv,
  };
  const log: string[] = [];
  let child = await spawnPhp(port, env, log);
  // A test process stopped early (a file's time-out) takes the server's process group along.
  const orphanGuard = (): void => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
  };
  process.once('exit', orphanGuard);
  return {
    url,
    port,
    sandbox,
    dataDir,
    log,
    async restart() {
      await stop(child);
      child = await spawnPhp(port, env, log);
    },
    async close() {
      process.off('exit', orphanGuard);
      await stop(child);
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
