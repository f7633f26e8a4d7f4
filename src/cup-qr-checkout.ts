/**
 * `<cup-qr-checkout>`: the element's API (the JSDoc header below feeds custom-elements.json),
 * its properties, lifecycle and render. What it does lives in its parts: the payment attempts
 * in `CheckoutAttemptController` (with the stream and the countdown), the customer form and
 * the Payment Page mode (both loaded on demand), the merchant-API client, storage, the payload
 * preview, formatting, the QR and result views, the phone actions and the live region's words
 * (src/controllers/, src/element/).
 */
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { CheckoutAttemptController } from './controllers/checkout-attempt.js';
import { clockOf, realClock, type Clock } from './controllers/clock.js';
import { FocusKeeper } from './controllers/focus-keeper.js';
import { focusTargetIn } from './element/focus-target.js';
import { PageLangController } from './controllers/page-lang.js';
import type { PaymentStreamOptions } from './controllers/payment-stream.js';
import styles from './cup-qr-checkout.styles.js';
import { announcement } from './element/announcement.js';
import type { PaymentSession } from './element/attempt-storage.js';
import { showCustomState } from './element/custom-states.js';
import { LazyCustomerForm } from './element/lazy-customer-form.js';
import { LazyPaymentPage } from './element/lazy-payment-page.js';
import { LazyQrEncoder } from './element/lazy-qr-encoder.js';
import { formatAmount as formatMinorUnits, spokenAmount } from './element/format.js';
import { readPayloadPreview, type PayloadPreview } from './element/payload-preview.js';
import { markChinese } from './element/lang-runs.js';
import { LocaleWords, renderWordless } from './element/locale-words.js';
import { copyQrLink, failureNote, saveQrImage } from './element/phone-actions.js';
import { applyQrSize } from './element/qr-size.js';
import { renderResult } from './element/result-view.js';
import type { CheckoutStatus } from './events.js';
import type { ShopperCustomer } from './wire/customer.js';
import type { PaymentState } from './wire/payment-state.js';
import { appLinkFor } from './wire/qr.js';
import { DEFAULT_ROUTE_PREFIX } from './wire/routes.js';
import { type PaymentMode } from './wire/payload.js';
import {
  resolveLocale,
  withOverrides,
  zhCN,
  type Translation,
  type TranslationOverrides,
} from './translations/index.js';

