/**
 * The merchant side for toolkit tests: a real `node:http` server on 127.0.0.1 running the
 * checkout through `toNodeHandler`, pointed at a real sandbox whose callbacks come back to it
 * over HTTP. Everything is closed by the test's context, so `node --test` exits.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import {
  startSandbox,
  type Sandbox,
  type SandboxOptions,
  type SandboxProject,
} from '../../src/sandbox/index.js';
import { createCheckout, type Checkout, type CheckoutOptions } from '../../src/server/checkout.js';
import { MemoryHub } from '../../src/server/hub.js';
import { toNodeHandler } from '../../src/server/node-adapter.js';
import { createHmac } from 'node:crypto';
import { base64UrlEncodeText, PAYLOAD_VERSION } from '../../src/wire/payload.js';
import {
  createPayload,
  PAYLOAD_DOMAIN,
  payloadKeyOf,
  type Order,
} from '../../src/server/payload.js';
import { signAsPlatform } from '../../src/sandbox/callbacks.js';
import type { Store } from '../../src/server/store.js';
import { MemoryStore } from '../../src/server/stores/memory.js';
import { TEST_CUSTOMER } from './customer.js';
import { openSse } from './sse-client.js';

export const PROJECT_ID = 843;
export const SECRET_KEY = 'toolkit-test-secret';

/**
 * A callback of the test project for one of `order()`'s payments, signed with `key` (the
 * project's own by default), as the platform would send it; `extra` adds or replaces top-level
 * fields before signing.
 */
export function signedCallback(
  paymentId: string,
  status: string,
  { key = SECRET_KEY, extra = {} }: { key?: string; extra?: Record<string, unknown> } = {},
): any {
  const body: Record<string, unknown> = {
    project_id: PROJECT_ID,
    payment: {
      id: paymentId,
      type: 'purchase',
      status,
      method: 'cup-qr',
      sum: { amount: 30000, currency: 'CNY' },
      description: '机械键盘 keyboard',
    },
    operation: {
      id: 77,
      type: 'sale',
      status,
      code: status === 'success' ? '0' : '20000',
      message: 'x',
    },
    ...extra,
  };
  return { ...body, signature: signAsPlatform(body, key) };
}

/**
 * A payload whose body the test writes itself, signed with the project's payload key as a
 * backend in another language would sign it: `createPayload`'s own checks do not apply.
 */
export function foreignPayload(fields: Record<string, unknown>, secretKey = SECRET_KEY): string {
  const encoded = base64UrlEncodeText(JSON.stringify(fields));
  const mac = createHmac('sha256', payloadKeyOf({ secretKey }))
    .update(PAYLOAD_DOMAIN)
    .update(encoded)
    .digest('base64url');
  return `${encoded}.${mac}`;
}

/** The body of `order(ref)`'s payload, for {@link foreignPayload}, valid for ten minutes. */
export function orderFields(
  ref: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const exp = Math.floor(Date.now() / 1000) + 600;
  return { v: PAYLOAD_VERSION, ...order(ref), exp, ...overrides };
}

/** A complete order: every customer field Gate needs (names, city and street in Chinese). */
export function order(ref: string, overrides: Partial<Order> = {}): Order {
  return {
    ref,
    amount: 30000,
    currency: 'CNY',
    description: '机械键盘 keyboard',
    customer: { ...TEST_CUSTOMER },
    returnUrl: 'https://shop.example.com/thanks',
    ...overrides,
  };
}

export interface Shop {
  sandbox: Sandbox;
  checkout: Checkout;
  store: Store;
  hub: MemoryHub;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** `${url}/cup-qr`. */
  api: string;
  payload(ref: string, overrides?: Partial<Order>, ttlSeconds?: number): string;
  /** POST JSON under the prefix; the answer's status and JSON. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  /** Starts a payment for `ref` and returns the 201/200 answer's body. */
  start(ref: string, overrides?: Partial<Order>): Promise<Created>;
  /** Stops the merchant server (the sandbox keeps running and retrying callbacks). */
  stopServer(): Promise<void>;
  /** Starts the merchant server again, on the same port, with a new checkout over `store`. */
  restartServer(store: Store): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export interface Created {
  paymentId: string;
  token: string;
  state: any;
}

export interface ShopOptions {
  store?: Store;
  sandbox?: Partial<SandboxOptions>;
  /** More settings of the shop's sandbox project (`qrFormat`...). */
  project?: Partial<Omit<SandboxProject, 'id' | 'secretKey'>>;
  /** Checkout options, or a function of the sandbox (for URLs known only once it runs). */
  checkout?: Partial<CheckoutOptions> | ((sandbox: Sandbox) => Partial<CheckoutOptions>);
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: kept as text */
  }
  return { status: response.status, headers: response.headers, body };
}

