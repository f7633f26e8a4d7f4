import { html, LitElement, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { realClock, type Clock } from './controllers/clock.js';
import { CountdownController } from './controllers/countdown.js';
import { CustomerForm } from './controllers/customer-form.js';
import { PageLangController } from './controllers/page-lang.js';
import { PaymentPageFrame } from './controllers/payment-page-frame.js';
import {
  errorOf,
  PaymentStreamController,
  type PaymentStreamOptions,
} from './controllers/payment-stream.js';
import styles from './cup-qr-checkout.styles.js';
import {
  CupQrCustomerEvent,
  CupQrDeclineEvent,
  CupQrErrorEvent,
  CupQrExpireEvent,
  CupQrStatusEvent,
  CupQrSuccessEvent,
  type CheckoutStatus,
  type PaymentEventDetail,
} from './events.js';
import { openShopperFields, type ShopperCustomer, type ShopperField } from './wire/customer.js';
import { parsePaymentState, type PaymentState } from './wire/payment-state.js';
import { formatProblems } from './wire/problems.js';
import { appLinkFor, copyableLink } from './wire/qr.js';
import { isTerminal } from './wire/status.js';
import { DEFAULT_ROUTE_PREFIX } from './wire/routes.js';
import { readPayload, type PaymentMode } from './wire/payload.js';
import { qrMatrix, renderQrSvg, type QrMatrix } from './qr-svg.js';
import {
  resolveLocale,
  translate,
  type Translation,
  type TranslationOverrides,
} from './translations/index.js';

/** The element's modes: the QR on the page, or ECommPay's Payment Page (the payload's choice). */
export type CheckoutMode = PaymentMode;

/** What the page needs to follow a payment; kept in `sessionStorage` to resume after a reload. */
export interface PaymentSession {
  paymentId: string;
  token: string;
}

/**
 * @tagname cup-qr-checkout
 * @summary Takes a China UnionPay QR payment through ECommPay: starts it through the merchant's
 * server, shows the amount, the QR code and its countdown, and learns the result live.
 *
 * @fires cup-qr-status - Every change of `status` (`CupQrStatusEvent`).
 * @fires cup-qr-success - The payment succeeded; once per attempt per page (`CupQrSuccessEvent`).
 * @fires cup-qr-decline - The payment was declined; once per attempt per page.
 * @fires cup-qr-expire - The QR code expired unpaid (the countdown reached zero, or the
 * platform's time-out); once per attempt per page. A payment the server confirms after that
 * (paid in the very last second) still fires `cup-qr-success`.
 * @fires cup-qr-error - The payment could not be started, or ended in an error; once per attempt.
 * @fires cup-qr-customer - The customer form was submitted with valid details (`detail.customer`),
 * just before the payment starts with them (`CupQrCustomerEvent`).
 *
 * @attr status - Read-only, reflected: `idle` `collecting` `starting` `pending` `awaiting-customer`
 * `success` `decline` `expired` `error` (the same as the `:state()` custom states).
 * @attr mode - Read-only, reflected: `gate` (the QR code on this page) or `payment-page`
 * (ECommPay's Payment Page), as the server signed it into the payload. The page cannot choose
 * it: a value written to the attribute is put right at once, one set on the property ignored.
 *
 * @slot header - Replaces the heading above the amount.
 * @slot footer - Content below everything (terms, a merchant logo).
 * @slot success - Replaces the default success view.
 * @slot decline - Replaces the default decline view's text (the new-code action stays).
 * @slot expired - Replaces the default expired view's text (the new-code action stays).
 * @slot error - Replaces the default error view's text (the retry action stays).
 *
 * @csspart base - The card around everything.
 * @csspart header - The default heading.
 * @csspart amount - The formatted amount.
 * @csspart description - The order's description.
 * @csspart stage - The fixed-size area holding the QR code, the skeleton or a result.
 * @csspart qr - The QR code's box (its colour is the code's dark modules).
 * @csspart qr-svg - The QR code's `<svg>`.
 * @csspart skeleton - The placeholder shown while the code is on its way.
 * @csspart timer - The countdown: ring and text (while the code is on its way, the progress text).
 * @csspart progress - The progress text in the timer's place (starting, pending).
 * @csspart timer-ring - The countdown's progress ring.
 * @csspart timer-text - The countdown's `m:ss` text.
 * @csspart instructions - How to pay (open a bank app or UnionPay and scan).
 * @csspart status - A result view (success, decline, expired, error) or a progress message.
 * @csspart actions - A row of buttons (new code, retry, start, Payment Page, phone actions).
 * @csspart phone-actions - The phone-only actions: open in bank app (an `https:` code), copy link
 * (an `http(s):` code), save image.
 * @csspart button - Every button and button-like link.
 * @csspart notice - The reconnecting notice.
 * @csspart footer - The footer slot's wrapper.
 * @csspart form - The customer form (details the payload leaves open; status `collecting`).
 * @csspart field - One field of the form: label, control, hint and error.
 * @csspart label - A field's label.
 * @csspart input - A field's `<input>` or `<select>`.
 * @csspart hint - How to fill a field in (names in Chinese characters...).
 * @csspart field-error - Why a field was refused, next to it.
 * @csspart form-error - How many fields were refused (a live region).
 * @csspart payment-page - The embedded Payment Page's `<iframe>` (`payment-page-target="embedded"`).
 *
 * @cssproperty [--cup-qr-size=220px] - The QR code's side (the `qr-size` attribute overrides it).
 * @cssproperty [--cup-qr-foreground=#111] - The QR code's dark modules.
 * @cssproperty [--cup-qr-background=#fff] - The QR code's light modules and quiet zone.
 * @cssproperty [--cup-qr-surface=#fff] - The card's background (dark scheme: #161b22).
 * @cssproperty [--cup-qr-text=#1f2328] - Text colour (dark scheme: #e6edf3).
 * @cssproperty [--cup-qr-muted=#59636e] - Secondary text (dark scheme: #9198a1).
 * @cssproperty [--cup-qr-border=#d1d9e0] - Card border and ring track (dark scheme: #3d444d).
 * @cssproperty [--cup-qr-accent=#0b5aa6] - Buttons and focus ring (dark scheme: #4493f8).
 * @cssproperty [--cup-qr-accent-text=#fff] - Text on the primary button.
 * @cssproperty [--cup-qr-success=#1a7f37] - The success icon.
 * @cssproperty [--cup-qr-danger=#c0272d] - Decline and error icons.
 * @cssproperty [--cup-qr-warning=#9a6700] - Expired icon, last-minute timer, notice.
 * @cssproperty [--cup-qr-radius=12px] - The card's corner radius.
 * @cssproperty [--cup-qr-padding=20px] - The card's padding.
 * @cssproperty [--cup-qr-font-family=system-ui, …] - The font.
 * @cssproperty [--cup-qr-ring-width=4px] - The countdown ring's stroke.
 * @cssproperty [--cup-qr-frame-height=640px] - The embedded Payment Page's height.
 *
 * @cssstate idle - No payment yet (`manual`, or no payload).
 * @cssstate collecting - The customer form asks for the details the payload leaves open.
 * @cssstate starting - Creating the payment on the merchant's server.
 * @cssstate pending - Created; waiting for the platform's QR code.
 * @cssstate awaiting-customer - The QR code is shown; waiting for the shopper.
 * @cssstate success - Paid.
 * @cssstate decline - Declined.
 * @cssstate expired - The QR code expired unpaid.
 * @cssstate error - Could not start, or the platform reported an error.
 */
export class CupQrCheckout extends LitElement {
  static override styles = styles;

  readonly #internals = this.attachInternals();
  readonly #elementClock: Clock = {
    now: () => this.clock.now(),
    setTimeout: (callback, ms) => this.clock.setTimeout(callback, ms),
    clearTimeout: (handle) => this.clock.clearTimeout(handle),
  };
  readonly #countdown = new CountdownController(this, {
    clock: this.#elementClock,
    onExpire: () => this.#handleCountdownExpired(),
  });
  readonly #stream = new PaymentStreamController(
    this,
    {
      onState: (paymentState) => this.#applyState(paymentState),
      onConnectionChange: (down) => (this.reconnecting = down),
      onFatal: (code, message) => this.#fail(code, message),
    },
    { clock: this.#elementClock },
  );

  readonly #pageLang = new PageLangController(this);
  readonly #form = new CustomerForm(this, (customer) => this.#handleCustomer(customer));
  readonly #frame = new PaymentPageFrame(
    this,
    () => this.#paymentPageLink(),
    (error) => (this.note = this.#failureNote(error)),
  );

  @state() private currentStatus: CheckoutStatus = 'idle';
  @state() private payment: PaymentState | undefined;
  @state() private failure: { code?: string; message?: string } | undefined;
  @state() private reconnecting = false;
  @state() private note = '';
  @state() private resumed = false;

  /** The payload that the merchant's server signed (amount, currency, order). */
  @property() payload = '';

  /** The merchant's route prefix of the wire protocol. */
  @property() endpoint = DEFAULT_ROUTE_PREFIX;

  /** `zh-CN` or `en`; without it the closest `lang` decides (`zh*` → Chinese), else Chinese. */
  @property() locale: string | undefined;

  /** The QR code's side in CSS pixels (overrides `--cup-qr-size`). */
  @property({ attribute: 'qr-size', type: Number }) qrSize: number | undefined;

  /**
   * Where `payment-page` mode opens the page: a new `window` (default; any other value too),
   * `redirect` this one, or `embedded` in a frame inside the element (closable; the result
   * still comes here).
   */
  @property({ attribute: 'payment-page-target' }) paymentPageTarget:
    'window' | 'redirect' | 'embedded' = 'window';

  /** Do not start on connection: show a start button (or call `start()`). */
  @property({ type: Boolean }) manual = false;

  /**
   * Values the customer form starts with (the merchant's account data); the shopper may change
   * them. Only fields the payload leaves open are asked, so only those are used.
   */
  @property({ attribute: false }) prefill: ShopperCustomer | undefined;

  /** Overrides for any of the locale's strings. */
  @property({ attribute: false }) strings: TranslationOverrides | undefined;

  /**
   * Time for the countdown, reconnects and polls. Tests set a fake clock; leave it alone
   * otherwise.
   */
  @property({ attribute: false }) clock: Clock = realClock;

  /** Timings of reconnects and polling (defaults suit production). */
  @property({ attribute: false }) streamOptions: Partial<PaymentStreamOptions> | undefined;

  /** Increases with each attempt; async answers of an older attempt are dropped. */
  #attempt = 0;
  #session: PaymentSession | undefined;
  /** The `sessionStorage` key of the current attempt (its payload and endpoint). */
  #storageKey: string | undefined;
  #lastSeq = -1;
  /** Statuses whose event was fired, by payment attempt (`paymentId`) or page try (`#n`). */
  readonly #fired = new Map<string, Set<CheckoutStatus>>();
  #locallyExpired = false;
  /**
   * A new code was asked for after the countdown ran out but before the server heard of the
   * time-out: the server still answers with that attempt, so the element waits for its end
   * (then asks again) instead of showing a dead code.
   */
  #renewalOf: string | undefined;
  #qrCache: { data: string; matrix: QrMatrix } | undefined;
  /** What the shopper entered in the form, for this payload: sent with every attempt. */
  #customer: ShopperCustomer | undefined;
  /** The shopper started this attempt (a click): an embedded Payment Page takes the focus. */
  #byShopper = false;

  /** The element's state (read-only; reflected as the `status` attribute and `:state()`). */
  get status(): CheckoutStatus {
    return this.currentStatus;
  }

  /**
   * How the shopper pays, read-only: the payload's `mode` (`gate` when it has none, or no
   * payload). The merchant's server decides it when it signs the payload; the server refuses
   * any other. Reflected as the `mode` attribute.
   */
  get mode(): CheckoutMode {
    return peekPayload(this.payload).mode ?? 'gate';
  }

  /** Ignored: the mode is the payload's (older pages set it; they keep working, unaffected). */
  set mode(_ignored: unknown) {
    this.#reflectMode();
  }

  /** The payment's id and token of the current attempt, once the server gave them. */
  get paymentSession(): PaymentSession | undefined {
    return this.#session ? { ...this.#session } : undefined;
  }

  /** The last state the server reported. */
  get paymentState(): PaymentState | undefined {
    return this.payment;
  }

  /**
   * Starts the payment (with `manual`, or after `idle`). A payment of the same payload that
   * this tab started before a reload is resumed instead: never a second sale.
   */
  async start(): Promise<void> {
    if (!this.payload) return;
    if (this.currentStatus !== 'idle' && !isTerminalStatus(this.currentStatus)) return;
    await this.#begin(false);
  }

  /** A fresh attempt (a new QR code) after an expired code, a decline or an error. */
  async restart(): Promise<void> {
    if (!this.payload) return;
    await this.#begin(true);
  }

  /** `status` and `mode` too, so that a page writing either attribute is put right at once. */
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'status', 'mode'];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#reflectStatus();
    this.#reflectMode();
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'status') {
      if (value !== this.currentStatus) this.#reflectStatus();
      return;
    }
    if (name === 'mode') {
      if (value !== this.mode) this.#reflectMode();
      return;
    }
    super.attributeChangedCallback(name, old, value);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('streamOptions') && this.streamOptions) {
      this.#stream.configure(this.streamOptions);
    }
    if (changed.has('currentStatus')) this.#reflectStatus();
    if (changed.has('payload')) this.#reflectMode();
    if (changed.has('prefill') && this.currentStatus === 'collecting') {
      this.#form.prefill(this.prefill);
    }
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('qrSize')) this.#applyQrSize();
    if (changed.has('payload')) {
      const previous = changed.get('payload') as string | undefined;
      if (previous && previous !== this.payload) this.#reset();
    }
    if (
      (changed.has('payload') || changed.has('manual')) &&
      !this.manual &&
      this.payload &&
      this.currentStatus === 'idle'
    ) {
      void this.start();
    }
    const status = this.currentStatus;
    if (
      this.paymentPageTarget === 'embedded' &&
      this.mode === 'payment-page' &&
      this.#session &&
      (status === 'pending' || status === 'awaiting-customer')
    ) {
      this.#frame.show(this.#byShopper);
      this.#byShopper = false;
    }
  }

  /**
   * `qr-size` as the private `--_size`, set through the CSSOM: a `style` attribute would break
   * on pages whose CSP forbids inline styles.
   */
  #applyQrSize(): void {
    const base = this.renderRoot.querySelector<HTMLElement>('[part="base"]');
    if (!base) return;
    const size = this.qrSize;
    if (size !== undefined && Number.isFinite(size) && size > 0) {
      base.style.setProperty('--_size', `${size}px`);
    } else {
      base.style.removeProperty('--_size');
    }
  }

  #reflectMode(): void {
    // Before the element is connected, `connectedCallback` reflects it.
    if (this.isConnected && this.getAttribute('mode') !== this.mode) {
      this.setAttribute('mode', this.mode);
    }
  }

  #reflectStatus(): void {
    if (this.getAttribute('status') !== this.currentStatus) {
      this.setAttribute('status', this.currentStatus);
    }
    try {
      this.#internals.states.clear();
      this.#internals.states.add(this.currentStatus);
    } catch {
      // A browser without CustomStateSet, or an older one that wants `--name`.
      try {
        this.#internals.states.add(`--${this.currentStatus}`);
      } catch {
        /* the attribute still says it */
      }
    }
  }

  /** Forgets the current attempt (a new payload): back to `idle`. */
  #reset(): void {
    this.#attempt++;
    this.#renewalOf = undefined;
    this.#clearAttempt();
    this.#customer = undefined;
    this.currentStatus = 'idle';
  }

  /** Stops following the current attempt and forgets what it showed. */
  #clearAttempt(): void {
    this.#stream.disconnect();
    this.#countdown.stop();
    this.#frame.reset();
    this.#session = undefined;
    this.payment = undefined;
    this.failure = undefined;
    this.#lastSeq = -1;
    this.#locallyExpired = false;
    this.resumed = false;
    this.note = '';
  }

  async #begin(fresh: boolean): Promise<void> {
    const attempt = ++this.#attempt;
    const renewing = this.#locallyExpired ? this.#session?.paymentId : undefined;
    this.#renewalOf = undefined;
    this.#clearAttempt();
    const key = storageKey(this.endpoint, this.payload);
    this.#storageKey = key;
    if (fresh) removeSession(key);
    const saved = fresh ? undefined : readSession(key);
    // Paid before a reload: the server answers that payment again, no details needed.
    const paid = fresh || saved ? undefined : readPaid(key);
    if (saved) {
      this.resumed = true;
      this.#session = saved;
      this.#setStatus('starting');
      this.#stream.connect({ endpoint: this.endpoint, ...saved });
      return;
    }
    // Gate needs every customer detail: ask for the open ones first (Payment Page asks itself).
    const open = this.mode !== 'payment-page' ? openFieldsOf(this.payload) : [];
    if (open.length > 0 && !this.#customer && paid === undefined) {
      this.#form.open(open, this.prefill);
      this.#setStatus('collecting');
      return;
    }
    this.#setStatus('starting');
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(`${trimSlash(this.endpoint)}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({
          payload: this.payload,
          ...(this.mode === 'payment-page' ? { mode: 'payment-page' } : {}),
          ...(this.#customer && this.mode !== 'payment-page' ? { customer: this.#customer } : {}),
        }),
      });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      if (attempt === this.#attempt) this.#fail('network', messageOf(error));
      return;
    }
    if (attempt !== this.#attempt) return;
    if (!response.ok) {
      // The paid order was not answered after all (a store that lost it): ask again next time.
      if (paid !== undefined) removeSession(key);
      // Details the server (or Gate) refused go back to the form, next to their fields; not
      // those of an attempt already under way with others (no edit here can fix that).
      const { code, message } = errorOf(body);
      const fields = (body as { error?: { fields?: unknown } } | undefined)?.error?.fields;
      if (this.#customer && code !== 'attempt-conflict' && this.#form.showServerErrors(fields)) {
        this.#customer = undefined;
        this.#setStatus('collecting');
        return;
      }
      this.#fail(code ?? `http-${response.status}`, message ?? response.statusText);
      return;
    }
    const created = readCreated(body);
    if (typeof created === 'string') {
      this.#fail('invalid-response', created);
      return;
    }
    this.#session = { paymentId: created.paymentId, token: created.token };
    if (paid === created.paymentId) this.resumed = true;
    // Kept only while the payment is live (#forgetSession once it is final).
    if (!created.state || !isTerminal(created.state.status)) writeSession(key, this.#session);
    if (renewing === created.paymentId && created.state && !isTerminal(created.state.status)) {
      this.#renewalOf = renewing;
      this.#lastSeq = created.state.seq;
      this.#stream.connect({ endpoint: this.endpoint, ...this.#session }, this.#lastSeq);
      return;
    }
    if (created.state) this.#applyState(created.state);
    if (!created.state || !isTerminal(created.state.status)) {
      this.#stream.connect({ endpoint: this.endpoint, ...this.#session }, this.#lastSeq);
    }
  }

  #applyState(paymentState: PaymentState): void {
    if (!this.#session || paymentState.paymentId !== this.#session.paymentId) return;
    if (paymentState.seq <= this.#lastSeq) return;
    this.#lastSeq = paymentState.seq;
    if (this.#renewalOf === paymentState.paymentId) {
      if (!isTerminal(paymentState.status)) return;
      this.#renewalOf = undefined;
      // Its time-out (or a decline) arrived: now the server starts a fresh attempt. A payment
      // made in the very last second is a success all the same.
      if (paymentState.status !== 'success') {
        void this.#begin(true);
        return;
      }
    }
    // After the countdown ran out, only a final word from the server counts.
    if (this.#locallyExpired && !isTerminal(paymentState.status)) return;
    const previousQr = this.payment?.qr?.data;
    this.payment = paymentState;
    if (isTerminal(paymentState.status)) {
      this.#countdown.stop();
      this.failure = undefined;
      this.#forgetSession(paymentState.status === 'success' ? paymentState.paymentId : undefined);
    }
    this.#setStatus(paymentState.status, paymentState);
    // After the status: a code with no time left expires at once, from `awaiting-customer`.
    const { qr } = paymentState;
    if (paymentState.status === 'awaiting-customer' && qr) {
      const sameCode = previousQr === qr.data && this.#countdown.running;
      this.#countdown.start(qr.expiresInSeconds, qr.timeoutSeconds, !sameCode);
    }
  }

  #handleCountdownExpired(): void {
    if (this.currentStatus !== 'awaiting-customer') return;
    // The stream stays open: a payment made in the last second still reports success.
    this.#locallyExpired = true;
    this.#setStatus('expired');
  }

  #fail(code: string, message: string): void {
    // The server refused the token (or the attempt failed for good): nothing left to resume.
    if (this.#session) this.#forgetSession(undefined);
    this.#stream.disconnect();
    this.#countdown.stop();
    this.failure = { code, message };
    this.#setStatus('error');
  }

  /**
   * The payment is final: its token leaves `sessionStorage` (it opens the payment's status and
   * the shopper's details to whoever reads the storage later). After a success only the
   * token-less `paidId` stays, so that a reload shows the paid order without asking for the
   * customer's details again. The countdown running out is not final: the payment may still
   * be paid in its last second, and a reload then resumes it.
   */
  #forgetSession(paidId: string | undefined): void {
    if (this.#storageKey === undefined) return;
    if (paidId === undefined) removeSession(this.#storageKey);
    else writePaid(this.#storageKey, paidId);
  }

  #setStatus(status: CheckoutStatus, paymentState?: PaymentState): void {
    const previous = this.currentStatus;
    if (status === previous) return;
    this.currentStatus = status;
    // Reflect now, so that listeners of the event see the new attribute and state.
    this.#reflectStatus();
    const detail = this.#eventDetail(paymentState);
    this.dispatchEvent(
      new CupQrStatusEvent({
        ...detail,
        status,
        previous,
        ...(paymentState ? { state: paymentState } : {}),
      }),
    );
    if (!isTerminalStatus(status)) return;
    // The payment's own end counts once per payment attempt; a failure to reach it (the
    // server refused, the network failed) once per try of this page.
    const attemptKey =
      paymentState || status !== 'error'
        ? (this.#session?.paymentId ?? `#${this.#attempt}`)
        : `#${this.#attempt}`;
    let fired = this.#fired.get(attemptKey);
    if (!fired) this.#fired.set(attemptKey, (fired = new Set()));
    if (fired.has(status)) return;
    fired.add(status);
    switch (status) {
      case 'success':
        this.dispatchEvent(new CupQrSuccessEvent(detail));
        break;
      case 'decline':
        this.dispatchEvent(new CupQrDeclineEvent(detail));
        break;
      case 'expired':
        this.dispatchEvent(new CupQrExpireEvent(detail));
        break;
      case 'error':
        this.dispatchEvent(new CupQrErrorEvent(detail));
        break;
    }
  }

  #eventDetail(paymentState?: PaymentState): PaymentEventDetail {
    const known = paymentState ?? this.payment;
    const preview = peekPayload(this.payload);
    const code = known?.code ?? this.failure?.code;
    const message = known?.message ?? this.failure?.message;
    return {
      paymentId: this.#session?.paymentId ?? '',
      amount: known?.amount ?? preview.amount ?? 0,
      currency: known?.currency ?? preview.currency ?? 'CNY',
      ...(code !== undefined ? { code } : {}),
      ...(message !== undefined ? { message } : {}),
      resumed: this.resumed,
    };
  }

  get #translation(): Translation {
    return translate(resolveLocale(this.locale, this.#pageLang.lang), this.strings);
  }

  #handleCustomer(customer: ShopperCustomer): void {
    if (this.currentStatus !== 'collecting') return;
    this.#customer = customer;
    this.dispatchEvent(new CupQrCustomerEvent({ customer: { ...customer } }));
    void this.#begin(false);
  }

  readonly #handleStart = async (): Promise<void> => {
    this.#byShopper = true;
    await this.start();
    // The start button is gone: a keyboard user goes on in the form, not from the page's top.
    if (this.currentStatus !== 'collecting') return;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[part~="input"]')?.focus();
  };

  readonly #handleNewCode = (): void => {
    this.#byShopper = true;
    void this.restart();
  };

  readonly #handleCopy = async (): Promise<void> => {
    const data = this.payment?.qr?.data;
    const url = data === undefined ? undefined : copyableLink(data);
    const t = this.#translation;
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      this.note = t.copied;
    } catch {
      this.note = t.copyFailed;
    }
  };

  readonly #handleSave = async (): Promise<void> => {
    const svgElement = this.renderRoot.querySelector<SVGSVGElement>('[part="qr"] svg');
    if (!svgElement) return;
    const blob = await qrImage(svgElement);
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = blob.type === 'image/png' ? 'unionpay-qr.png' : 'unionpay-qr.svg';
    link.rel = 'noopener';
    link.click();
    this.clock.setTimeout(() => URL.revokeObjectURL(url), 10000);
  };

  /** The signed Payment Page link of the current attempt, from the merchant's server. */
  async #paymentPageLink(): Promise<string> {
    const response = await fetch(`${trimSlash(this.endpoint)}/payment-page`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(this.#session),
    });
    const body: unknown = await response.json().catch(() => undefined);
    const url = (body as { url?: unknown } | undefined)?.url;
    if (!response.ok || typeof url !== 'string' || !isWebUrl(url)) {
      const { code, message } = errorOf(body);
      throw new Error(message ?? code ?? `HTTP ${response.status}`);
    }
    return url;
  }

  #failureNote(error: unknown): string {
    const t = this.#translation;
    return `${t.error}${t.reason(undefined, messageOf(error))}`;
  }

  readonly #handlePaymentPage = async (): Promise<void> => {
    const t = this.#translation;
    if (!this.#session) return;
    // Opened in the click itself, so that no pop-up blocker stops it; pointed at the page later.
    const popup = this.paymentPageTarget !== 'redirect' ? window.open('', '_blank') : null;
    if (popup) popup.opener = null;
    try {
      const url = await this.#paymentPageLink();
      if (popup) {
        popup.location.href = url;
        this.note = t.paymentPageOpened;
      } else {
        if (this.paymentPageTarget !== 'redirect') this.note = t.paymentPageBlocked;
        window.location.assign(url);
      }
    } catch (error) {
      popup?.close();
      this.note = this.#failureNote(error);
    }
  };

  #qrFor(data: string): QrMatrix {
    if (this.#qrCache?.data !== data) this.#qrCache = { data, matrix: qrMatrix(data) };
    return this.#qrCache.matrix;
  }

  protected override render(): TemplateResult {
    const t = this.#translation;
    const status = this.currentStatus;
    const preview = peekPayload(this.payload);
    const amount = this.payment?.amount ?? preview.amount;
    const currency = this.payment?.currency ?? preview.currency ?? 'CNY';
    const description = this.payment?.description ?? preview.description ?? '';
    const busy = status === 'starting' || status === 'pending';
    return html`<section
      part="base"
      aria-label=${t.checkoutLabel}
      aria-busy=${busy ? 'true' : 'false'}
      lang=${t.locale}
    >
      <slot name="header"><h2 part="header">${t.title}</h2></slot>
      <p part="amount">
        ${
          amount !== undefined
            ? html`<span class="visually-hidden">${t.amountLabel}</span>
                ${formatAmount(amount, currency, t.locale)}`
            : nothing
        }
      </p>
      <p part="description">${description}</p>
      <div part="stage">${this.#renderStage(t, status)}</div>
      <div class="messages">
        <p part="notice" role="status">${this.reconnecting ? t.reconnecting : ''}</p>
        <p class="note" role="status">
          ${this.note || (this.resumed && status === 'awaiting-customer' ? t.resumed : '')}
        </p>
      </div>
      <div class="visually-hidden" role="status">${this.#renderAnnouncement(t, status)}</div>
      <div part="footer"><slot name="footer"></slot></div>
    </section>`;
  }

  /** What the polite live region says: the status, or the remaining time at a calm cadence. */
  #renderAnnouncement(t: Translation, status: CheckoutStatus): string {
    switch (status) {
      case 'idle':
        return '';
      case 'collecting':
        return t.customerIntro;
      case 'starting':
      case 'pending':
        return t[status];
      case 'awaiting-customer': {
        if (this.mode === 'payment-page') return t.paymentPageInstructions;
        const seconds = this.#countdown.announced;
        return seconds === undefined
          ? ''
          : t.remainingSpoken(Math.floor(seconds / 60), seconds % 60);
      }
      default:
        return t[status];
    }
  }

  #renderStage(t: Translation, status: CheckoutStatus): TemplateResult {
    switch (status) {
      case 'idle':
        return html`<p part="instructions">${t.instructions}</p>
          ${
            this.manual && this.payload
              ? html`<div part="actions">
                  <button part="button" class="primary" type="button" @click=${this.#handleStart}>
                    ${t.startButton}
                  </button>
                </div>`
              : html`<p part="status">${t.idle}</p>`
          }`;
      case 'collecting':
        return this.#form.render(t);
      case 'starting':
      case 'pending':
        if (this.mode === 'payment-page' && status === 'pending' && this.#session) {
          return this.#renderPaymentPage(t);
        }
        return this.#renderSkeleton(t, status === 'starting' ? t.starting : t.pending);
      case 'awaiting-customer':
        return this.mode === 'payment-page' ? this.#renderPaymentPage(t) : this.#renderQr(t);
      case 'success':
        return html`<div part="status" tabindex="-1">
          <slot name="success">
            ${resultIcon('success')}
            <p class="result-title">${t.success}</p>
            <p class="result-detail">${t.successDetail}</p>
          </slot>
        </div>`;
      case 'decline':
      case 'expired':
      case 'error':
        return this.#renderFailure(t, status);
    }
  }

  #renderQr(t: Translation): TemplateResult {
    const qr = this.payment?.qr;
    if (!qr) return this.#renderSkeleton(t, t.pending);
    const remaining = this.#countdown.remaining;
    const clock = `${Math.floor(remaining / 60)}:${String(remaining % 60).padStart(2, '0')}`;
    const circumference = 2 * Math.PI * 10;
    // Any content is drawn; only an https: URL is a link, only an http(s) one can be copied.
    const appLink = appLinkFor(qr.data);
    const copyable = copyableLink(qr.data) !== undefined;
    return html`<div part="qr">${renderQrSvg(this.#qrFor(qr.data), t.qrLabel)}</div>
      <div part="timer" class=${remaining <= 60 ? 'low' : ''}>
        <svg part="timer-ring" viewBox="0 0 24 24" aria-hidden="true">
          ${svg`<circle class="track" cx="12" cy="12" r="10"></circle>
            <circle
              class="progress"
              cx="12"
              cy="12"
              r="10"
              stroke-dasharray=${circumference}
              stroke-dashoffset=${circumference * (1 - this.#countdown.fraction)}
            ></circle>`}
        </svg>
        <span part="timer-text">${t.remaining(clock)}</span>
      </div>
      <p part="instructions">${t.instructions}</p>
      <div part="actions phone-actions" class="phone">
        ${
          appLink
            ? html`<a
                part="button"
                class="primary"
                href=${appLink}
                target="_blank"
                rel="noopener noreferrer"
                >${t.openInApp}</a
              >`
            : nothing
        }
        ${
          copyable
            ? html`<button part="button" type="button" @click=${this.#handleCopy}>
                ${t.copyLink}
              </button>`
            : nothing
        }
        <button part="button" type="button" @click=${this.#handleSave}>${t.saveImage}</button>
      </div>`;
  }

  /** The QR code's layout with placeholders, so that the code arrives without a jump. */
  #renderSkeleton(t: Translation, progress: string): TemplateResult {
    return html`<div part="qr skeleton" class="skeleton" aria-hidden="true"></div>
      <p part="timer progress">${progress}</p>
      <p part="instructions">${t.instructions}</p>`;
  }

  #renderPaymentPage(t: Translation): TemplateResult {
    if (this.paymentPageTarget === 'embedded') return this.#frame.render(t);
    return html`<p part="instructions">${t.paymentPageInstructions}</p>
      <div part="actions">
        <button part="button" class="primary" type="button" @click=${this.#handlePaymentPage}>
          ${t.paymentPageButton}
        </button>
      </div>`;
  }

  #renderFailure(t: Translation, status: 'decline' | 'expired' | 'error'): TemplateResult {
    const title = t[status];
    const code = this.payment?.code ?? this.failure?.code;
    const explained = status === 'error' ? t.errorFor(code) : undefined;
    const detail = explained ?? t[`${status}Detail`];
    // The server's own message is technical: shown only when no explanation of ours exists.
    const message = explained ? undefined : (this.payment?.message ?? this.failure?.message);
    const reason = status === 'expired' ? '' : t.reason(code, message);
    return html`<div part="status" tabindex="-1">
        <slot name=${status}>
          ${resultIcon(status)}
          <p class="result-title">${title}</p>
          <p class="result-detail">${detail}${reason}</p>
        </slot>
      </div>
      <div part="actions">
        <button part="button" class="primary" type="button" @click=${this.#handleNewCode}>
          ${status === 'error' ? t.retry : t.newCode}
        </button>
      </div>`;
  }
}