/** The element's modes: the QR on the page, or ECommPay's Payment Page (the payload's choice). */
export type CheckoutMode = PaymentMode;

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
 * @csspart stage - The area holding the QR code, the skeleton or a result (one height on a desktop;
 * on a phone a result fits its content). Takes the focus when a state change removed the focused
 * control.
 * @csspart qr - The QR code's box (its colour is the code's dark modules).
 * @csspart qr-svg - The QR code's `<svg>`.
 * @csspart skeleton - The placeholder shown while the code is on its way.
 * @csspart timer - The countdown: ring and text (while the code is on its way, the progress text).
 * @csspart progress - The progress text in the timer's place (starting, pending).
 * @csspart timer-ring - The countdown's progress ring.
 * @csspart timer-text - The countdown's `m:ss` text.
 * @csspart instructions - How to pay (open a bank app or UnionPay and scan).
 * @csspart same-phone - How to pay from the phone showing the code (save it, open the app, scan
 * it from the photos); shown with the phone actions, on small screens or touch devices.
 * @csspart status - A result view (success, decline, expired, error) or a progress message.
 * @csspart actions - A row of buttons (new code, retry, start, Payment Page, phone actions).
 * @csspart phone-actions - The phone-only actions: open payment link (an `https:` code), copy
 * link (an `http(s):` code), save image.
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

  /** The reactive properties (not decorators: the bundle then carries no decorator helpers). */
  static override properties = {
    payload: {},
    endpoint: {},
    locale: {},
    qrSize: { attribute: 'qr-size', type: Number },
    paymentPageTarget: { attribute: 'payment-page-target' },
    manual: { type: Boolean },
    prefill: { attribute: false },
    strings: { attribute: false },
    clock: { attribute: false },
    streamOptions: { attribute: false },
  };

  readonly #internals = this.attachInternals();
  readonly #form = new LazyCustomerForm(this, (customer) => void this.#checkout.submit(customer));
  readonly #page = new LazyPaymentPage(this, {
    translation: () => this.#translation,
    note: (text) => (this.note = text),
    failed: (error) => (this.note = failureNote(this.#translation, error)),
  });
  readonly #encoder = new LazyQrEncoder(this);
  readonly #checkout = new CheckoutAttemptController(this, {
    clock: clockOf(() => this.clock),
    onStatus: () => this.#reflect(),
    form: this.#form,
    page: this.#page,
    encoder: this.#encoder,
    onNewAttempt: () => {
      this.#page.reset();
      this.note = '';
    },
  });
  readonly #pageLang = new PageLangController(this);
  readonly #words = new LocaleWords(this);
  readonly #focus = new FocusKeeper(this, () => focusTargetIn(this.renderRoot));

  #note = '';
  /** The note under the stage (copied, saved, what failed): private state that re-renders. */
  private get note(): string {
    return this.#note;
  }
  private set note(text: string) {
    this.#note = text;
    this.requestUpdate();
  }

  /** The payload that the merchant's server signed (amount, currency, order). */
  payload = '';

  /** The merchant's route prefix of the wire protocol. */
  endpoint = DEFAULT_ROUTE_PREFIX;

  /** `zh-CN` or `en`; without it the closest `lang` decides (`zh*` → Chinese), else Chinese. */
  locale: string | undefined;

  /** The QR code's side in CSS pixels (overrides `--cup-qr-size`). */
  qrSize: number | undefined;

  /**
   * Where `payment-page` mode opens the page: a new `window` (default; any other value too),
   * `redirect` this one, or `embedded` in a frame inside the element (closable; the result
   * still comes here).
   */
  paymentPageTarget: 'window' | 'redirect' | 'embedded' = 'window';

  /** Do not start on connection: show a start button (or call `start()`). */
  manual = false;

  /**
   * Values the customer form starts with (the merchant's account data); the shopper may change
   * them. Only fields the payload leaves open are asked, so only those are used.
   */
  prefill: ShopperCustomer | undefined;

  /** Overrides for any of the locale's strings. */
  strings: TranslationOverrides | undefined;

  /**
   * Time for the countdown, reconnects and polls. Tests set a fake clock; leave it alone
   * otherwise.
   */
  clock: Clock = realClock;

  /** Timings of reconnects and polling (defaults suit production). */
  streamOptions: Partial<PaymentStreamOptions> | undefined;

  /** The element's state (read-only; reflected as the `status` attribute and `:state()`). */
  get status(): CheckoutStatus {
    return this.#checkout.status;
  }

  /**
   * How the shopper pays, read-only: the payload's `mode` (`gate` when it has none, or no
   * payload). The merchant's server decides it when it signs the payload; the server refuses
   * any other. Reflected as the `mode` attribute.
   */
  get mode(): CheckoutMode {
    return readPayloadPreview(this.payload).mode;
  }

  /** Ignored: the mode is the payload's (older pages set it; they keep working, unaffected). */
  set mode(_ignored: unknown) {
    this.#reflect();
  }

  /** The payment's id and token of the current attempt, once the server gave them. */
  get paymentSession(): PaymentSession | undefined {
    return this.#checkout.paymentSession;
  }

  /** The last state the server reported. */
  get paymentState(): PaymentState | undefined {
    return this.#checkout.payment;
  }

  /**
   * Starts the payment (with `manual`, or after `idle`). A payment of the same payload that
   * this tab started before a reload is resumed instead: never a second sale.
   */
  async start(): Promise<void> {
    await this.#checkout.start();
  }

  /** A fresh attempt (a new QR code) after an expired code, a decline or an error. */
  async restart(): Promise<void> {
    await this.#checkout.restart();
  }

  /** `status` and `mode` too, so that a page writing either attribute is put right at once. */
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'status', 'mode'];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#reflect();
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'status' || name === 'mode') {
      if (value !== this[name]) this.#reflect();
      return;
    }
    super.attributeChangedCallback(name, old, value);
  }

  /**
   * A new payload resets, and the payment starts, here rather than in `updated()`: the state
   * they change then belongs to this update, not to another one scheduled after it (Lit's
   * `change-in-update` warning in development builds).
   */
  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('streamOptions') && this.streamOptions) {
      this.#checkout.stream.configure(this.streamOptions);
    }
    if (changed.has('payload')) {
      const previous = changed.get('payload') as string | undefined;
      if (previous && previous !== this.payload) this.#checkout.reset();
    }
    if (
      (changed.has('payload') || changed.has('manual')) &&
      !this.manual &&
      this.payload &&
      this.status === 'idle'
    ) {
      void this.start();
    }
    if (changed.has('payload')) this.#reflect();
    // A code may be shown: its encoder loads now, beside the payment's round trip.
    if (changed.has('payload') && this.payload && this.mode === 'gate') this.#encoder.preload();
    if (changed.has('prefill') && this.status === 'collecting') {
      this.#form.prefill(this.prefill);
    }
  }

  /**
   * Also waits for the customer form's chunk (status `collecting`), the Payment Page's, the
   * English words while they load, and the QR encoder while a code waits for it
   * (`awaiting-customer`): the update that shows them is still to come until then.
   */
  protected override async getUpdateComplete(): Promise<boolean> {
    let complete = await super.getUpdateComplete();
    const loading = (): Promise<unknown> | undefined =>
      this.#form.loading ??
      this.#page.loading ??
      this.#words.loading ??
      (this.status === 'awaiting-customer' ? this.#encoder.loading : undefined);
    for (let next = loading(); next; next = loading()) {
      await next.catch(() => undefined);
      complete = await super.getUpdateComplete();
    }
    return complete;
  }

  /** Every update: the card itself is new once the words of an English page have come. */
  protected override updated(): void {
    applyQrSize(this.renderRoot, this.qrSize);
  }

  /** `status` (and its custom state) and `mode` as attributes, once the element is connected. */
  #reflect(): void {
    if (!this.isConnected) return;
    for (const name of ['status', 'mode'] as const) {
      if (this.getAttribute(name) !== this[name]) this.setAttribute(name, this[name]);
    }
    showCustomState(this.#internals, this.status);
  }

  /** The words in force, `undefined` while their table loads (locale-words.ts). */
  get #wordsInForce(): Translation | undefined {
    return this.#words.for(resolveLocale(this.locale, this.#pageLang.lang), this.strings);
  }

  /** The words for a handler's message (a handler only runs once the words have shown). */
  get #translation(): Translation {
    return this.#wordsInForce ?? withOverrides(zhCN, this.strings);
  }

  readonly #handleStart = async (): Promise<void> => {
    this.#page.startedByShopper();
    await this.start();
    // The form after a click too (a click does not focus a button in every browser).
    if (this.status !== 'collecting') return;
    await this.updateComplete;
    this.#focus.focusTarget();
  };

  readonly #handleNewCode = (): void => {
    this.#page.startedByShopper();
    void this.restart();
  };

  readonly #handleCopy = async (): Promise<void> => {
    this.note = (await copyQrLink(this.paymentState?.qr?.data, this.#translation)) ?? this.note;
  };

  readonly #handleSave = async (): Promise<void> => {
    const svg = this.renderRoot.querySelector<SVGSVGElement>('[part~="qr"] svg');
    this.note = (await saveQrImage(svg, this.clock, this.#translation)) ?? this.note;
  };

  protected override render(): TemplateResult {
    const t = this.#wordsInForce;
    if (!t) return renderWordless();
    const status = this.status;
    const payment = this.paymentState;
    const { preview } = readPayloadPreview(this.payload);
    const amount = payment?.amount ?? preview.amount;
    const currency = payment?.currency ?? preview.currency ?? 'CNY';
    const description = payment?.description ?? preview.description ?? '';
    const busy = status === 'starting' || status === 'pending';
    const said = announcement(t, status, this.mode, this.#checkout.countdown.announced);
    // The region is named by its heading (one name, seen and heard); only the stage is busy,
    // not the live regions beside it (a busy region's changes are not announced).
    return html`<section part="base" aria-labelledby="cup-qr-heading" lang=${t.locale}>
      <slot name="header"><h2 part="header" id="cup-qr-heading">${t.title}</h2></slot>
      <p part="amount">
        ${
          amount !== undefined
            ? html`<span class="visually-hidden"
                  >${t.amountLabel} ${spokenAmount(amount, currency, t)}</span
                ><span aria-hidden="true">${formatAmount(amount, currency, t.locale)}</span>`
            : nothing
        }
      </p>
      <p part="description">${description}</p>
      <div part="stage" tabindex="-1" aria-busy=${busy ? 'true' : 'false'}>
        ${this.#renderStage(t, status)}
      </div>
      <div class="messages">
        <p part="notice" role="status">
          ${this.#checkout.stream.reconnecting ? t.reconnecting : ''}
        </p>
        <p class="note" role="status">
          ${this.note || (this.#checkout.resumed && status === 'awaiting-customer' ? t.resumed : '')}
        </p>
      </div>
      <div class="visually-hidden" role="status">${said}</div>
      <div part="footer"><slot name="footer"></slot></div>
    </section>`;
  }

  #renderStage(t: Translation, status: CheckoutStatus): TemplateResult {
    switch (status) {
      case 'idle':
        // Without a payload there is nothing to scan, and nothing to say how to.
        return html`${this.payload ? this.#renderInstructions(t) : nothing}
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
        if (this.mode === 'payment-page' && status === 'pending' && this.#checkout.paymentSession) {
          return this.#renderPaymentPage(t);
        }
        return this.#renderSkeleton(t, status === 'starting' ? t.starting : t.pending);
      case 'awaiting-customer':
        return this.mode === 'payment-page' ? this.#renderPaymentPage(t) : this.#renderQr(t);
      default:
        return renderResult(
          t,
          status,
          this.paymentState,
          this.#checkout.failure,
          this.#handleNewCode,
        );
    }
  }

  #renderQr(t: Translation): TemplateResult {
    const qr = this.paymentState?.qr;
    const view = qr
      ? this.#encoder.render(t, qr, this.#checkout.countdown, this.#handleCopy, this.#handleSave)
      : undefined;
    // The skeleton until both the code and its encoder are there.
    return view ?? this.#renderSkeleton(t, t.pending);
  }

  /** The QR code's layout with placeholders, so that the code arrives without a jump. */
  #renderSkeleton(t: Translation, progress: string): TemplateResult {
    return html`<div part="qr skeleton" class="skeleton" aria-hidden="true"></div>
      <p part="timer progress">${progress}</p>
      ${this.#renderInstructions(t)}`;
  }

  /** How to pay in this mode: scan the code here, or on the Payment Page. */
  #renderInstructions(t: Translation): TemplateResult {
    const text = this.mode === 'payment-page' ? t.paymentPageInstructions : t.instructions;
    return html`<p part="instructions">${markChinese(text, t.locale)}</p>`;
  }

  /** The Payment Page's button or frame; while its file loads, the stage of `pending`. */
  #renderPaymentPage(t: Translation): TemplateResult {
    return this.#page.render(t, this.#renderInstructions(t)) ?? this.#renderSkeleton(t, t.pending);
  }
}

// Its home is the protocol's QR rule; exported here as it always was.
export { appLinkFor };

/** Formats minor units (fen) in `currency` for `locale`: 30000 CNY → `¥300.00`, `CN¥300.00`. */
export function formatAmount(minor: number, currency: string, locale: string): string {
  return formatMinorUnits(minor, currency, locale);
}

/**
 * The amount, currency, description and mode of a payload, read with the wire protocol's
 * `readPayload` (no verification: only the server holds the key) so they show at once.
 * Anything unreadable gives an empty preview; the server's answer fills it in.
 */
export function peekPayload(payload: string): PayloadPreview {
  return readPayloadPreview(payload).preview;
}
