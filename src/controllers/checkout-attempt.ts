/**
 * The payment attempts of one `<cup-qr-checkout>`: the element's `status` and everything that
 * decides it. It starts an attempt through the merchant's server (or resumes the one this tab
 * stored before a reload, or asks for the customer details the payload leaves open first),
 * follows it with the payment stream, runs the QR code's countdown, and fires each final
 * event once per attempt, whatever the reconnects, reloads and duplicate callbacks.
 *
 * The rules it keeps:
 * - A try of the page has an id and an `AbortController` (@lit/task's pattern): a new attempt
 *   or a new payload aborts the older request, and an answer that comes anyway is dropped.
 * - Only the payment stream filters states (their payment id and `seq`), the answer of
 *   `POST /payments` included: every state that arrives here is new and this attempt's.
 * - The countdown reaching zero shows `expired` at once, but the attempt is not over: the
 *   stream stays open and only a final word of the server counts from then on, so a code paid
 *   in its very last second still shows, and fires, `success` (the last-second rule).
 * - The final events (`cup-qr-success`, `-decline`, `-expire`, `-error`) fire once per payment
 *   attempt (its payment id); a failure to reach one (the network, a refusal) once per try.
 *
 * Renewal after a lapsed code: one rule on each side, and they are not the same rule.
 * - The server decides whether a new attempt may open (it has the authority, and Gate): never
 *   while the platform may still take the old one. A code that ran out by its clock is first
 *   settled with Gate's status (`settleLapsedCode` in src/server/routes/create-payment.ts), so
 *   no new code ever waits on a lost time-out callback; while the old attempt is still live
 *   (or Gate cannot say), `POST /payments` answers with that same attempt.
 * - The element decides only what to show meanwhile (`#renewalOf`): asked for a new code after
 *   its own countdown ran out and answered with that same attempt still live, it does not show
 *   the dead code again (it would expire at once, and the click would seem to do nothing). It
 *   waits on the attempt's stream for the final word, the last-second rule applied across the
 *   renewal: a success is shown as one, anything else asks once more, and the server, which has
 *   heard of the end by then, opens the new attempt. Neither part can go: without the server's,
 *   a lost callback would hold the old attempt forever; without the element's, a shopper's "new
 *   code" would bring back the code that just expired.
 */
import type { ReactiveControllerHost } from 'lit';
import {
  keep,
  readLive,
  readPaid,
  storageKey,
  type PaymentSession,
} from '../element/attempt-storage.js';
import { createPayment, messageOf } from '../element/merchant-api.js';
import { readPayloadPreview } from '../element/payload-preview.js';
import {
  CupQrCustomerEvent,
  CupQrDeclineEvent,
  CupQrErrorEvent,
  CupQrExpireEvent,
  CupQrStatusEvent,
  CupQrSuccessEvent,
  type CheckoutStatus,
  type PaymentEventDetail,
} from '../events.js';
import type { ShopperCustomer, ShopperField } from '../wire/shopper-fields.js';
import type { PaymentState } from '../wire/payment-state.js';
import { isTerminal, TERMINAL_STATUSES } from '../wire/status.js';
import type { CreatePaymentBody } from '../wire/routes.js';
import type { Clock } from './clock.js';
import { CountdownController } from './countdown.js';
import { PaymentStreamController } from './payment-stream.js';

/** The element as the attempts see it: where to start, and where the events go. */
export interface CheckoutAttemptHost extends ReactiveControllerHost, EventTarget {
  readonly payload: string;
  readonly endpoint: string;
  /** What the form starts with (the merchant's account data). */
  readonly prefill: ShopperCustomer | undefined;
}

export interface CheckoutAttemptOptions {
  clock: Clock;
  /** `status` changed; called before its events fire, so listeners see it reflected. */
  onStatus(status: CheckoutStatus): void;
  /**
   * The customer form: `open` asks for the fields the payload leaves open (status
   * `collecting`; a promise that rejects when the form cannot load, its chunk missing);
   * `showServerErrors` places the server's refusals next to them (true when it could).
   */
  form: {
    open(fields: readonly ShopperField[], prefill: ShopperCustomer | undefined): unknown;
    showServerErrors(problems: unknown): boolean;
  };
  /**
   * The Payment Page mode's code: `load` is asked as an attempt of a `payment-page` payload
   * begins, beside the request that creates the payment (a promise that rejects when its file
   * cannot load).
   */
  page: { load(): Promise<unknown> };
  /**
   * The QR encoder, loaded while a `gate` attempt starts (the promise rejects, naming its file,
   * when it cannot load): without it no code can be drawn.
   */
  encoder: { load(): Promise<unknown> };
  /** A new attempt begins: what the page showed for the last one goes. */
  onNewAttempt(): void;
  /** The merchant server's `POST /payments`; tests give a fake. */
  createPayment?: typeof createPayment;
}