function isTerminalStatus(status: CheckoutStatus): boolean {
  return (
    status !== 'idle' && status !== 'collecting' && status !== 'starting' && isTerminal(status)
  );
}

/**
 * The customer fields a payload leaves open, read unverified (the server refuses any change
 * of the others anyway); none of an unreadable payload, which the server refuses as a whole.
 */
function openFieldsOf(payload: string): ShopperField[] {
  const parsed = readPayload(payload);
  return parsed.ok ? openShopperFields(parsed.value.customer) : [];
}

function trimSlash(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An absolute `http(s):` URL: where the Payment Page link may send the shopper. */
function isWebUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

// Its home is the protocol's QR rule; exported here as it always was.
export { appLinkFor };

/** Formats minor units (fen) in `currency` for `locale`: 30000 CNY → `¥300.00`, `CN¥300.00`. */
export function formatAmount(minor: number, currency: string, locale: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

/** What the page can read of a payload before the server answers (it is not verified here). */
export interface PayloadPreview {
  amount?: number;
  currency?: string;
  description?: string;
  mode?: CheckoutMode;
}

const previewCache = new Map<string, PayloadPreview>();

/**
 * The amount, currency, description and mode of a payload, read with the wire protocol's
 * `readPayload` (no verification: only the server holds the key) so they show at once.
 * Anything unreadable gives an empty preview; the server's answer fills it in.
 */
export function peekPayload(payload: string): PayloadPreview {
  const cached = previewCache.get(payload);
  if (cached) return cached;
  const parsed = payload ? readPayload(payload) : undefined;
  const preview: PayloadPreview = parsed?.ok
    ? {
        amount: parsed.value.amount,
        currency: parsed.value.currency,
        description: parsed.value.description,
        ...(parsed.value.mode ? { mode: parsed.value.mode } : {}),
      }
    : {};
  if (previewCache.size > 20) previewCache.clear();
  previewCache.set(payload, preview);
  return preview;
}

/** The `{paymentId, token, state}` answer of `POST /payments`, or what is wrong with it. */
function readCreated(
  body: unknown,
): { paymentId: string; token: string; state?: PaymentState } | string {
  if (typeof body !== 'object' || body === null) return 'the answer is not a JSON object';
  const { paymentId, token, state: rawState } = body as Record<string, unknown>;
  if (typeof paymentId !== 'string' || !paymentId) return 'paymentId: required';
  if (typeof token !== 'string' || !token) return 'token: required';
  if (rawState === undefined) return { paymentId, token };
  const parsed = parsePaymentState(rawState);
  if (!parsed.ok) return `state: ${formatProblems(parsed.problems)}`;
  return { paymentId, token, state: parsed.value };
}

/**
 * The payload's key in `sessionStorage`: its MAC (the part after the dot) names it uniquely,
 * with the endpoint, since two shops on one origin may sign alike. Its value is the live
 * attempt's `{paymentId, token}`, or `{paymentId, paid: true}` once it was paid (no token).
 */
function storageKey(endpoint: string, payload: string): string {
  return `cup-qr-checkout:${trimSlash(endpoint)}:${payload.slice(payload.lastIndexOf('.') + 1)}`;
}

function readSession(key: string): PaymentSession | undefined {
  try {
    const raw = sessionStorage.getItem(key);
    if (!raw) return undefined;
    const value = JSON.parse(raw) as Partial<PaymentSession>;
    if (typeof value.paymentId === 'string' && typeof value.token === 'string') {
      return { paymentId: value.paymentId, token: value.token };
    }
  } catch {
    // Storage blocked or a foreign value: nothing to resume.
  }
  return undefined;
}

/** The payment id of a `{paymentId, paid: true}` entry. */
function readPaid(key: string): string | undefined {
  try {
    const raw = sessionStorage.getItem(key);
    if (!raw) return undefined;
    const value = JSON.parse(raw) as { paymentId?: unknown; paid?: unknown };
    if (typeof value.paymentId === 'string' && value.paid === true) return value.paymentId;
  } catch {
    // Storage blocked or a foreign value.
  }
  return undefined;
}

function writePaid(key: string, paymentId: string): void {
  try {
    sessionStorage.setItem(key, JSON.stringify({ paymentId, paid: true }));
  } catch {
    // Storage blocked: a reload asks for the details again, then shows the paid order.
  }
}

function writeSession(key: string, session: PaymentSession): void {
  try {
    sessionStorage.setItem(key, JSON.stringify(session));
  } catch {
    // Storage blocked: a reload will start a new attempt.
  }
}

function removeSession(key: string): void {
  try {
    sessionStorage.removeItem(key);
  } catch {
    // Storage blocked.
  }
}

function resultIcon(status: 'success' | 'decline' | 'expired' | 'error'): TemplateResult {
  const path =
    status === 'success'
      ? svg`<path d="M7 12.5l3.2 3.2L17 9" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"></path>`
      : status === 'expired'
        ? svg`<path d="M12 7v5l3 2" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"></path>`
        : svg`<path d="M9 9l6 6M15 9l-6 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"></path>`;
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
    ${svg`<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2"></circle>`}
    ${path}
  </svg>`;
}

/** The QR code as a PNG (an SVG where a canvas cannot be used), colours made explicit. */
async function qrImage(source: SVGSVGElement): Promise<Blob> {
  const copy = source.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('color', '#000');
  copy.querySelector('rect')?.setAttribute('fill', '#fff');
  copy.setAttribute('width', '512');
  copy.setAttribute('height', '512');
  const markup = new XMLSerializer().serializeToString(copy);
  const svgBlob = new Blob([markup], { type: 'image/svg+xml' });
  try {
    const url = URL.createObjectURL(svgBlob);
    try {
      const image = new Image(512, 512);
      image.src = url;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 512;
      canvas.height = 512;
      canvas.getContext('2d')?.drawImage(image, 0, 0, 512, 512);
      const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
      return png ?? svgBlob;
    } finally {
      URL.revokeObjectURL(url);
    }
  } catch {
    return svgBlob;
  }
}
