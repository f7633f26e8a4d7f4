/**
 * The server under test, in its own process (so the clients' work does not share its event
 * loop, and its memory is its own): started by `startServerProcess`, it seeds payments,
 * listens on a free port and answers memory questions over IPC.
 *
 *   mode checkout  the real checkout handler through toNodeHandler, memory or SQLite store
 *   mode bare      a bare node:http server holding each response open with the same heartbeat:
 *                  the floor any Node SSE server pays per stream (the capacity baseline)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCheckout } from '../src/server/checkout.js';
import { toNodeHandler } from '../src/server/node-adapter.js';
import type { Store } from '../src/server/store.js';
import { MemoryStore } from '../src/server/stores/memory.js';
import { openSqliteStore } from '../src/server/stores/sqlite.js';
import { PROJECT_ID, SECRET_KEY, seedPayments, type BenchPayment } from './common.js';

export interface ServerConfig {
  mode: 'checkout' | 'bare';
  store: 'memory' | 'sqlite';
  payments: number;
  heartbeatMs: number;
}

export interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  streams: number;
}

type Message =
  { type: 'ready'; port: number; payments: BenchPayment[] } | { type: 'memory'; memory: Memory };

export interface ServerProcess {
  url: string;
  payments: BenchPayment[];
  /** Memory after a full GC, and the open streams. */
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

/** Forks this file as a server with `config`; resolves once it listens. */
export async function startServerProcess(config: ServerConfig): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: Message['type']): Promise<Message> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: Message): void => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null): void =>
        reject(new Error(`bench server exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = (await next('ready')) as Extract<Message, { type: 'ready' }>;
  return {
    url: `http://127.0.0.1:${ready.port}`,
    payments: ready.payments,
    async memory() {
      const reply = next('memory');
      child.send({ type: 'memory' });
      return ((await reply) as Extract<Message, { type: 'memory' }>).memory;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function serve(config: ServerConfig): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cup-qr-bench-'));
  const store: Store =
    config.store === 'sqlite'
      ? await openSqliteStore({ file: join(dir, 'bench.sqlite') })
      : new MemoryStore();
  const payments = await seedPayments(store, config.payments);
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  // Node's defaults would end idle-looking SSE responses and cap nothing we need.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 60_000;

  let streams = (): number => 0;
  if (config.mode === 'checkout') {
    const checkout = createCheckout({
      projectId: PROJECT_ID,
      secretKey: SECRET_KEY,
      gateUrl: 'http://127.0.0.1:9',
      publicUrl: `http://127.0.0.1:${port}`,
      store,
      // Every bench stream comes from 127.0.0.1: no cap per client address.
      streams: { heartbeatMs: config.heartbeatMs, maxTotal: 100_000, maxPerClient: 100_000 },
    });
    server.on('request', toNodeHandler(checkout));
    streams = () => checkout.stats.streams;
  } else {
    const open = new Set<ServerResponse>();
    server.on('request', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write('retry: 3000\n\n');
      const timer = setInterval(() => res.write(': ping\n\n'), config.heartbeatMs);
      open.add(res);
      res.on('close', () => {
        clearInterval(timer);
        open.delete(res);
      });
    });
    streams = () => open.size;
  }

  process.on('message', (message: { type: string }) => {
    if (message.type !== 'memory') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const usage = process.memoryUsage();
    process.send?.({
      type: 'memory',
      memory: {
        rss: usage.rss,
        heapUsed: usage.heapUsed,
        external: usage.external + usage.arrayBuffers,
        streams: streams(),
      },
    } satisfies Message);
  });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    void store.close().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
  process.send?.({ type: 'ready', port, payments } satisfies Message);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  await serve(JSON.parse(process.argv[2]) as ServerConfig);
}
