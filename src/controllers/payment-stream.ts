/**
 * The live result of one payment: the merchant server's event stream (`EventSource` on
 * `{endpoint}/payments/:id/events?token=…`), reconnected when it drops, replaced by polling
 * `{endpoint}/payments/:id?token=…` when it keeps failing, and resynced when the device comes
 * back online or the tab becomes visible. Every state is validated with `parsePaymentState`;
 * a state of another payment, or with a `seq` not above the last one seen, is dropped, so the
 * host sees each change once whatever the reconnects and duplicate pushes. This is the
 * client's only filter of `seq` and payment id: the state `POST /payments` answered with goes
 * through it too (`connect(target, known)`). Everything it opens is closed in
 * `hostDisconnected`.
 *
 * A bad backend never leaves it waiting: a state it cannot use (a `data:` that is not JSON, or
 * JSON that `parsePaymentState` refuses, or such a status JSON) is dropped, and the state is
 * asked for again (one GET of the status URL, unless polling does that anyway); after
 * `INVALID_ANSWERS_BEFORE_ERROR` of them in a row, with no new state between them, the payment
 * is given up as an `invalid-response` failure naming the wrong field, and everything is closed.
 * A valid state of another payment or with an old `seq` neither counts nor resets the count.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { parsePaymentState, type PaymentState } from '../wire/payment-state.js';
import { isTerminal } from '../wire/status.js';
import { STATUS_EVENT } from '../wire/routes.js';
import {
  errorOf,
  invalidResponse,
  paymentUrl,
  readAnswer,
  type PaymentTarget,
} from '../element/merchant-api.js';
import type { Problem } from '../wire/problems.js';
import { realClock, type Clock } from './clock.js';

export interface PaymentStreamOptions {
  /** How long the link may be down before the host shows a reconnecting notice. */
  noticeAfterMs: number;
  /** Failed stream connections in a row before falling back to polling. */
  pollAfterFailures: number;
  /** Time between two polls of the status URL. */
  pollIntervalMs: number;
  /** Delays before reopening a stream the browser gave up on (the last one repeats). */
  retryDelaysMs: readonly number[];
  /** While polling, how often to try the stream again. */
  streamRetryWhilePollingMs: number;
  clock: Clock;
  /** Injectable for tests; the browser's by default. */
  EventSource: typeof EventSource;
  fetch: typeof fetch;
}

export interface PaymentStreamCallbacks {
  /** A new, valid state of the payment (seq above every earlier one). */
  onState(state: PaymentState): void;
  /** The link has been down longer than `noticeAfterMs` (true), or is back (false). */
  onConnectionChange?(reconnecting: boolean): void;
  /**
   * No point going on: the server refused the payment's URLs (4xx other than 408 and 429,
   * `httpStatus` set), or kept sending states the element cannot use (`invalid-response`,
   * `field` the first wrong one). Everything is closed by then.
   */
  onFatal?(failure: StreamFailure): void;
}

export interface StreamFailure {
  code: string;
  message: string;
  /** Of an `invalid-response`: the first wrong field of the state (`qr.expiresInSeconds`). */
  field?: string;
  /** Of a refusal: its HTTP status. */
  httpStatus?: number;
}

/**
 * Invalid states (stream `data:` or status JSON) in a row, with no new valid state between
 * them, before the element gives the payment up as `invalid-response`: the first one and two
 * more asks, so that one garbled message alone never ends a payment.
 */
export const INVALID_ANSWERS_BEFORE_ERROR = 3;

/** What a `data:` that is not JSON is, in the words of every invalid answer. */
const NOT_JSON: Problem = { path: '', message: 'the answer is not JSON' };

/** `EventSource.readyState` values (not read from the global: it may be injected). */
const OPEN = 1;
const CLOSED = 2;

export type StreamMode = 'closed' | 'stream' | 'polling';

