/**
 * The customer form as the element holds it before its chunk has loaded (companions.ts):
 * `open` starts the import and shows a placeholder in the form's place (status `collecting`);
 * once the chunk is there, the real form ({@link CustomerForm}) takes over, with the fields
 * and the prefill asked meanwhile, its fields' CSS adopted just before it first shows. When the chunk cannot load (offline, a CDN that serves the
 * script without its companion file), `open`'s promise rejects with an error that names the
 * file; the attempt then ends in `error` with the code `form-unavailable`, and its retry
 * action tries again.
 */
import { html, type LitElement, type TemplateResult } from 'lit';
import type { CustomerForm } from './customer-form.js';
import { adoptCompanionStyles, type CompanionStyles } from './companion-styles.js';
import { CUSTOMER_FORM_FILE, importCustomerForm } from './companions.js';
import { loadCompanion } from './load-companion.js';
import type { ShopperCustomer, ShopperField } from '../wire/shopper-fields.js';
import type { Translation } from '../translations/types.js';

export class LazyCustomerForm {
  #form: CustomerForm | undefined;
  #styles: CompanionStyles | undefined;
  /** While the chunk loads: settles once the form shows, or the load failed. */
  #loading: Promise<void> | undefined;
  #fields: readonly ShopperField[] = [];
  #prefill: ShopperCustomer | undefined;

  constructor(
    private readonly host: LitElement,
    private readonly onSubmit: (customer: ShopperCustomer) => void,
  ) {}

  /** The chunk is on its way: the element's `updateComplete` waits for it. */
  get loading(): Promise<void> | undefined {
    return this.#loading;
  }

  /**
   * Opens the form for `fields`, prefilled with what the merchant knows: at once when its
   * chunk is there, else once it has loaded (the promise; it rejects, naming the file, when
   * the chunk cannot load).
   */
  open(fields: readonly ShopperField[], prefill: ShopperCustomer | undefined): Promise<void> {
    this.#fields = fields;
    this.#prefill = prefill;
    if (this.#form) {
      this.#form.open(fields, prefill);
      return Promise.resolve();
    }
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<void> {
    try {
      const module = await loadCompanion('customer form', CUSTOMER_FORM_FILE, importCustomerForm);
      this.#styles = module.styles;
      this.#form = new module.CustomerForm(this.host, this.onSubmit);
      this.#form.open(this.#fields, this.#prefill);
    } finally {
      this.#loading = undefined;
    }
  }

  /** Fills the fields the shopper has not typed in yet. */
  prefill(values: ShopperCustomer | undefined): void {
    if (this.#form) this.#form.prefill(values);
    else this.#prefill = values;
  }

  /** Places the server's refusals next to their fields (see {@link CustomerForm.showServerErrors}). */
  showServerErrors(problems: unknown): boolean {
    return this.#form?.showServerErrors(problems) ?? false;
  }

  /** The form, or while its chunk loads, its heading over a placeholder in the form's place. */
  render(t: Translation): TemplateResult {
    if (this.#form) {
      adoptCompanionStyles(this.host, this.#styles!);
      return this.#form.render(t);
    }
    return html`<div part="form" aria-busy="true">
      <h3 class="form-title">${t.customerTitle}</h3>
      <p class="form-intro">${t.customerIntro}</p>
      <div part="skeleton" class="skeleton form-skeleton" aria-hidden="true"></div>
    </div>`;
  }
}
