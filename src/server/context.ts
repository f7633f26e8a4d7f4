/**
 * What every route of one checkout shares: its settings, resolved once by `createCheckout`.
 */
import type { GateClient } from './gate/client.js';
import type { Hub } from './hub.js';
import type { StreamRegistry } from './sse.js';
import type { Store } from './store.js';
import type { TrustProxy } from './client-ip.js';
import type { IpAllowList } from './ip-allow-list.js';
import type { RateLimiter } from './rate-limit.js';
import type { TokenRules } from './tokens.js';

export interface CheckoutContext {
  projectId: number;
  secretKey: string;
  gate: GateClient;
  store: Store;
  hub: Hub;
  streams: StreamRegistry;
  payloadKey: Buffer;
  /** Where ECommPay sends this checkout's callbacks (`general.merchant_callback_url`). */
  callbackUrl: string;
  maxAttempts: number;
  trustProxy: TrustProxy;
  /** Throws 403 `origin-refused` for a browser page of a site that may not start payments. */
  checkOrigin: (request: Request) => void;
  /** Counts payment starts per client; undefined when `rateLimit: false`. */
  rateLimiter?: RateLimiter;
  paymentPageUrl: string;
  maxBodyBytes: number;
  /** How long a request body may take to arrive (408 `request-timeout` after). */
  bodyTimeoutMs: number;
  /** How tokens of a running attempt are issued again (tokens.ts). */
  tokenRules: TokenRules;
  /** Largest callback body. */
  maxCallbackBytes: number;
  /** Counts callbacks per client; undefined unless `callbackRateLimit` is set. */
  callbackRateLimiter?: RateLimiter;
  /** Who may post callbacks; undefined (anyone) unless `callbackAllowedIps` is set. */
  callbackAllowList?: IpAllowList;
  defaultQrTimeoutSeconds: number;
  now: () => number;
  /**
   * Things worth a log line that the answer does not show (Gate's details, store failures).
   * Outside text in a message goes through `logText` (escaped, cut).
   */
  log: (message: string, error?: unknown) => void;
  /**
   * A log line about a refused request, at most a few per `reason` and minute
   * (refusal-log.ts); `reason` is a fixed word of ours (`rate-limited`, `bad-signature`...).
   */
  logRefusal: (reason: string, message: string) => void;
}
