/**
 * Every open event stream of one checkout (like better-sse's `Channel`: a set of streams that
 * removes a stream when it closes; one stream is a {@link PaymentStream}, payment-stream.ts),
 * with the caps. Closing a stream frees everything it holds (hub subscription, heartbeat timer).
 * After a final state a stream ends; a browser that reconnects with that state's id gets 204
 * (routes/events.ts), which tells `EventSource` to stop.
 *
 * Bounded: streams are capped per payment, per client (its address as the rate limit counts
 * it, IPv6 by /64) and in all, and each lives at most `maxLifetimeMs` (checked at each
 * heartbeat, each stream's lifetime cut by up to a tenth at random, so streams opened together
 * do not all reconnect together).
 */
import type { Hub } from './hub.js';
import { PaymentStream, type StreamHost } from './payment-stream.js';
import type { PaymentUpdate } from './store.js';

export interface StreamLimits {
  /** A `: ping` comment this often, so proxies keep the line open; default 15 s. */
  heartbeatMs: number;
  /** The `retry:` sent first: how long the browser waits before reconnecting; default 3 s. */
  retryMs: number;
  /** Open streams of one payment; default 8. */
  maxPerPayment: number;
  /**
   * Open streams of one client address (IPv6: its /64), as `trustProxy` decides it; default
   * 32. Requests with no known address are not counted per client.
   */
  maxPerClient: number;
  /** Open streams in all; default 10,000. */
  maxTotal: number;
  /** How long one stream stays open before it ends and the browser reconnects; default 30 min. */
  maxLifetimeMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  heartbeatMs: 15_000,
  retryMs: 3_000,
  maxPerPayment: 8,
  maxPerClient: 32,
  maxTotal: 10_000,
  maxLifetimeMs: 30 * 60_000,
};

/** Which cap a new stream would break. */
export type StreamCap = 'payment' | 'client' | 'total';

/** Adds `delta` to the count of `key`, dropping it at zero. */
function count(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

/** Every open stream of one checkout, with the caps. */
export class StreamRegistry {
  readonly #streams = new Set<PaymentStream>();
  readonly #perPayment = new Map<string, number>();
  readonly #perClient = new Map<string, number>();
  #timers = 0;
  readonly #host: StreamHost;

  constructor(hub: Hub, limits: StreamLimits, now: () => number) {
    this.#host = {
      hub,
      limits,
      now,
      released: (stream) => {
        this.#streams.delete(stream);
        count(this.#perPayment, stream.paymentId, -1);
        if (stream.client !== undefined) count(this.#perClient, stream.client, -1);
      },
      timers: (delta) => {
        this.#timers += delta;
      },
    };
  }

  /** Open streams, heartbeat timers and payments with streams, now. */
  get stats(): { streams: number; timers: number; payments: number } {
    return { streams: this.#streams.size, timers: this.#timers, payments: this.#perPayment.size };
  }

  /**
   * The cap one more stream of this payment, for this client (`undefined`: address unknown),
   * would break; `undefined` when it fits.
   */
  capReached(paymentId: string, client: string | undefined): StreamCap | undefined {
    const { limits } = this.#host;
    if (this.#streams.size >= limits.maxTotal) return 'total';
    if ((this.#perPayment.get(paymentId) ?? 0) >= limits.maxPerPayment) return 'payment';
    if (client !== undefined && (this.#perClient.get(client) ?? 0) >= limits.maxPerClient) {
      return 'client';
    }
    return undefined;
  }

  /**
   * Opens a stream ({@link PaymentStream.initialize}: subscribed first, then the current state
   * `load` reads, then every newer one the hub brings). `lastSeq` is what the client already
   * has (Last-Event-ID), -1 for nothing; `client` its address key (undefined: unknown).
   */
  async open(
    paymentId: string,
    client: string | undefined,
    lastSeq: number,
    load: () => Promise<PaymentUpdate | undefined>,
  ): Promise<Response> {
    // Counted before any await, so concurrent opens cannot overshoot the caps.
    count(this.#perPayment, paymentId, 1);
    if (client !== undefined) count(this.#perClient, client, 1);
    const stream = new PaymentStream(paymentId, client, lastSeq, this.#host);
    this.#streams.add(stream);
    await stream.initialize(load);
    return stream.response();
  }

  /** Closes every stream (the checkout is closing). */
  closeAll(): void {
    for (const stream of [...this.#streams]) stream.close();
  }
}
