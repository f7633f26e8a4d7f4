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
 * another site is refused (origin.ts), then the client's budget is counted (rate-guard.ts). The
 * callback is not Origin-checked: ECommPay posts it server to server, and its signature
 * authenticates it; an allow-list of addresses and a budget can guard it too, off by default
 * (callback-receiver.ts).
 *
 * Everything a client can hold is bounded: a body's size and the time it may take to arrive
 * (http.ts), streams per payment, per client and in all, and each stream's lifetime (sse.ts),
 * the tokens of a payment (tokens.ts), and the log lines refused requests cause
 * (refusal-log.ts).
 */
import { DEFAULT_ROUTE_PREFIX, matchRoute, ROUTES } from '../wire/routes.js';
import { DEFAULT_MAX_CALLBACK_BYTES, handleCallback } from './callback-receiver.js';
import type { TrustProxy } from './client-ip.js';
import type { CheckoutContext } from './context.js';
import { GateClient } from './gate/client.js';
import {
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  HttpError,
  setBodyDeadline,
  type ConnectionInfo,
} from './http.js';
import { logText } from '../shared/log-text.js';
import type { Hub } from './hub.js';
import { MemoryHub } from './hub.js';
import { ipAllowList } from './ip-allow-list.js';
import { originCheck, type AllowedOrigins } from './origin.js';
import { payloadKeyOf } from './payload.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimit } from './rate-limit.js';
import { enforceRateLimit } from './rate-guard.js';
import { handleCreatePayment } from './routes/create-payment.js';
import { handleEvents } from './routes/events.js';
import { DEFAULT_PAYMENT_PAGE_URL, handlePaymentPage } from './routes/payment-page.js';
import { handleStatus } from './routes/status.js';
import { RefusalLog } from './refusal-log.js';
import { refreshPayment, type RefreshResult } from './refresh.js';
import { DEFAULT_STREAM_LIMITS, StreamRegistry, type StreamLimits } from './sse.js';
import { DEFAULT_QR_TIMEOUT_SECONDS } from './state-machine.js';
import type { Store } from './store.js';
import { tokenRulesFor } from './tokens.js';

export const DEFAULT_MAX_ATTEMPTS = 5;

export interface CheckoutOptions {
  /** The ECommPay project id. */
  projectId: number;
  /**
   * The project's secret key: signs Gate requests, verifies callbacks, derives the payload key.
   * With a `gateUrl` that is not a sandbox on this machine (`127.x.x.x`, `[::1]`, `localhost`),
   * the sandbox's public demo key and keys under 16 characters are refused.
   */
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
  /**
   * How long a request body may take to arrive, from when the request reached the handler;
   * default 10000 ms. Past it: 408 `request-timeout`, and the connection is closed.
   */
  bodyTimeoutMs?: number;
  /**
   * Largest callback body; default 16 KiB (a real callback is about 1 KiB). Beyond it, 413
   * `too-large` before the rest is read.
   */
  maxCallbackBytes?: number;
  /**
   * Callbacks per client address (`trustProxy` decides the address) and window; default off.
   * Beyond it, 429 `rate-limited` with `Retry-After`, which ECommPay retries. Set it well above
   * your busiest minute: every callback of the platform comes from a few addresses.
   */
  callbackRateLimit?: RateLimit | false;
  /**
   * The addresses that may post callbacks (ECommPay's: ask its support for the list), as IPv4
   * or IPv6 addresses and CIDR blocks (`['203.0.113.0/24']`); `trustProxy` decides the
   * address. Default: any. Others get 403 `address-refused`, before their body is read.
   */
  callbackAllowedIps?: readonly string[];
  /** The QR timeout assumed when a callback does not say it; default 600 s. */
  defaultQrTimeoutSeconds?: number;
  /**
   * Heartbeat, retry, the caps on open streams (per payment, per client address, in all; 429
   * `too-many-streams` beyond) and a stream's lifetime; see {@link StreamLimits}.
   */
  streams?: Partial<StreamLimits>;
  /** Unix ms now; for tests. */
  now?: () => number;
  /**
   * A log line for what answers do not show (Gate's details, refused callbacks). Outside text
   * in it is escaped and cut; refused requests make at most 10 lines a minute per reason, then
   * one line with how many more there were.
   */
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
   * are late or lost), when the answer is signed. A final state never changes: when Gate's
   * answer contradicts it, the result's `disagreement` says so (check that payment by hand,
   * SECURITY.md). `undefined` for a payment this store does not know.
   *
   * @throws GateError when Gate cannot answer.
   */
  refresh(paymentId: string): Promise<RefreshResult | undefined>;
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

/** The largest delay timers honour; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** `value` if it is a whole number from 1 to `max`, else a TypeError naming the option. */
function checkPositive(name: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max) {
    return value;
  }
  throw new TypeError(
    `createCheckout: ${name} must be a whole number from 1 to ${max} (got ${typeof value === 'number' ? value : typeof value})`,
  );
}

