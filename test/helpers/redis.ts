/**
 * A real `redis-server` for tests, on a free port of 127.0.0.1, stopped by the test's context.
 * Ready is awaited from the server's own "Ready to accept connections" line and a PING, never
 * a timer. `persistent` keeps an append-only file in a temp dir (fsync on every write), so a
 * restart keeps the data, as a production Redis configured for payments would. Checkout
 * instances sharing it ({@link startInstance}) stand for several servers behind a balancer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createCheckout, type Checkout } from '../../src/server/checkout.js';
import { openRedisHub, type RedisHub } from '../../src/server/hubs/redis.js';
import { toNodeHandler } from '../../src/server/node-adapter.js';
import { createPayload } from '../../src/server/payload.js';
import { openRedisStore } from '../../src/server/stores/redis.js';
import { order, PROJECT_ID, SECRET_KEY, type Created } from './toolkit.js';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** Stops the server (SIGTERM), resolving once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port (and the same data dir when persistent). */
  start(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves when `redis-server` answers PING with PONG. */
function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) {
        socket.destroy();
        if (reply.startsWith('+PONG')) resolve();
        else reject(new Error(`redis-server answered PING with ${reply.trim()}`));
      }
    });
    socket.on('error', reject);
  });
}

function launch(port: number, dir: string | undefined): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  args.push(
    ...(dir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]
      : ['--appendonly', 'no']),
  );
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        child.stdout?.off('data', onData);
        // Keep draining, so a full pipe never blocks the server.
        child.stdout?.resume();
        ping(port).then(() => resolve(child), reject);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)),
    );
  });
}

export async function startRedis(
  t: TestContext,
  options: { persistent?: boolean } = {},
): Promise<RedisServer> {
  const dir = options.persistent ? mkdtempSync(join(tmpdir(), 'cup-qr-redis-')) : undefined;
  let port = 0;
  let child: ChildProcess | undefined;
  // Another process may take the free port before redis-server binds it: try a few.
  for (let tries = 0; ; tries++) {
    port = await freePort();
    try {
      child = await launch(port, dir);
      break;
    } catch (error) {
      if (tries >= 4) throw error;
    }
  }
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    await exited;
  };
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async start() {
      if (child) throw new Error('redis-server is running');
      child = await launch(port, dir);
    },
  };
  t.after(async () => {
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return server;
}

/** A checkout server of several sharing one Redis (store and hub). */
export interface Instance {
  url: string;
  api: string;
  checkout: Checkout;
  hub: RedisHub;
  callbacks: number;
  /** Kills it: streams cut, connections to Redis dropped, the port closed. */
  kill(): Promise<void>;
}

/** A checkout server with its own Redis connections; callbacks asked for at `publicUrl`. */
export async function startInstance(
  t: TestContext,
  redisUrl: string,
  sandbox: Sandbox,
  publicUrl?: string,
): Promise<Instance> {
  const server: Server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s = await openRedisStore({ url: redisUrl });
  const h = await openRedisHub({ url: redisUrl });
  const checkout = createCheckout({
    projectId: PROJECT_ID,
    secretKey: SECRET_KEY,
    gateUrl: sandbox.url,
    publicUrl: publicUrl ?? url,
    store: s,
    hub: h,
  });
  const handler = toNodeHandler(checkout);
  const instance: Instance = {
    url,
    api: `${url}/cup-qr`,
    checkout,
    hub: h,
    callbacks: 0,
    async kill() {
      if (!server.listening) return;
      await checkout.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await h.close();
      await s.close();
    },
  };
  server.on('request', (req, res) => {
    if (req.url?.endsWith('/callback')) instance.callbacks++;
    handler(req, res);
  });
  t.after(() => instance.kill());
  return instance;
}

/** A sandbox whose callbacks go where each sale says (`merchant_callback_url`). */
export async function startPlatform(t: TestContext): Promise<Sandbox> {
  const sandbox = await startSandbox({
    port: 0,
    // The instances listen on ports known only once this platform runs (they need its URL).
    projects: [
      {
        id: PROJECT_ID,
        secretKey: SECRET_KEY,
        callbackUrl: 'http://127.0.0.1:9/',
        allowAnyCallbackUrl: true,
      },
    ],
    qrTimeoutSeconds: 600,
    timeScale: 1,
    retryDelaysMs: [50, 100, 200, 400, 800, 1600, 1600, 1600],
  });
  t.after(() => sandbox.close());
  return sandbox;
}

/** `POST /payments` of a fresh order on an instance. */
export async function startPayment(instance: Instance, ref: string): Promise<Created> {
  const payload = createPayload(order(ref), { secretKey: SECRET_KEY });
  const response = await fetch(`${instance.api}/payments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ payload }),
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`POST /payments: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as Created;
}

/** The events URL of a payment on an instance. */
export const eventsOf = (instance: Instance, created: Created): string =>
  `${instance.api}/payments/${encodeURIComponent(created.paymentId)}/events?token=${encodeURIComponent(created.token)}`;
