/**
 * Payment tokens: 256 random bits, handed to the element once and stored only as SHA-256, so
 * a copy of the database opens no stream.
 *
 * Checking one: the presented token is hashed and compared, in constant time, with a fixed
 * number of hashes ({@link TOKENS_KEPT}: the payment's, padded with hashes no token has), so an
 * unknown payment and a wrong token do the same work and take the same path.
 *
 * Issuing more: every `POST /payments` of a payload whose attempt is running answers with a new
 * token for it (a second tab, a new code after the old one ran out). Anyone who has the page's
 * payload can do that, so issuing must never push out a token that a shopper's page is using,
 * and must not be free:
 * - Each stored token has the time it was issued and the time it was last used (a stream opened
 *   or a status read with it), written at most once a minute ({@link TOKEN_TOUCH_INTERVAL_MS}).
 *   A token used within {@link TokenRules.inUseMs} (an hour at least, longer than a stream
 *   lives, since each reconnect uses it again) is in use, and is never dropped.
 * - At most {@link TOKENS_KEPT} tokens are kept per attempt. A new one past that replaces the
 *   oldest token that is neither in use nor issued within the last window; when there is none,
 *   the issue is refused (`429 too-many-tokens`) until one frees up.
 * - At most {@link TokenRules.perWindow} tokens are issued per attempt and window (a minute);
 *   more are refused (`429 too-many-tokens`, `Retry-After`).
 * The rule is {@link planTokenIssue}, one function; each store runs it on its own stored times
 * and applies its answer in one atomic step (a transaction, or a compare-and-set script in
 * Redis), so it holds with several server instances sharing one store.
 */
import crypto from 'node:crypto';

/** How many tokens of one attempt are kept at most. */
export const TOKENS_KEPT = 16;

/** A token's last use is written at most this often. */
export const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/** One stored token: its hash, when it was issued and when it was last used (Unix ms). */
export interface StoredToken {
  hash: string;
  issuedAt: number;
  usedAt?: number;
}

export interface TokenRules {
  /** Tokens kept per attempt. */
  kept: number;
  /** Tokens issued per attempt and window, at most. */
  perWindow: number;
  windowMs: number;
  /** A token used within this long is in use: never dropped. */
  inUseMs: number;
}

export const DEFAULT_TOKEN_RULES: Readonly<TokenRules> = {
  kept: TOKENS_KEPT,
  perWindow: 10,
  windowMs: 60_000,
  inUseMs: 60 * 60_000,
};

/** What a store did with a request for one more token. */
export type TokenIssue =
  | { ok: true }
  /** `rate`: too many issued in the window; `full`: every kept token is in use or new. */
  | { ok: false; reason: 'rate' | 'full'; retryAfterMs: number }
  | { ok: false; reason: 'unknown-payment' };

/** What {@link planTokenIssue} decides: the hashes to drop for the new one, or a refusal. */
export type TokenPlan =
  { ok: true; drop: string[] } | { ok: false; reason: 'rate' | 'full'; retryAfterMs: number };

/** A record's `tokenUse` of its stored tokens: those used, by hash, with their last use. */
export function tokenUseOf(tokens: readonly StoredToken[]): { tokenUse?: Record<string, number> } {
  const used = tokens.filter((t) => t.usedAt !== undefined);
  return used.length > 0
    ? { tokenUse: Object.fromEntries(used.map((t) => [t.hash, t.usedAt!])) }
    : {};
}

/** The rules for streams that live up to `maxLifetimeMs`: a reconnect must find its token. */
export function tokenRulesFor(maxLifetimeMs: number): TokenRules {
  return {
    ...DEFAULT_TOKEN_RULES,
    inUseMs: Math.max(DEFAULT_TOKEN_RULES.inUseMs, 2 * maxLifetimeMs + TOKEN_TOUCH_INTERVAL_MS),
  };
}

/**
 * Whether one more token may be issued for an attempt whose stored tokens are `current`
 * (oldest first), and which to drop for it.
 */
export function planTokenIssue(
  current: readonly StoredToken[],
  now: number,
  rules: TokenRules,
): TokenPlan {
  const windowEnd = (t: StoredToken): number => t.issuedAt + rules.windowMs;
  const recent = current.filter((t) => windowEnd(t) > now);
  if (recent.length >= rules.perWindow) {
    const first = Math.min(...recent.map(windowEnd));
    return { ok: false, reason: 'rate', retryAfterMs: Math.max(1, first - now) };
  }
  const over = current.length + 1 - rules.kept;
  if (over <= 0) return { ok: true, drop: [] };
  // Free to drop: not in use, and not issued within the window (so drops never undo the rate).
  const freeAt = (t: StoredToken): number =>
    Math.max(windowEnd(t), t.usedAt === undefined ? 0 : t.usedAt + rules.inUseMs);
  const free = [...current].filter((t) => freeAt(t) <= now).sort((a, b) => a.issuedAt - b.issuedAt);
  if (free.length >= over) return { ok: true, drop: free.slice(0, over).map((t) => t.hash) };
  const next = Math.min(...current.map(freeAt).filter((at) => at > now));
  return { ok: false, reason: 'full', retryAfterMs: Math.max(1, next - now) };
}

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A hash no token has (SHA-256 of nothing is not all zeros): pads the comparison. */
const NO_TOKEN = Buffer.alloc(32);

/**
 * Whether `token` is one of `hashes` (undefined: a payment that does not exist). The hash is
 * compared with {@link TOKENS_KEPT} slots (more when more are stored), every one in constant
 * time, so neither the time taken nor the work done says whether the payment exists, which
 * hash matched or how many there are.
 */
export function tokenMatches(token: string, hashes: readonly string[] | undefined): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = hashes ?? [];
  const slots = Math.max(TOKENS_KEPT, stored.length);
  let match = false;
  for (let i = 0; i < slots; i++) {
    const hash = i < stored.length ? Buffer.from(stored[i], 'hex') : NO_TOKEN;
    const same = hash.length === presented.length ? hash : NO_TOKEN;
    if (crypto.timingSafeEqual(same, presented)) match = true;
  }
  return match;
}