export const DEFAULT_STREAM_OPTIONS: Omit<PaymentStreamOptions, 'clock' | 'EventSource' | 'fetch'> =
  {
    noticeAfterMs: 3000,
    pollAfterFailures: 3,
    pollIntervalMs: 3000,
    retryDelaysMs: [500, 1000, 2000, 5000],
    streamRetryWhilePollingMs: 30000,
  };

export class PaymentStreamController implements ReactiveController {
  /** The highest `seq` seen for the current payment, -1 before any. */
  lastSeq = -1;
  mode: StreamMode = 'closed';
  /** The link has been down longer than `noticeAfterMs` (the host is updated when it changes). */
  reconnecting = false;

  readonly #host: ReactiveControllerHost;
  readonly #callbacks: PaymentStreamCallbacks;
  #options: PaymentStreamOptions;
  #target: PaymentTarget | undefined;
  #source: EventSource | undefined;
  /** The stream has delivered a message since it was opened. */
  #sourceLive = false;
  #failures = 0;
  #downSince: number | undefined;
  #noticeTimer: unknown;
  #retryTimer: unknown;
  #pollTimer: unknown;
  #pollAbort: AbortController | undefined;
  /** Invalid states in a row since the last new one. */
  #invalid = 0;
  /** The GET that asks again after an invalid state (when not polling anyway). */
  #checkTimer: unknown;
  #listening = false;
  #finished = false;
  #hostIsConnected = false;

  constructor(
    host: ReactiveControllerHost,
    callbacks: PaymentStreamCallbacks,
    options: Partial<PaymentStreamOptions> = {},
  ) {
    this.#host = host;
    this.#callbacks = callbacks;
    this.#options = this.#withDefaults(options);
    host.addController(this);
  }

  /** Changes timings or injected globals; takes effect on the next connection. */
  configure(options: Partial<PaymentStreamOptions>): void {
    this.#options = { ...this.#options, ...options };
  }