/** The stream limits, defaults filled in, each checked. */
function checkStreamLimits(given: Partial<StreamLimits> = {}): StreamLimits {
  for (const name of Object.keys(given)) {
    if (!(name in DEFAULT_STREAM_LIMITS)) {
      throw new TypeError(
        `createCheckout: streams.${logText(name, 40)} is not a stream limit (${Object.keys(DEFAULT_STREAM_LIMITS).join(', ')})`,
      );
    }
  }
  const limits = { ...DEFAULT_STREAM_LIMITS, ...given };
  for (const name of Object.keys(DEFAULT_STREAM_LIMITS) as (keyof StreamLimits)[]) {
    const timer = name === 'heartbeatMs' || name === 'retryMs';
    checkPositive(`streams.${name}`, limits[name], timer ? MAX_TIMER_MS : undefined);
  }
  return limits;
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

function checkMaxCallbackBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_CALLBACK_BYTES;
  if (Number.isSafeInteger(value) && value >= 1024) return value;
  throw new TypeError(
    `createCheckout: maxCallbackBytes must be a whole number of bytes, at least 1024 (got ${String(value)})`,
  );
}

/**
 * The guards of the routes that start payments, before anything is read: the page's origin
 * (403 `origin-refused`), then the client's budget (429 `rate-limited`, `Retry-After`).
 */
function guardStart(ctx: CheckoutContext, request: Request, info: ConnectionInfo): void {
  ctx.checkOrigin(request);
  if (!ctx.rateLimiter) return;
  enforceRateLimit(ctx, ctx.rateLimiter, request, info, {
    did: 'started too many payments',
    refusal: 'Too many payments started from this address',
  });
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
  const publicUrl = checkUrl('publicUrl', options.publicUrl);
  // It is signed into every sale and Payment Page link (merchant_callback_url).
  if (publicUrl.includes(';')) {
    throw new TypeError('createCheckout: publicUrl must not contain ";" (it is signed)');
  }
  const limits = checkStreamLimits(options.streams);
  const bodyTimeoutMs = checkPositive(
    'bodyTimeoutMs',
    options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    MAX_TIMER_MS,
  );
  const log = options.log ?? (() => {});
  const refusals = new RefusalLog((line) => log(line), now);
  const ownHub = options.hub === undefined;
  const hub = options.hub ?? new MemoryHub();
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
    callbackUrl: `${publicUrl}${prefix}${ROUTES.callback}`,
    maxAttempts,
    trustProxy: options.trustProxy ?? false,
    checkOrigin: originCheck(publicUrl, options.allowedOrigins),
    ...(options.rateLimit === false
      ? {}
      : { rateLimiter: new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT) }),
    paymentPageUrl: checkUrl('paymentPageUrl', options.paymentPageUrl ?? DEFAULT_PAYMENT_PAGE_URL),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    bodyTimeoutMs,
    tokenRules: tokenRulesFor(limits.maxLifetimeMs),
    maxCallbackBytes: checkMaxCallbackBytes(options.maxCallbackBytes),
    ...(options.callbackRateLimit
      ? { callbackRateLimiter: new RateLimiter(options.callbackRateLimit) }
      : {}),
    ...(options.callbackAllowedIps !== undefined
      ? { callbackAllowList: ipAllowList(options.callbackAllowedIps) }
      : {}),
    defaultQrTimeoutSeconds: options.defaultQrTimeoutSeconds ?? DEFAULT_QR_TIMEOUT_SECONDS,
    now,
    log,
    logRefusal: (reason, message) => refusals.note(reason, message),
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
    const match = matchRoute(path);
    switch (match?.route) {
      case 'payments':
        if (method !== 'POST') return allow('POST');
        guardStart(ctx, request, info);
        return handleCreatePayment(ctx, request, info);
      case 'callback':
        return method === 'POST' ? handleCallback(ctx, request, info) : allow('POST');
      case 'paymentPage':
        if (method !== 'POST') return allow('POST');
        guardStart(ctx, request, info);
        return handlePaymentPage(ctx, request);
      case 'payment':
      case 'events': {
        if (method !== 'GET') return allow('GET');
        let paymentId: string;
        try {
          paymentId = decodeURIComponent(match.id ?? '');
        } catch {
          throw new HttpError(400, 'bad-request', 'The payment id is not URL-encoded text.');
        }
        return match.route === 'events'
          ? handleEvents(ctx, request, url, paymentId, info)
          : handleStatus(ctx, request, url, paymentId);
      }
    }
    throw new HttpError(404, 'not-found', 'No such route.');
  }

  return {
    async fetch(request, info = {}) {
      // From now: the time a client takes to send its body counts, not the time we wait.
      setBodyDeadline(request, bodyTimeoutMs);
      try {
        return await route(request, info);
      } catch (error) {
        if (error instanceof HttpError) {
          if (error.code === 'request-timeout') {
            ctx.logRefusal('request-timeout', `a request body took over ${bodyTimeoutMs} ms`);
          }
          return error.toResponse();
        }
        // The path only: the query may hold a payment's token.
        const path = new URL(request.url).pathname;
        ctx.log(`${logText(request.method, 16)} ${logText(path)} failed`, error);
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
      refusals.flush();
      if (ownHub) await hub.close();
    },
  };
}