export async function startShop(t: TestContext, options: ShopOptions = {}): Promise<Shop> {
  let store = options.store ?? new MemoryStore();
  const hub = new MemoryHub();
  let checkout: Checkout | undefined;
  let server = createServer();
  const port = await listen(server, 0);
  const url = `http://127.0.0.1:${port}`;
  // The project's callback URL is the checkout's, as it is at ECommPay: the sandbox sends a
  // sale's merchant_callback_url only on that origin.
  const publicUrl =
    (typeof options.checkout === 'object' ? options.checkout.publicUrl : undefined) ?? url;
  const sandbox = await startSandbox({
    port: 0,
    // Callbacks go to the sale's merchant_callback_url; this one is a fallback.
    projects: [
      {
        id: PROJECT_ID,
        secretKey: SECRET_KEY,
        callbackUrl: `${publicUrl}/cup-qr/callback`,
        ...options.project,
      },
    ],
    qrTimeoutSeconds: 600,
    timeScale: 1,
    retryDelaysMs: [50, 100, 200, 400, 800],
    ...options.sandbox,
  });
  const makeCheckout = (): Checkout =>
    createCheckout({
      projectId: PROJECT_ID,
      secretKey: SECRET_KEY,
      gateUrl: sandbox.url,
      publicUrl: url,
      store,
      hub,
      ...(typeof options.checkout === 'function' ? options.checkout(sandbox) : options.checkout),
    });
  const attach = (s: Server, c: Checkout): void => {
    s.on('request', toNodeHandler(c));
  };
  checkout = makeCheckout();
  attach(server, checkout);

  const shop: Shop = {
    sandbox,
    get checkout() {
      return checkout!;
    },
    get store() {
      return store;
    },
    hub,
    url,
    port,
    api: `${url}/cup-qr`,
    payload: (ref, overrides, ttlSeconds) =>
      createPayload(order(ref, overrides), { secretKey: SECRET_KEY, ttlSeconds }),
    async post(path, body, headers = {}) {
      const response = await fetch(`${shop.api}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return reply(response);
    },
    async get(path, headers = {}) {
      return reply(await fetch(`${shop.api}${path}`, { headers }));
    },
    async start(ref, overrides) {
      const answer = await shop.post('/payments', { payload: shop.payload(ref, overrides) });
      if (answer.status !== 201 && answer.status !== 200) {
        throw new Error(`POST /payments: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      return answer.body as Created;
    },
    async stopServer() {
      await checkout?.close();
      checkout = undefined;
      await closeServer(server);
    },
    async restartServer(next) {
      store = next;
      server = createServer();
      checkout = makeCheckout();
      attach(server, checkout);
      await listen(server, port);
    },
  };
  t.after(async () => {
    await checkout?.close();
    await closeServer(server);
    await sandbox.close();
    await store.close();
    await hub.close();
  });
  return shop;
}

/** The events URL of a payment. */
export function eventsUrl(shop: Shop, created: { paymentId: string; token: string }): string {
  return `${shop.api}/payments/${encodeURIComponent(created.paymentId)}/events?token=${encodeURIComponent(created.token)}`;
}

export function statusPath(created: { paymentId: string; token: string }): string {
  return `/payments/${encodeURIComponent(created.paymentId)}?token=${encodeURIComponent(created.token)}`;
}

/** Follows a payment's stream until it shows `status` (an event, not a wait). */
export async function untilStatus(shop: Shop, created: Created, status: string): Promise<void> {
  const client = await openSse(eventsUrl(shop, created));
  await client.waitFor((events) => events.some((e) => e.data.includes(`"${status}"`)), status);
  await client.close();
}
