/**
 * The checkout handler: the merchant side of the wire protocol (DESIGN.md) as one Web
 * `Request -> Response` function, like Hono's core. Next.js route handlers, Bun and Deno use
 * it as it is; Node's `(req, res)`, Express and Fastify go through `toNodeHandler`.
 *
 *   POST {prefix}/payments               start or resume a payment (routes/create-payment.ts)
 *   GET  {prefix}/payments/:id/events    its SSE stream (routes/events.ts)
 *   GET  {prefix}/payments/:id           its state as JSON (routes/status.ts)
 *   POST {prefix}/payment-page           a signed Payment Page link (routes/payment-page.ts)
 *   POST {prefix}/callback               ECommPay's callbacks (callback-receiver.ts)
 *
 * The two routes that start payments are guarded before their body is read: a browser page of
 * another site is refused (origin.ts), then the client's budget is counted (rate-limit.ts). The
 * callback is not: ECommPay posts it server to server, and its signature authenticates it.
 */
import type { PaymentState } from '../protocol/payment-state.js';
import { DEFAULT_ROUTE_PREFIX } from '../protocol/wire.js';
import { handleCallback } from './callback-receiver.js';
import { clientIp, type TrustProxy } from './client-ip.js';
import type { CheckoutContext } from './context.js';
import { GateClient } from './gate-client.js';
import { DEFAULT_MAX_BODY_BYTES, HttpError } from './http.js';
import type { Hub } from './hub.js';
import { MemoryHub } from './hub.js';
import { originCheck, type AllowedOrigins } from './origin.js';
import { payloadKeyOf } from './payload.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, rateKey, type RateLimit } from './rate-limit.js';
import { handleCreatePayment, type ConnectionInfo } from './routes/create-payment.js';
import { handleEvents } from './routes/events.js';
import { DEFAULT_PAYMENT_PAGE_URL, handlePaymentPage } from './routes/payment-page.js';
import { handleStatus } from './routes/status.js';
import { refreshPayment } from './refresh.js';
import { DEFAULT_STREAM_LIMITS, StreamRegistry, type StreamLimits } from './sse.js';
import { DEFAULT_QR_TIMEOUT_SECONDS } from './state-machine.js';
import type { Store } from './store.js';

export const DEFAULT_MAX_ATTEMPTS = 5;

export interface CheckoutOptions {
  /** The ECommPay project id. */
  projectId: number;
  /** The project's secret key: signs Gate requests, verifies callbacks, derives the payload key. */
  secretKey: string;
  /** Gate's base URL; default `https://api.ecommpay.com` (the sandbox's `url` in tests). */
  gateUrl?: string;
  /** How long a Gate request may take; default 15000 ms. */
  gateTimeoutMs?: number;
  /**
   * This server's public base URL, as ECommPay reaches it (`https://shop.example`): callbacks
   * are asked for at `{publicUrl}{prefix}/callback`.
   */
  publicUrl: string;
  /** Where payments are kept: `MemoryStore` for tests, `openSqliteStore({ file })` for real. */
  store: Store;
  /** How state changes reach streams; default a `MemoryHub` (one process). */
  hub?: Hub;
  /** The route prefix, the element's `endpoint`; default `/cup-qr`. */
  prefix?: string;
  /** Payment attempts per order (a new one after each decline or expiry); default 5. */
  maxAttempts?: number;
  /** Whom to believe about the shopper's IP address; default the connection only. */
  trustProxy?: TrustProxy;
  /**
   * Pages of other origins that may start payments (`POST /payments`, `/payment-page`), beside
   * the request's own origin and `publicUrl`'s: exact origins (`['https://m.shop.example']`),
   * or a function deciding alone. A foreign `Origin` gets 403 `origin-refused`; a request with
   * no `Origin` (not a browser) is let through.
   */
  allowedOrigins?: AllowedOrigins;
  /**
   * Payment starts per client address (`trustProxy` decides the address); default 20 per
   * 60 s. Beyond it, 429 `rate-limited` with `Retry-After`. Counted per process. `false`: off.
   */
  rateLimit?: RateLimit | false;
  /** The key payloads are signed with; default one derived from `secretKey`. */
  payloadKey?: string | Uint8Array;
  /** Default `https://paymentpage.ecommpay.com/payment`. */
  paymentPageUrl?: string;
  /** Largest request body; default 64 KiB. */
  maxBodyBytes?: number;
  /** The QR timeout assumed when a callback does not say it; default 600 s. */
  defaultQrTimeoutSeconds?: number;
  /** Heartbeat, retry and the caps on open streams. */
  streams?: Partial<StreamLimits>;
  /** Unix ms now; for tests. */
  now?: () => number;
  /** A log line for what answers do not show (Gate's details, refused callbacks). */
  log?: (message: string, error?: unknown) => void;
  /** A `fetch` for Gate requests (a proxy agent, instrumentation). */
  fetch?: typeof fetch;
}

