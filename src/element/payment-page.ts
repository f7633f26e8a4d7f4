/**
 * The Payment Page mode (a payload with `mode: payment-page`): what the element shows once the
 * attempt has its payment, for each `payment-page-target`. `window` and `redirect`: how to pay
 * and the button that asks the merchant's server for the signed link and opens it (the window
 * opened in the click itself, so that no pop-up blocker stops it, and pointed at the page once
 * the link came; `redirect` leaves this page). `embedded`: the Payment Page in a frame inside
 * the element ({@link PaymentPageFrame}), shown as soon as the attempt has a payment, and
 * focused when the shopper started it with a click.
 *
 * It is a companion (companions.ts: `cup-qr-checkout.page.js` beside the bundles, a chunk for
 * bundlers), loaded only for such a payload; lazy-payment-page.ts holds its place until then.
 * Its CSS comes with it (`styles`, adopted by the element before the view first shows).
 */
import { html, type LitElement, type ReactiveController, type TemplateResult } from 'lit';
import { PaymentPageFrame } from '../controllers/payment-page-frame.js';
import type { CheckoutStatus } from '../events.js';
import type { Translation } from '../translations/types.js';
import type { PaymentSession } from './attempt-storage.js';
import { paymentPageLink } from './merchant-api.js';

/** The frame's and the bar's CSS, adopted by the element when the view first shows. */
export { default as styles } from './payment-page.styles.js';

/** The element as the Payment Page sees it. */
export interface PaymentPageHost extends LitElement {
  readonly endpoint: string;
  readonly mode: string;
  readonly status: CheckoutStatus;
  readonly paymentPageTarget: string;
  readonly paymentSession: PaymentSession | undefined;
}

export interface PaymentPageOptions {
  /** The element's words now (the click's notes are said in them). */
  translation(): Translation;
  /** Shows a note under the stage (the page opened, the pop-up blocked). */
  note(text: string): void;
  /** The link could not be had (the server refused, the network): a note says why. */
  failed(error: unknown): void;
  /** Whether the shopper started this attempt with a click (asked once: it is then forgotten). */
  takeShopperStart(): boolean;
}

export class PaymentPageView implements ReactiveController {
  readonly #host: PaymentPageHost;
  readonly #options: PaymentPageOptions;
  readonly #frame: PaymentPageFrame;

  constructor(host: PaymentPageHost, options: PaymentPageOptions) {
    this.#host = host;
    this.#options = options;
    // The frame's controller first: its focus step runs before this one asks it to show.
    this.#frame = new PaymentPageFrame(
      host,
      () => paymentPageLink(host.endpoint, host.paymentSession!),
      options.failed,
    );
    host.addController(this);
  }

  /** Forgets this attempt's frame (a new attempt, a new payload). */
  reset(): void {
    this.#frame.reset();
  }

  /**
   * The embedded frame asks for its link here, after the render that made its place; it
   * changes no reactive state until that answer comes.
   */
  hostUpdated(): void {
    const host = this.#host;
    const status = host.status;
    if (
      host.paymentPageTarget === 'embedded' &&
      host.mode === 'payment-page' &&
      host.paymentSession &&
      (status === 'pending' || status === 'awaiting-customer')
    ) {
      this.#frame.show(this.#options.takeShopperStart());
    }
  }

  /** The frame, or `instructions` (how to pay here) over the button that opens the page. */
  render(t: Translation, instructions: TemplateResult): TemplateResult {
    if (this.#host.paymentPageTarget === 'embedded') return this.#frame.render(t);
    return html`${instructions}
      <div part="actions">
        <button part="button" class="primary" type="button" @click=${this.#open}>
          ${t.paymentPageButton}
        </button>
      </div>`;
  }

  readonly #open = async (): Promise<void> => {
    const host = this.#host;
    const session = host.paymentSession;
    if (!session) return;
    const redirect = host.paymentPageTarget === 'redirect';
    // Opened in the click itself, so that no pop-up blocker stops it; pointed at the page later.
    const popup = redirect ? null : window.open('', '_blank');
    if (popup) popup.opener = null;
    try {
      const url = await paymentPageLink(host.endpoint, session);
      const t = this.#options.translation();
      if (popup) {
        popup.location.href = url;
        this.#options.note(t.paymentPageOpened);
      } else {
        if (!redirect) this.#options.note(t.paymentPageBlocked);
        window.location.assign(url);
      }
    } catch (error) {
      popup?.close();
      this.#options.failed(error);
    }
  };
}
