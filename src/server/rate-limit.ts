/**
 * The per-client limit on starting payments (`POST /payments`, `POST /payment-page`): a fixed
 * window per client address, kept in memory, in one process.
 *
 * Memory is bounded: at most `maxClients` windows are kept. Windows live in a `Map` in the
 * order they started (a new window is re-inserted at the end), so the ones that have run out
 * are always at the front and are dropped there, lazily, on the next request: no timer, no
 * sweep of the whole map. When the map is full of live windows the oldest is dropped (that
 * client starts afresh): under a flood from many addresses the limit degrades, it never
 * refuses a client it has not counted.
 *
 * Several instances each count on their own: N instances let a client make N times the limit.
 * Put a shared limit (the load balancer's, a WAF) in front of a fleet.
 */

export interface RateLimit {
  /** Requests a client may make per window. */
  requests: number;
  /** The window's length in milliseconds. */
  windowMs: number;
  /** How many clients' windows are kept at most; default 10,000. */
  maxClients?: number;
}

export const DEFAULT_RATE_LIMIT: Readonly<Required<RateLimit>> = {
  requests: 20,
  windowMs: 60_000,
  maxClients: 10_000,
};

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number; first: boolean };

interface Window {
  start: number;
  count: number;
}

export class RateLimiter {
  readonly #limit: Readonly<Required<RateLimit>>;
  readonly #windows = new Map<string, Window>();

  constructor(limit: RateLimit) {
    const full = { ...DEFAULT_RATE_LIMIT, ...limit };
    for (const name of ['requests', 'windowMs', 'maxClients'] as const) {
      if (!Number.isSafeInteger(full[name]) || full[name] < 1) {
        throw new TypeError(`createCheckout: rateLimit.${name} must be a positive integer`);
      }
    }
    this.#limit = full;
  }

  /** Windows kept now (for tests and monitoring). */
  get size(): number {
    return this.#windows.size;
  }

  /**
   * Counts one request of `key` at `now`. `first` says this is the client's first refusal in
   * its window (worth one log line, not one per request).
   */
  hit(key: string, now: number): RateDecision {
    const { requests, windowMs, maxClients } = this.#limit;
    this.#dropExpired(now);
    let window = this.#windows.get(key);
    if (window && now - window.start >= windowMs) {
      this.#windows.delete(key);
      window = undefined;
    }
    if (!window) {
      while (this.#windows.size >= maxClients) {
        const oldest = this.#windows.keys().next().value as string;
        this.#windows.delete(oldest);
      }
      this.#windows.set(key, { start: now, count: 1 });
      return { ok: true };
    }
    if (window.count < requests) {
      window.count++;
      return { ok: true };
    }
    const first = window.count === requests;
    if (first) window.count++;
    return { ok: false, retryAfterMs: Math.max(0, window.start + windowMs - now), first };
  }

  #dropExpired(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start < this.#limit.windowMs) break;
      this.#windows.delete(key);
    }
  }
}

/**
 * The key a client is counted under: its IPv4 address, or the /64 of an IPv6 address (one
 * subscriber usually holds a whole /64, so counting single addresses would limit nothing).
 */
export function rateKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (!ip.includes(':')) return ip;
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 counts as two). */
export function expandIpv6(ip: string): string[] | undefined {
  let text = ip.toLowerCase().split('%')[0];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}
