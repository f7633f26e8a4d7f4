/**
 * One payment's server-sent event stream, as a Web `Response` whose body is a `ReadableStream`
 * (like better-sse's `Session`; the registry that holds every open one is sse.ts):
 *
 *   retry: 3000                 how long the browser waits before reconnecting
 *   id: 3                       the payment's `seq`; the browser sends it back as Last-Event-ID
 *   event: status
 *   data: {"paymentId":…}       a PaymentState
 *   : ping                      a comment every `heartbeatMs`, so proxies keep the line open
 *
 * {@link PaymentStream.initialize} subscribes to the hub first, then sends the current state,
 * so no change can fall between the two; every newer state the hub brings follows. The hub
 * delivers at least once and in any order (a Redis hub replays after a reconnect), so this is
 * the one place on the server where sequence numbers are filtered: a state whose `seq` the
 * client already has (sent here, or its Last-Event-ID) is dropped ({@link PaymentStream.send}).
 * After a final state the stream ends. A stream that has lived its time ends cleanly after a
 * short `retry:` ({@link PaymentStream.keepAlive}); the browser's `EventSource` reconnects with
 * `Last-Event-ID` and gets what changed.
 */
import { isTerminal } from '../wire/status.js';
import { STATUS_EVENT } from '../wire/routes.js';
import type { Hub } from './hub.js';
import type { StreamLimits } from './sse.js';
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

/** The `retry:` of a stream that ends because it has lived its time: come back soon. */
const LIFETIME_RETRY_MS = 250;

const encoder = new TextEncoder();

/** One `status` event: the payment's state, with its `seq` as the event id. */
export function formatEvent(payment: PaymentUpdate, now: number): string {
  const data = JSON.stringify(toPaymentState(payment, now));
  return `id: ${payment.seq}\nevent: ${STATUS_EVENT}\ndata: ${data}\n\n`;
}

/** What a stream needs of the registry that holds it. */
export interface StreamHost {
  readonly hub: Hub;
  readonly limits: StreamLimits;
  readonly now: () => number;
  /** The stream has closed: it no longer counts against the caps. */
  released(stream: PaymentStream): void;
  /** A heartbeat timer started (+1) or stopped (-1). */
  timers(delta: 1 | -1): void;
}

export class PaymentStream {
  readonly body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  /** The highest `seq` the client has: the last one sent, or its Last-Event-ID (-1: none). */
  #sent: number;
  #closed = false;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  /** When it has lived its time (`performance.now()`), cut by up to a tenth at random. */
  readonly #endsAt: number;

  /**
   * `lastSeq` is what the client already has (Last-Event-ID), -1 for nothing; `client` its
   * address key (undefined: unknown).
   */
  constructor(
    readonly paymentId: string,
    readonly client: string | undefined,
    lastSeq: number,
    private readonly host: StreamHost,
  ) {
    this.#sent = lastSeq;
    // At random, so that streams opened together do not all reconnect together.
    this.#endsAt = performance.now() + host.limits.maxLifetimeMs * (1 - Math.random() / 10);
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      // The client went away (the Node bridge cancels the body when the socket closes).
      cancel: () => this.#onDisconnected(),
    });
  }

  /**
   * Subscribes to the payment's changes, then sends `retry:` and the current state (`load`,
   * read after subscribing), then keeps the line alive. When the hub or `load` fails, the
   * stream is closed and the error thrown.
   */
  async initialize(load: () => Promise<PaymentUpdate | undefined>): Promise<void> {
    try {
      const unsubscribe = await this.host.hub.subscribe(this.paymentId, (payment) =>
        this.send(payment),
      );
      if (this.#closed) await unsubscribe();
      else this.#unsubscribe = unsubscribe;
      this.#write(`retry: ${this.host.limits.retryMs}\n\n`);
      const current = await load();
      if (current) this.send(current);
    } catch (error) {
      this.close();
      throw error;
    }
    if (!this.#closed) this.#keepAlive();
  }

  /** The answer whose body is this stream. */
  response(): Response {
    return new Response(this.body, { status: 200, headers: SSE_HEADERS });
  }

  /**
   * Sends a state the client does not have yet (a higher `seq`); drops any other. A final
   * state ends the stream.
   */
  send(payment: PaymentUpdate): void {
    if (this.#closed || payment.seq <= this.#sent) return;
    this.#sent = payment.seq;
    this.#write(formatEvent(payment, this.host.now()));
    if (isTerminal(payment.status)) this.close();
  }

  /** Frees everything the stream holds (its count, heartbeat, subscription) and ends it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.host.released(this);
    if (this.#heartbeat !== undefined) {
      clearInterval(this.#heartbeat);
      this.host.timers(-1);
      this.#heartbeat = undefined;
    }
    void this.#unsubscribe?.().catch(() => {});
    this.#unsubscribe = undefined;
    try {
      this.#controller.close();
    } catch {
      /* already closed or cancelled by the client */
    }
  }

  /**
   * A `: ping` comment every `heartbeatMs` until the stream has lived its time; then a short
   * `retry:` and the end (checked at each heartbeat).
   */
  #keepAlive(): void {
    const { heartbeatMs, retryMs } = this.host.limits;
    this.#heartbeat = setInterval(() => {
      if (performance.now() < this.#endsAt) {
        this.#write(': ping\n\n');
        return;
      }
      // Lived its time: the browser comes back soon, with Last-Event-ID.
      this.#write(`retry: ${Math.min(retryMs, LIFETIME_RETRY_MS)}\n\n`);
      this.close();
    }, heartbeatMs);
    this.host.timers(1);
    // A heartbeat alone must not keep a process alive that is otherwise done.
    this.#heartbeat.unref?.();
  }

  #write(text: string): void {
    if (this.#closed) return;
    try {
      this.#controller.enqueue(encoder.encode(text));
    } catch {
      this.close();
    }
  }

  #onDisconnected(): void {
    this.close();
  }
}