  /**
   * Follows `target`, from scratch. `known`, a state the server already gave (the answer of
   * `POST /payments`), goes through the same filter first; a final one opens nothing.
   */
  connect(target: PaymentTarget, known?: PaymentState): void {
    this.#close();
    this.#target = target;
    this.lastSeq = -1;
    this.#finished = false;
    this.#failures = 0;
    this.#invalid = 0;
    if (known) this.#accept(known);
    // The host may have moved on while it was told (a listener started another attempt).
    if (this.#target !== target || this.#finished) return;
    // A detached host opens nothing: `hostConnected` does, when it is attached.
    if (this.#hostIsConnected) this.#open();
  }

  /** Stops following the payment and forgets it. */
  disconnect(): void {
    this.#close();
    this.#target = undefined;
  }

  /** Asks the server for the current state now (a single GET), whatever the mode. */
  resync(): void {
    if (!this.#target || this.#finished) return;
    void this.#poll(false);
    if (this.mode === 'stream' && this.#source?.readyState !== OPEN) {
      this.#reopen();
    }
  }

  hostConnected(): void {
    this.#hostIsConnected = true;
    if (this.#target && !this.#finished && this.mode === 'closed') this.#open();
  }

  hostDisconnected(): void {
    this.#hostIsConnected = false;
    this.#close();
  }

  #withDefaults(options: Partial<PaymentStreamOptions>): PaymentStreamOptions {
    return {
      ...DEFAULT_STREAM_OPTIONS,
      clock: realClock,
      EventSource: globalThis.EventSource,
      fetch: (input, init) => globalThis.fetch(input, init),
      ...options,
    };
  }

  #open(): void {
    this.#listen(true);
    this.mode = 'stream';
    this.#openSource();
  }

  #openSource(): void {
    if (!this.#target) return;
    this.#closeSource();
    const source = new this.#options.EventSource(paymentUrl(this.#target, 'events'));
    this.#source = source;
    this.#sourceLive = false;
    source.addEventListener(STATUS_EVENT, (event) => {
      if (source !== this.#source) return;
      this.#onMessage((event as MessageEvent<string>).data);
    });
    // Open is enough to call the link up: a browser that reconnects with Last-Event-ID gets
    // no replay when nothing changed, so no message may follow for a long time.
    source.addEventListener('open', () => {
      if (source !== this.#source) return;
      this.#onSourceOpen();
    });
    source.addEventListener('error', () => {
      if (source !== this.#source) return;
      this.#onSourceError(source);
    });
  }

  #onSourceOpen(): void {
    if (!this.#sourceLive) {
      this.#sourceLive = true;
      this.#failures = 0;
      if (this.mode === 'polling') {
        // The stream works again: polling stops, and one poll covers what it may have missed.
        this.#stopPolling();
        this.mode = 'stream';
        void this.#poll(false);
      }
    }
    this.#linkUp();
  }

  #onMessage(data: string): void {
    this.#onSourceOpen();
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.#reject([NOT_JSON]);
      return;
    }
    this.#deliver(json);
  }

  #onSourceError(source: EventSource): void {
    this.#sourceLive = false;
    this.#failures++;
    this.#linkDown();
    if (this.mode === 'polling') {
      // A trial of the stream while polling failed: keep polling, try again later.
      this.#closeSource();
      this.#scheduleRetry(this.#options.streamRetryWhilePollingMs);
      return;
    }
    if (this.#failures >= this.#options.pollAfterFailures) {
      this.#closeSource();
      this.#startPolling();
      this.#scheduleRetry(this.#options.streamRetryWhilePollingMs);
      return;
    }
    // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up
    // (an HTTP error, a wrong content type); open a new one after a delay.
    if (source.readyState === CLOSED) {
      this.#closeSource();
      const delays = this.#options.retryDelaysMs;
      this.#scheduleRetry(delays[Math.min(this.#failures - 1, delays.length - 1)] ?? 1000);
    }
  }

  #scheduleRetry(ms: number): void {
    this.#cancel(this.#retryTimer);
    this.#retryTimer = this.#options.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#finished && this.#target) this.#openSource();
    }, ms);
  }

  #reopen(): void {
    this.#retryTimer = this.#cancel(this.#retryTimer);
    this.#openSource();
  }

  #startPolling(): void {
    if (this.mode === 'polling') return;
    this.mode = 'polling';
    void this.#poll(true);
  }

  #stopPolling(): void {
    this.#pollTimer = this.#cancel(this.#pollTimer);
  }

  /** One GET of the status URL; `chain` schedules the next poll. */
  async #poll(chain: boolean): Promise<void> {
    const target = this.#target;
    if (!target) return;
    if (chain) this.#pollTimer = undefined;
    const abort = new AbortController();
    this.#pollAbort?.abort();
    this.#pollAbort = abort;
    try {
      const response = await this.#options.fetch(paymentUrl(target), {
        headers: { accept: 'application/json' },
        cache: 'no-store',
        signal: abort.signal,
      });
      if (target !== this.#target) return;
      const body: unknown = await response.json().catch(() => NOT_JSON);
      if (target !== this.#target) return;
      if (response.ok) {
        if (this.mode === 'polling') this.#linkUp();
        if (body === NOT_JSON) this.#reject([NOT_JSON]);
        else this.#deliver(body);
      } else if (
        response.status >= 400 &&
        response.status < 500 &&
        response.status !== 408 &&
        response.status !== 429
      ) {
        const error = errorOf(body);
        this.#close();
        this.#callbacks.onFatal?.({
          code: error.code ?? String(response.status),
          message: error.message ?? response.statusText,
          httpStatus: response.status,
        });
        return;
      } else if (this.mode === 'polling') {
        this.#linkDown();
      }
    } catch {
      if (abort.signal.aborted || target !== this.#target) return;
      if (this.mode === 'polling') this.#linkDown();
    } finally {
      if (this.#pollAbort === abort) this.#pollAbort = undefined;
    }
    if (chain && this.mode === 'polling' && !this.#finished && target === this.#target) {
      this.#pollTimer = this.#options.clock.setTimeout(
        () => void this.#poll(true),
        this.#options.pollIntervalMs,
      );
    }
  }

  /** What the server sent: a valid state goes on, anything else counts towards giving up. */
  #deliver(json: unknown): void {
    const parsed = readAnswer(json, parsePaymentState);
    if (parsed.ok) this.#accept(parsed.value);
    else this.#reject(parsed.problems);
  }

  /**
   * A state the element cannot use: asked for again (a GET, after the retry delay of this
   * many in a row; polling asks anyway), or, the last of `INVALID_ANSWERS_BEFORE_ERROR`, the
   * end of the payment for the element.
   */
  #reject(problems: readonly Problem[]): void {
    if (!this.#target || this.#finished) return;
    this.#invalid++;
    if (this.#invalid >= INVALID_ANSWERS_BEFORE_ERROR) {
      this.#close();
      this.#callbacks.onFatal?.(invalidResponse(problems));
      return;
    }
    if (this.mode === 'polling' || this.#checkTimer !== undefined) return;
    const delays = this.#options.retryDelaysMs;
    this.#checkTimer = this.#options.clock.setTimeout(
      () => {
        this.#checkTimer = undefined;
        if (this.#target && !this.#finished && this.mode !== 'polling') void this.#poll(false);
      },
      delays[Math.min(this.#invalid - 1, delays.length - 1)] ?? 1000,
    );
  }

  /** A valid state: the host's if it is this payment's and newer than any before. */
  #accept(state: PaymentState): void {
    if (!this.#target || state.paymentId !== this.#target.paymentId) return;
    if (state.seq <= this.lastSeq) return;
    this.lastSeq = state.seq;
    this.#invalid = 0;
    this.#checkTimer = this.#cancel(this.#checkTimer);
    if (isTerminal(state.status)) {
      // Nothing more can happen to this payment: let go of the connection first.
      this.#finished = true;
      this.#close();
    }
    this.#callbacks.onState(state);
  }

  #linkDown(): void {
    if (this.#downSince !== undefined) return;
    const { clock } = this.#options;
    this.#downSince = clock.now();
    this.#noticeTimer = clock.setTimeout(() => {
      this.#noticeTimer = undefined;
      if (this.#downSince === undefined || this.reconnecting) return;
      this.reconnecting = true;
      this.#callbacks.onConnectionChange?.(true);
      this.#host.requestUpdate();
    }, this.#options.noticeAfterMs);
  }

  #linkUp(): void {
    this.#downSince = undefined;
    this.#noticeTimer = this.#cancel(this.#noticeTimer);
    if (this.reconnecting) {
      this.reconnecting = false;
      this.#callbacks.onConnectionChange?.(false);
      this.#host.requestUpdate();
    }
  }

  readonly #onOnline = (): void => this.resync();

  readonly #onVisibility = (): void => {
    if (document.visibilityState === 'visible') this.resync();
  };

  #listen(on: boolean): void {
    if (on === this.#listening) return;
    this.#listening = on;
    const method = on ? 'addEventListener' : 'removeEventListener';
    window[method]('online', this.#onOnline);
    document[method]('visibilitychange', this.#onVisibility);
  }

  /** Clears a timer of the clock (none: nothing); `undefined`, for the field that held it. */
  #cancel(timer: unknown): undefined {
    if (timer !== undefined) this.#options.clock.clearTimeout(timer);
    return undefined;
  }

  #closeSource(): void {
    this.#source?.close();
    this.#source = undefined;
    this.#sourceLive = false;
  }

  #close(): void {
    this.#closeSource();
    this.#stopPolling();
    this.#pollAbort?.abort();
    this.#pollAbort = undefined;
    this.#retryTimer = this.#cancel(this.#retryTimer);
    this.#noticeTimer = this.#cancel(this.#noticeTimer);
    this.#checkTimer = this.#cancel(this.#checkTimer);
    this.#downSince = undefined;
    this.#listen(false);
    this.mode = 'closed';
    if (this.reconnecting) {
      this.reconnecting = false;
      this.#callbacks.onConnectionChange?.(false);
      this.#host.requestUpdate();
    }
  }
}
