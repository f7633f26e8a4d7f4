/**
 * The embedded Payment Page (`payment-page-target="embedded"`): ECommPay's Payment Page in an
 * `<iframe>` inside the element, as merchant.js's EPayWidget frames it over the merchant's page
 * (the seed's flow), without merchant.js. One payment attempt's frame: the link, asked once;
 * open, or closed by the shopper (closing cancels nothing: the payment stream goes on, the
 * result still arrives, and the frame can be reopened); where focus goes.
 *
 * Only the link the merchant's server gave is framed (the element checks it is an absolute
 * http(s) URL), with `frame_mode=iframe` added as merchant.js adds it (never signed), in a
 * sandbox that keeps what the Payment Page needs (its scripts and forms on its own origin, the
 * bank app's window) and takes away the rest (navigating this page without a click).
 */
import { html, type ReactiveController, type TemplateResult } from 'lit';
import type { LitElement } from 'lit';
import type { Translation } from '../translations/types.js';

const SANDBOX =
  'allow-scripts allow-forms allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation';

export class PaymentPageFrame implements ReactiveController {
  readonly #host: LitElement;
  readonly #link: () => Promise<string>;
  readonly #onError: (error: unknown) => void;
  /** The framed URL, once the server gave the link. */
  #url: string | undefined;
  #asked = false;
  #closed = false;
  /** Where focus goes after the next render: into the frame, or to the reopen button. */
  #focus: 'iframe' | '.reopen' | undefined;
  /** The frame had focus before this render (it goes away with a final status). */
  #hadFocus = false;
  /** Increases with each attempt: a link asked for an older one is dropped. */
  #generation = 0;

  constructor(host: LitElement, link: () => Promise<string>, onError: (error: unknown) => void) {
    this.#host = host;
    this.#link = link;
    this.#onError = onError;
    host.addController(this);
  }

  /** Shows the frame of this attempt (its link asked once); `focus`: the shopper asked for it. */
  show(focus: boolean): void {
    if (focus) this.#focus = 'iframe';
    if (this.#asked) return;
    this.#asked = true;
    const generation = this.#generation;
    this.#link().then(
      (url) => {
        if (generation !== this.#generation) return;
        this.#url = `${url}${url.includes('?') ? '&' : '?'}frame_mode=iframe`;
        this.#host.requestUpdate();
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        // Shown as closed: its button asks again (never by itself, in a loop).
        this.#closed = true;
        this.#onError(error);
        this.#host.requestUpdate();
      },
    );
  }

  /** Forgets this attempt's frame (a new attempt, a new payload). */
  reset(): void {
    this.#generation++;
    this.#url = undefined;
    this.#asked = false;
    this.#closed = false;
    this.#focus = undefined;
  }

  hostUpdate(): void {
    this.#hadFocus = this.#host.shadowRoot?.activeElement?.localName === 'iframe';
  }

  hostUpdated(): void {
    const root = this.#host.shadowRoot;
    if (this.#hadFocus && !root?.querySelector('iframe')) {
      // The frame went away under the shopper's focus (the result came): to the result.
      root?.querySelector<HTMLElement>('[part~="status"]')?.focus();
    }
    const target = this.#focus && root?.querySelector<HTMLElement>(this.#focus);
    if (target) {
      this.#focus = undefined;
      target.focus();
    }
  }

  readonly #close = (): void => {
    this.#closed = true;
    this.#focus = '.reopen';
    this.#host.requestUpdate();
  };

  readonly #reopen = (): void => {
    this.#closed = false;
    if (!this.#url) this.#asked = false;
    this.show(true);
    this.#host.requestUpdate();
  };

  render(t: Translation): TemplateResult {
    if (this.#closed) {
      return html`<p part="instructions">${t.paymentPageClosed}</p>
        <div part="actions">
          <button part="button" class="primary reopen" type="button" @click=${this.#reopen}>
            ${t.paymentPageButton}
          </button>
        </div>`;
    }
    if (!this.#url) return html`<p part="timer progress">${t.pending}</p>`;
    return html`<div part="actions" class="frame-bar">
        <button part="button" type="button" @click=${this.#close}>${t.paymentPageClose}</button>
      </div>
      <iframe
        part="payment-page"
        title=${t.paymentPageTitle}
        src=${this.#url}
        sandbox=${SANDBOX}
      ></iframe>`;
  }
}