export interface Checkout {
  /** The handler. `info.remoteAddress` is the connection's address (the shopper's IP). */
  fetch(request: Request, info?: ConnectionInfo): Promise<Response>;
  /** Whether a path is under this checkout's prefix (for middleware that passes others on). */
  matches(pathname: string): boolean;
  /**
   * Asks Gate for a payment's status and applies it as a callback would (for callbacks that
   * are late or lost). `undefined` for a payment this store does not know.
   *
   * @throws GateError when Gate cannot answer.
   */
  refresh(paymentId: string): Promise<PaymentState | undefined>;
  /** Open streams and their timers, for monitoring and leak tests. */
  readonly stats: { streams: number; timers: number; payments: number };
  /** Ends every open stream. The store and a hub you passed in are yours to close. */
  close(): Promise<void>;
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  if (trimmed !== '' && !trimmed.startsWith('/')) {
    throw new TypeError(
      `createCheckout: prefix must start with "/" (got ${JSON.stringify(prefix)})`,
    );
  }
  return trimmed;
}

function checkUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      `createCheckout: ${name} must be an absolute URL (got ${JSON.stringify(value)})`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`createCheckout: ${name} must be an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}

const PAYMENT_ROUTE = /^\/payments\/([^/]+)(\/events)?$/;

/** Addresses that are the shop's own proxy when `trustProxy` is not set. */
const LOCAL_ADDRESS = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd])/i;

/**
 * The guards of the routes that start payments, before anything is read: the page's origin
 * (403 `origin-refused`), then the client's budget (429 `rate-limited`, `Retry-After`).
 */
function guardStart(ctx: CheckoutContext, request: Request, info: ConnectionInfo): void {
  ctx.checkOrigin(request);
  if (!ctx.rateLimiter) return;
  const ip = clientIp(request.headers, info.remoteAddress, ctx.trustProxy);
  const key = rateKey(ip);
  const decision = ctx.rateLimiter.hit(key, ctx.now());
  if (decision.ok) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  if (decision.first) {
    const proxied = ctx.trustProxy === false && LOCAL_ADDRESS.test(ip ?? '');
    ctx.log(
      `rate limit: ${key} started too many payments; refused for ${seconds} s` +
        (proxied ? ' (a proxy of yours? set trustProxy, or every shopper shares its budget)' : ''),
    );
  }
  throw new HttpError(
    429,
    'rate-limited',
    `Too many payments started from this address; try again in ${seconds} s.`,
    [],
    { 'Retry-After': String(seconds) },
  );
}

export function createCheckout(options: CheckoutOptions): Checkout {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createCheckout: options are required');
  }
  if (!options.store) throw new TypeError('createCheckout: store is required');
  const prefix = normalizePrefix(options.prefix ?? DEFAULT_ROUTE_PREFIX);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new TypeError('createCheckout: maxAttempts must be a positive integer');
  }
  const now = options.now ?? Date.now;
  const ownHub = options.hub === undefined;
  const hub = options.hub ?? new MemoryHub();
  const publicUrl = checkUrl('publicUrl', options.publicUrl);
  // It is signed into every sale and Payment Page link (merchant_callback_url).
  if (publicUrl.includes(';')) {
    throw new TypeError('createCheckout: publicUrl must not contain ";" (it is signed)');
  }
  const limits = { ...DEFAULT_STREAM_LIMITS, ...options.streams };
  const streams = new StreamRegistry(hub, limits, now);
  const ctx: CheckoutContext = {
    projectId: options.projectId,
    secretKey: options.secretKey,
    // Its constructor checks projectId, secretKey and gateUrl, with clear messages.
    gate: new GateClient({
      projectId: options.projectId,
      secretKey: options.secretKey,
      ...(options.gateUrl !== undefined ? { gateUrl: options.gateUrl } : {}),
      ...(options.gateTimeoutMs !== undefined ? { timeoutMs: options.gateTimeoutMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
    store: options.store,
    hub,
    streams,
    payloadKey: payloadKeyOf(
      options.payloadKey !== undefined
        ? { payloadKey: options.payloadKey }
        : { secretKey: options.secretKey },
    ),
    callbackUrl: `${publicUrl}${prefix}/callback`,
    maxAttempts,
    trustProxy: options.trustProxy ?? false,
    checkOrigin: originCheck(publicUrl, options.allowedOrigins),
    ...(options.rateLimit === false
      ? {}
      : { rateLimiter: new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT) }),
    paymentPageUrl: checkUrl('paymentPageUrl', options.paymentPageUrl ?? DEFAULT_PAYMENT_PAGE_URL),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    defaultQrTimeoutSeconds: options.defaultQrTimeoutSeconds ?? DEFAULT_QR_TIMEOUT_SECONDS,
    now,
    log: options.log ?? (() => {}),
  };

  const matches = (pathname: string): boolean =>
    prefix === '' || pathname === prefix || pathname.startsWith(`${prefix}/`);

  async function route(request: Request, info: ConnectionInfo): Promise<Response> {
    const url = new URL(request.url);
    if (!matches(url.pathname)) throw new HttpError(404, 'not-found', 'No such route.');
    const path = url.pathname.slice(prefix.length);
    const method = request.method.toUpperCase();
    const allow = (allowed: string): never => {
      throw new HttpError(405, 'method-not-allowed', `Use ${allowed}.`, [], { Allow: allowed });
    };
    if (path === '/payments') {
      if (method !== 'POST') return allow('POST');
      guardStart(ctx, request, info);
      return handleCreatePayment(ctx, request, info);
    }
    if (path === '/callback') {
      return method === 'POST' ? handleCallback(ctx, request) : allow('POST');
    }
    if (path === '/payment-page') {
      if (method !== 'POST') return allow('POST');
      guardStart(ctx, request, info);
      return handlePaymentPage(ctx, request);
    }
    const match = PAYMENT_ROUTE.exec(path);
    if (match) {
      if (method !== 'GET') return allow('GET');
      let paymentId: string;
      try {
        paymentId = decodeURIComponent(match[1]);
      } catch {
        throw new HttpError(400, 'bad-request', 'The payment id is not URL-encoded text.');
      }
      return match[2]
        ? handleEvents(ctx, request, url, paymentId)
        : handleStatus(ctx, request, url, paymentId);
    }
    throw new HttpError(404, 'not-found', 'No such route.');
  }

  return {
    async fetch(request, info = {}) {
      try {
        return await route(request, info);
      } catch (error) {
        if (error instanceof HttpError) return error.toResponse();
        // The path only: the query may hold a payment's token.
        ctx.log(`${request.method} ${new URL(request.url).pathname} failed`, error);
        return new HttpError(
          500,
          'internal',
          'Something went wrong on the shop server.',
        ).toResponse();
      }
    },
    matches,
    refresh: (paymentId) => refreshPayment(ctx, paymentId),
    get stats() {
      return streams.stats;
    },
    async close() {
      streams.closeAll();
      if (ownHub) await hub.close();
    },
  };
}