/** A final status of the element: the payment's own end, or a failure to reach one. */
export function isFinalStatus(status: CheckoutStatus): status is FinalStatus {
  return (TERMINAL_STATUSES as ReadonlySet<string>).has(status);
}

type FinalStatus = 'success' | 'decline' | 'expired' | 'error';

/**
 * The code of a try whose QR code this page could not draw (its encoder did not load): the
 * payment itself is live, so it stays stored, and the retry resumes it.
 */
const QR_UNAVAILABLE = 'qr-unavailable';

/** The event each final status fires, once per attempt. */
const FINAL_EVENTS = {
  success: CupQrSuccessEvent,
  decline: CupQrDeclineEvent,
  expired: CupQrExpireEvent,
  error: CupQrErrorEvent,
} satisfies Record<FinalStatus, new (detail: PaymentEventDetail) => Event>;

export class CheckoutAttemptController {
  readonly stream: PaymentStreamController;
  readonly countdown: CountdownController;
  status: CheckoutStatus = 'idle';
  /** The last state the server reported for this attempt. */
  payment: PaymentState | undefined;
  /**
   * Why the attempt could not start or go on (the server's or the element's code; `field`:
   * the wrong field of an `invalid-response`).
   */
  failure: { code?: string; message?: string; field?: string } | undefined;
  /** The attempt was started before a reload (or was paid then) and this page resumed it. */
  resumed = false;

  readonly #host: CheckoutAttemptHost;
  readonly #options: CheckoutAttemptOptions;
  /** Increases with each try of the page; names a failure that has no payment id. */
  #tries = 0;
  /** Aborted when the try is over: its request is cancelled, its answer dropped. */
  #abort = new AbortController();
  #session: PaymentSession | undefined;
  /** The `sessionStorage` key of the current attempt (its payload and endpoint). */
  #storageKey: string | undefined;
  /** `{paymentId or #try} {status}` of every final event fired. */
  readonly #fired = new Set<string>();
  /** The countdown ran out: only a final word from the server counts now. */
  #locallyExpired = false;
  /** The lapsed attempt the server answered a renewal with: its end is awaited (header). */
  #renewalOf: string | undefined;
  /** What the shopper entered in the form, for this payload: sent with every attempt. */
  #customer: ShopperCustomer | undefined;
  /** Why this try's QR encoder did not load (its file named), once it failed. */
  #encoderFailure: string | undefined;

  constructor(host: CheckoutAttemptHost, options: CheckoutAttemptOptions) {
    this.#host = host;
    this.#options = options;
    this.countdown = new CountdownController(host, {
      clock: options.clock,
      onExpire: () => this.#expire(),
    });
    this.stream = new PaymentStreamController(
      host,
      {
        onState: (state) => this.#receive(state),
        onFatal: (failure) => this.#fail(failure),
      },
      { clock: options.clock },
    );
  }

  /** The payment's id and token of the current attempt, once the server gave them. */
  get paymentSession(): PaymentSession | undefined {
    return this.#session ? { ...this.#session } : undefined;
  }

  /**
   * Starts a payment, from `idle` or a final status: resumes the one this tab stored for the
   * payload (never a second sale), else opens one (asking for open details first).
   */
  async start(): Promise<void> {
    if (!this.#host.payload || (this.status !== 'idle' && !isFinalStatus(this.status))) return;
    await this.#begin();
  }

  /**
   * A fresh attempt (a new QR code): what the tab stored for the payload is forgotten. Not
   * after `qr-unavailable`: that payment is live, only its code could not be drawn, and it is
   * resumed (never a second sale).
   */
  async restart(): Promise<void> {
    const { payload, endpoint } = this.#host;
    if (!payload) return;
    if (this.failure?.code !== QR_UNAVAILABLE) keep(storageKey(endpoint, payload), undefined);
    await this.#begin();
  }

  /** The form's valid details: they go with this attempt and every later one of the payload. */
  async submit(customer: ShopperCustomer): Promise<void> {
    if (this.status !== 'collecting') return;
    this.#customer = customer;
    this.#host.dispatchEvent(new CupQrCustomerEvent({ customer: { ...customer } }));
    await this.#begin();
  }

  /** Forgets every attempt and the details (a new payload): back to `idle`, no event. */
  reset(): void {
    this.#newTry();
    this.#customer = undefined;
    this.status = 'idle';
    this.#options.onStatus('idle');
  }

  /** Ends the current try: its request aborted, its stream and countdown stopped. */
  #newTry(): AbortSignal {
    this.#tries++;
    this.#abort.abort();
    this.#abort = new AbortController();
    this.#renewalOf = undefined;
    this.stream.disconnect();
    this.countdown.stop();
    this.#session = undefined;
    this.payment = undefined;
    this.failure = undefined;
    this.#locallyExpired = false;
    this.#encoderFailure = undefined;
    this.resumed = false;
    this.#options.onNewAttempt();
    this.#host.requestUpdate();
    return this.#abort.signal;
  }

