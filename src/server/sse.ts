/**
 * Server-sent events for one payment, as a Web `Response` whose body is a `ReadableStream`:
 *
 *   retry: 3000                 how long the browser waits before reconnecting
 *   id: 3                       the payment's `seq`; the browser sends it back as Last-Event-ID
 *   event: status
 *   data: {"paymentId":…}       a PaymentState
 *   : ping                      a comment every `heartbeatMs`, so proxies keep the line open
 *
 * Like better-sse's channel: every open stream is in a set that removes it when the client goes
 * away, and closing a stream frees everything it holds (hub subscription, heartbeat timer).
 * After a final state the stream ends; a browser that reconnects with that state's id gets
 * 204 (see the router), which tells `EventSource` to stop.
 *
 * Bounded: streams are capped per payment, per client (its address as the rate limit counts
 * it, IPv6 by /64) and in all, and each lives at most `maxLifetimeMs` (checked at each
 * heartbeat, each stream's lifetime cut by up to a tenth at random, so streams opened together
 * do not all reconnect together). A stream that has lived its time ends cleanly after a short
 * `retry:`; the browser's `EventSource` reconnects with `Last-Event-ID` and gets what changed.
 */
import { isTerminal } from '../wire/status.js';
import { STATUS_EVENT } from '../wire/routes.js';
import type { Hub } from './hub.js';
import type { PaymentUpdate } from './store.js';
import { toPaymentState } from './view.js';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform: compressing proxies would otherwise buffer the stream.
  'Cache-Control': 'no-cache, no-transform',
  // nginx buffers proxied answers unless told not to.
  'X-Accel-Buffering': 'no',
  // No `Connection: keep-alive`: HTTP/1.1 keeps the line open anyway, and HTTP/2 forbids it.
};

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

/** The `retry:` of a stream that ends because it has lived its time: come back soon. */
const LIFETIME_RETRY_MS = 250;

/** Which cap a new stream would break. */
export type StreamCap = 'payment' | 'client' | 'total';

interface OpenStream {
  paymentId: string;
  close(): void;
}

/** Adds `delta` to the count of `key`, dropping it at zero. */
function count(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

const encoder = new TextEncoder();

export function formatEvent(payment: PaymentUpdate, now: number): string {
  const data = JSON.stringify(toPaymentState(payment, now));
  return `id: ${payment.seq}\nevent: ${STATUS_EVENT}\ndata: ${data}\n\n`;
}

/** Every open stream of one checkout, with the caps. */
export class StreamRegistry {
  readonly #streams = new Set<OpenStream>();
  readonly #perPayment = new Map<string, number>();
  readonly #perClient = new Map<string, number>();
  #timers = 0;

  constructor(
    private readonly hub: Hub,
    private readonly limits: StreamLimits,
    private readonly now: () => number,
  ) {}

  /** Open streams, heartbeat timers and payments with streams, now. */
  get stats(): { streams: number; timers: number; payments: number } {
    return { streams: this.#streams.size, timers: this.#timers, payments: this.#perPayment.size };
  }

  /**
   * The cap one more stream of this payment, for this client (`undefined`: address unknown),
   * would break; `undefined` when it fits.
   */
  capReached(paymentId: string, client: string | undefined): StreamCap | undefined {
    if (this.#streams.size >= this.limits.maxTotal) return 'total';
    if ((this.#perPayment.get(paymentId) ?? 0) >= this.limits.maxPerPayment) return 'payment';
    if (client !== undefined && (this.#perClient.get(client) ?? 0) >= this.limits.maxPerClient) {
      return 'client';
    }
    return undefined;
  }

  /**
   * Opens a stream: subscribes first, then sends the current state (`current`, read after
   * subscribing by `load`), then every newer one the hub brings. `lastSeq` is what the client
   * already has (Last-Event-ID), -1 for nothing; `client` its address key (undefined: unknown).
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
    const endsAt = performance.now() + this.limits.maxLifetimeMs * (1 - Math.random() / 10);
    let sent = lastSeq;
    let closed = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    let unsubscribe: (() => Promise<void>) | undefined;
    const stream: OpenStream = {
      paymentId,
      close: () => {
        if (closed) return;
        closed = true;
        this.#streams.delete(stream);
        count(this.#perPayment, paymentId, -1);
        if (client !== undefined) count(this.#perClient, client, -1);
        if (heartbeat !== undefined) {
          clearInterval(heartbeat);
          this.#timers--;
          heartbeat = undefined;
        }
        void unsubscribe?.().catch(() => {});
        unsubscribe = undefined;
        try {
          controller.close();
        } catch {
          /* already closed or cancelled by the client */
        }
      },
    };
    this.#streams.add(stream);

    const write = (text: string): void => {
      if (closed) return;
      try {
        controller.enqueue(encoder.encode(text));
      } catch {
        stream.close();
      }
    };
    const send = (payment: PaymentUpdate): void => {
      if (closed || payment.seq <= sent) return;
      sent = payment.seq;
      write(formatEvent(payment, this.now()));
      if (isTerminal(payment.status)) stream.close();
    };

    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        // The client went away (the Node bridge cancels the body when the socket closes).
        stream.close();
      },
    });

    try {
      unsubscribe = await this.hub.subscribe(paymentId, send);
      if (closed) {
        await unsubscribe();
        unsubscribe = undefined;
      }
      write(`retry: ${this.limits.retryMs}\n\n`);
      const current = await load();
      if (current) send(current);
    } catch (error) {
      stream.close();
      throw error;
    }
    if (!closed) {
      heartbeat = setInterval(() => {
        if (performance.now() < endsAt) {
          write(': ping\n\n');
          return;
        }
        // Lived its time: the browser comes back soon, with Last-Event-ID.
        write(`retry: ${Math.min(this.limits.retryMs, LIFETIME_RETRY_MS)}\n\n`);
        stream.close();
      }, this.limits.heartbeatMs);
      this.#timers++;
      // A heartbeat alone must not keep a process alive that is otherwise done.
      heartbeat.unref?.();
    }
    return new Response(body, { status: 200, headers: SSE_HEADERS });
  }

  /** Closes every stream (the checkout is closing). */
  closeAll(): void {
    for (const stream of [...this.#streams]) stream.close();
  }
}
