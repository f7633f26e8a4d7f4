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
 */
import { isTerminal } from '../protocol/status.js';
import { STATUS_EVENT } from '../protocol/wire.js';
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
  heartbeatMs: number;
  retryMs: number;
  maxPerPayment: number;
  maxTotal: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  heartbeatMs: 15_000,
  retryMs: 3_000,
  maxPerPayment: 8,
  maxTotal: 10_000,
};

interface OpenStream {
  paymentId: string;
  close(): void;
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

  /** Whether one more stream of this payment fits under the caps. */
  hasRoom(paymentId: string): boolean {
    return (
      this.#streams.size < this.limits.maxTotal &&
      (this.#perPayment.get(paymentId) ?? 0) < this.limits.maxPerPayment
    );
  }

  /**
   * Opens a stream: subscribes first, then sends the current state (`current`, read after
   * subscribing by `load`), then every newer one the hub brings. `lastSeq` is what the client
   * already has (Last-Event-ID), -1 for nothing.
   */
  async open(
    paymentId: string,
    lastSeq: number,
    load: () => Promise<PaymentUpdate | undefined>,
  ): Promise<Response> {
    // Counted before any await, so concurrent opens cannot overshoot the caps.
    this.#perPayment.set(paymentId, (this.#perPayment.get(paymentId) ?? 0) + 1);
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
        const left = (this.#perPayment.get(paymentId) ?? 1) - 1;
        if (left > 0) this.#perPayment.set(paymentId, left);
        else this.#perPayment.delete(paymentId);
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
      heartbeat = setInterval(() => write(': ping\n\n'), this.limits.heartbeatMs);
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