  /** Resumes what the tab stored for the payload, else opens an attempt (details first). */
  async #begin(): Promise<void> {
    const lapsed = this.#locallyExpired ? this.#session?.paymentId : undefined;
    const signal = this.#newTry();
    const { payload, endpoint } = this.#host;
    const key = storageKey(endpoint, payload);
    this.#storageKey = key;
    const { mode, openFields } = readPayloadPreview(payload);
    // The mode's code (the Payment Page, the QR encoder) comes while the payment is created (or
    // resumed), not after.
    if (mode === 'payment-page') this.#loadPage(signal);
    else this.#loadEncoder(signal);
    const live = readLive(key);
    if (live) {
      this.resumed = true;
      this.#session = live;
      this.#setStatus('starting');
      this.stream.connect({ endpoint, ...live });
      return;
    }
    // Paid before a reload: the server answers that payment again, no details needed.
    const paid = readPaid(key);
    // Gate needs every customer detail: ask for the open ones first (Payment Page asks itself).
    if (mode !== 'payment-page' && openFields.length > 0 && !this.#customer && paid === undefined) {
      const opened = this.#options.form.open(openFields, this.#host.prefill);
      this.#setStatus('collecting');
      try {
        await opened;
      } catch (error) {
        // The form's chunk did not load (offline, a CDN without the companion file): the
        // error names the file, and the retry action tries again.
        if (!signal.aborted) this.#fail({ code: 'form-unavailable', message: messageOf(error) });
      }
      return;
    }
    this.#setStatus('starting');
    // The Payment Page asks for the details itself: only a Gate sale sends the form's.
    const customer = this.#customer;
    const request: CreatePaymentBody = {
      payload,
      ...(mode === 'payment-page' ? { mode } : customer ? { customer } : {}),
    };
    const answer = await (this.#options.createPayment ?? createPayment)(endpoint, request, signal);
    if (signal.aborted) return;
    if (!answer.ok) {
      // The paid order was not answered after all (a store that lost it): ask again next time.
      if (answer.refused && paid !== undefined) keep(key, undefined);
      // Details the server (or Gate) refused go back to the form, next to their fields; not
      // those of an attempt already under way with others (no edit here can fix that).
      if (
        answer.refused &&
        customer &&
        answer.code !== 'attempt-conflict' &&
        this.#options.form.showServerErrors(answer.fields)
      ) {
        this.#customer = undefined;
        this.#setStatus('collecting');
      } else {
        this.#fail(answer);
      }
      return;
    }
    const { paymentId, token, state } = answer.payment;
    const session = { paymentId, token };
    this.#session = session;
    if (paid === paymentId) this.resumed = true;
    const goesOn = !state || !isTerminal(state.status);
    // Kept only while the payment is live (#settled forgets it once it is final).
    if (goesOn) keep(key, session);
    if (lapsed === paymentId && state && goesOn) this.#renewalOf = lapsed;
    this.stream.connect({ endpoint, ...session }, state);
  }

