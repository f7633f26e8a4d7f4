/**
 * The Payment Page mode as the element holds it before its file has loaded (companions.ts):
 * `load` starts the import as soon as an attempt of a `payment-page` payload begins, beside
 * the request that creates the payment, so that the view ({@link PaymentPageView}) is there
 * when the payment is. Until then `render` gives nothing and the element shows the stage it
 * shows while the payment is on its way (no layout jump); the view's CSS is adopted just before
 * it first shows. When the file cannot load (offline, a CDN that serves the script without
 * its companion file), `load`'s promise rejects with an error that names the file; the attempt
 * then ends in `error` with the code `page-unavailable`, and its retry action tries again (the
 * server answers with the same live payment: no second one).
 */
import type { TemplateResult } from 'lit';
import { adoptCompanionStyles, type CompanionStyles } from './companion-styles.js';
import { importPaymentPage, PAYMENT_PAGE_FILE } from './companions.js';
import { loadCompanion } from './load-companion.js';
import type { PaymentPageHost, PaymentPageOptions, PaymentPageView } from './payment-page.js';
import type { Translation } from '../translations/types.js';

export class LazyPaymentPage {
  #view: PaymentPageView | undefined;
  #styles: CompanionStyles | undefined;
  /** While the file loads: settles once the view is there, or the load failed. */
  #loading: Promise<void> | undefined;
  /** The shopper started the attempt with a click: the embedded frame takes the focus. */
  #byShopper = false;

  constructor(
    private readonly host: PaymentPageHost,
    private readonly options: Omit<PaymentPageOptions, 'takeShopperStart'>,
  ) {}

  /** The file is on its way: the element's `updateComplete` waits for it. */
  get loading(): Promise<void> | undefined {
    return this.#loading;
  }

  /** The view, at once when its file is there, else once it has loaded (rejects, naming it). */
  load(): Promise<void> {
    if (this.#view) return Promise.resolve();
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<void> {
    try {
      const module = await loadCompanion('Payment Page', PAYMENT_PAGE_FILE, importPaymentPage);
      this.#styles = module.styles;
      this.#view = new module.PaymentPageView(this.host, {
        ...this.options,
        takeShopperStart: () => {
          const byShopper = this.#byShopper;
          this.#byShopper = false;
          return byShopper;
        },
      });
      this.host.requestUpdate();
    } finally {
      this.#loading = undefined;
    }
  }

  /** The shopper started (or renewed) the attempt with a click. */
  startedByShopper(): void {
    this.#byShopper = true;
  }

  /** Forgets this attempt's frame (a new attempt, a new payload). */
  reset(): void {
    this.#view?.reset();
  }

  /** The view (see {@link PaymentPageView.render}), or `undefined` while its file loads. */
  render(t: Translation, instructions: TemplateResult): TemplateResult | undefined {
    if (!this.#view) return undefined;
    adoptCompanionStyles(this.host, this.#styles!);
    return this.#view.render(t, instructions);
  }
}
