/**
 * A route's per-client rate limit, enforced: the client's address (as `trustProxy` decides it,
 * IPv6 by its /64) counted by a {@link RateLimiter}; over the limit, 429 `rate-limited` with
 * `Retry-After` in seconds, and one log line per client and window, not one per request.
 * Payment starts always have one; the callback route when `callbackRateLimit` is set.
 */
import { clientIp } from './client-ip.js';
import type { CheckoutContext } from './context.js';
import { HttpError, type ConnectionInfo } from './http.js';
import { logText } from '../shared/log-text.js';
import { rateKey, type RateLimiter } from './rate-limit.js';

/** Addresses that are the shop's own proxy when `trustProxy` is not set. */
const LOCAL_ADDRESS = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd])/i;

export interface RateGuardText {
  /** What the client did too often, for the log: `started too many payments`. */
  did: string;
  /** The answer's message before the wait: `Too many payments started from this address`. */
  refusal: string;
}

/** Counts one request; throws 429 `rate-limited` when the client is over the limit. */
export function enforceRateLimit(
  ctx: CheckoutContext,
  limiter: RateLimiter,
  request: Request,
  info: ConnectionInfo,
  text: RateGuardText,
): void {
  const ip = clientIp(request.headers, info.remoteAddress, ctx.trustProxy);
  const key = rateKey(ip);
  const decision = limiter.hit(key, ctx.now());
  if (decision.ok) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  if (decision.first) {
    const proxied = ctx.trustProxy === false && LOCAL_ADDRESS.test(ip ?? '');
    ctx.logRefusal(
      'rate-limited',
      `rate limit: ${logText(key)} ${text.did}; refused for ${seconds} s` +
        (proxied ? ' (a proxy of yours? set trustProxy, or every client shares its budget)' : ''),
    );
  }
  throw new HttpError(429, 'rate-limited', `${text.refusal}; try again in ${seconds} s.`, [], {
    'Retry-After': String(seconds),
  });
}