  /**
   * Loads the Payment Page's code for this try. When it cannot load, the try ends in `error`
   * (`page-unavailable`, the message naming the file) and its request is cancelled; a payment
   * the server created meanwhile stays live there, and the retry is answered with it.
   */
  #loadPage(signal: AbortSignal): void {
    this.#options.page.load().catch((error: unknown) => {
      if (signal.aborted || isFinalStatus(this.status)) return;
      this.#abort.abort();
      this.#fail({ code: 'page-unavailable', message: messageOf(error) });
    });
  }

  /** Loads the QR encoder for this try; a failure ends it once a code is there to draw. */
  #loadEncoder(signal: AbortSignal): void {
    this.#options.encoder.load().catch((error: unknown) => {
      if (signal.aborted) return;
      this.#encoderFailure = messageOf(error);
      if (this.status === 'awaiting-customer' && this.payment?.qr) this.#qrUnavailable();
    });
  }

  /** The code is there but cannot be drawn: `error`, the payment kept for the retry. */
  #qrUnavailable(): void {
    this.#fail({ code: QR_UNAVAILABLE, message: this.#encoderFailure ?? '' });
  }

  /** A new state of this attempt (the stream filtered it). */
  #receive(state: PaymentState): void {
    const final = isTerminal(state.status);
    if (this.#renewalOf !== undefined) {
      if (!final) return;
      this.#renewalOf = undefined;
      // Its time-out (or a decline) arrived: now the server opens a fresh attempt. A payment
      // made in the very last second is a success all the same.
      if (state.status !== 'success') {
        void this.restart();
        return;
      }
    }
    // After the countdown ran out, only a final word from the server counts.
    if (this.#locallyExpired && !final) return;
    const previousQr = this.payment?.qr?.data;
    this.payment = state;
    this.#host.requestUpdate();
    if (final) {
      this.countdown.stop();
      this.failure = undefined;
      this.#settled(state.status === 'success' ? state.paymentId : undefined);
    }
    const { qr } = state;
    if (state.status === 'awaiting-customer' && qr && this.#encoderFailure !== undefined) {
      this.#qrUnavailable();
      return;
    }
    this.#setStatus(state.status, state);
    // After the status: a code with no time left expires at once, from `awaiting-customer`.
    if (state.status === 'awaiting-customer' && qr) {
      const sameCode = previousQr === qr.data && this.countdown.running;
      this.countdown.start(qr.expiresInSeconds, qr.timeoutSeconds, !sameCode);
    }
  }

  /** The countdown reached zero. The stream stays open: a last-second payment still counts. */
  #expire(): void {
    if (this.status !== 'awaiting-customer') return;
    this.#locallyExpired = true;
    this.#setStatus('expired');
  }

  #fail({ code, message, field }: { code: string; message: string; field?: string }): void {
    // The server refused the token (or the attempt failed for good): nothing left to resume.
    // A code this page could not draw leaves the payment live: it stays stored.
    if (this.#session && code !== QR_UNAVAILABLE) this.#settled(undefined);
    this.stream.disconnect();
    this.countdown.stop();
    this.failure = { code, message, ...(field !== undefined ? { field } : {}) };
    this.#setStatus('error');
  }

  /**
   * The payment is final: its token leaves `sessionStorage`. After a success only the
   * token-less `paidId` stays, so that a reload shows the paid order without asking for the
   * customer's details again. The countdown running out is not final: the payment may still
   * be paid in its last second, and a reload then resumes it.
   */
  #settled(paidId: string | undefined): void {
    if (this.#storageKey === undefined) return;
    keep(this.#storageKey, paidId === undefined ? undefined : { paymentId: paidId, paid: true });
  }

  #setStatus(status: CheckoutStatus, state?: PaymentState): void {
    const previous = this.status;
    if (status === previous) return;
    this.status = status;
    this.#host.requestUpdate();
    this.#options.onStatus(status);
    const detail = this.#eventDetail(state);
    this.#host.dispatchEvent(
      new CupQrStatusEvent({ ...detail, status, previous, ...(state ? { state } : {}) }),
    );
    if (!isFinalStatus(status)) return;
    // The payment's own end counts once per payment attempt; a failure to reach it (the
    // server refused, the network failed) once per try of this page.
    const attemptKey =
      state || status !== 'error'
        ? (this.#session?.paymentId ?? `#${this.#tries}`)
        : `#${this.#tries}`;
    // A status never holds a space: the key's last one splits it off unambiguously.
    const fired = `${attemptKey} ${status}`;
    if (this.#fired.has(fired)) return;
    this.#fired.add(fired);
    this.#host.dispatchEvent(new FINAL_EVENTS[status](detail));
  }

  #eventDetail(state?: PaymentState): PaymentEventDetail {
    const known = state ?? this.payment;
    const { preview } = readPayloadPreview(this.#host.payload);
    // A failure of this attempt says why over an earlier state's code (a final state clears it).
    const why = this.failure ?? known;
    const code = why?.code;
    const message = why?.message;
    const field = this.failure?.field;
    return {
      paymentId: this.#session?.paymentId ?? '',
      amount: known?.amount ?? preview.amount ?? 0,
      currency: known?.currency ?? preview.currency ?? 'CNY',
      ...(code !== undefined ? { code } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(field !== undefined ? { field } : {}),
      resumed: this.resumed,
    };
  }
}
