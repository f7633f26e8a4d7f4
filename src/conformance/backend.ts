/**
 * The backend under test as a child process (`--start "<shell command>"`): spawned through the
 * shell with the kit's configuration in its environment (ECOMMPAY_GATE_URL: the kit's sandbox,
 * ECOMMPAY_PROJECT_ID, ECOMMPAY_SECRET_KEY, PUBLIC_URL, PORT, and ECOMMPAY_PAYMENT_PAGE_URL),
 * awaited until it answers HTTP, stopped (its whole process group) and started again for the
 * restart clauses. Its output is kept (the last lines) to say why it did not come up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface BackendProcessOptions {
  command: string;
  env: Record<string, string>;
  /** Any HTTP answer from this URL means the backend is up. */
  readyUrl: string;
  /** How long a start may take; default 60 s. */
  startTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1, for the backend's PORT. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export class BackendProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #output: string[] = [];

  constructor(private readonly options: BackendProcessOptions) {}

  /** The last lines the backend printed (stdout and stderr). */
  get output(): string {
    return this.#output.join('').split('\n').slice(-30).join('\n');
  }

  async start(): Promise<void> {
    const child = spawn(this.options.command, {
      shell: true,
      detached: true,
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    let exitCode: number | null | undefined;
    this.#exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        exitCode = code;
        resolve();
      });
      child.on('error', () => resolve());
    });
    const keep = (chunk: Buffer): void => {
      this.#output.push(chunk.toString('utf8'));
      if (this.#output.length > 200) this.#output.splice(0, 100);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (exitCode !== undefined) {
        throw new Error(`the backend exited (code ${exitCode}) before answering:\n${this.output}`);
      }
      if (await this.#answers()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `the backend did not answer ${this.options.readyUrl} in time:\n${this.output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGTERM to its process group, SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const signal = (name: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 10_000);
    await this.#exited;
    // The shell may exit before the server it started: wait until nothing answers any more,
    // so that the next start's readiness is the new server's, not the old one's.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await this.#answers())) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    signal('SIGKILL');
    clearTimeout(timer);
    this.#child = undefined;
  }

  async #answers(): Promise<boolean> {
    try {
      await fetch(this.options.readyUrl, { signal: AbortSignal.timeout(2000) });
      return true;
    } catch {
      return false;
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
