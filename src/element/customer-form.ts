/**
 * The customer form: asks the shopper for the details the payload leaves open (a CUP QR sale
 * needs them all, as ECommPay's own Payment Page asks for what a request lacks), before the
 * payment starts. What the shopper typed is tidied as the server tidies it
 * ({@link tidyCustomerField}: a phone's spaces, dashes and `+86` go) and the field then shows
 * the value that is sent; its checks are the server's ({@link checkCustomerField}); the
 * server's answer places its own refusals next to the same fields ({@link showServerErrors}).
 *
 * Accessibility: a label per field, the hint and the error tied with `aria-describedby`,
 * `aria-invalid`, the count of refused fields said in a live region, focus on the first
 * refused field; the browser's own validation is off (`novalidate`), so the messages speak
 * the element's language.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { LitElement } from 'lit';
import {
  checkCustomerField,
  tidyCustomerField,
  type CustomerRuleId,
  type ShopperCustomer,
  type ShopperField,
} from '../wire/customer.js';
import { COUNTRY_CODES } from '../wire/fields.js';
import enForm from '../translations/en-form.js';
import zhCNForm from '../translations/zh-CN-form.js';
import type { CustomerFormTranslation, Translation } from '../translations/types.js';
import { markChinese } from './lang-runs.js';

/** The fields' CSS, adopted by the element when the form first shows (companion-styles.ts). */
export { default as styles } from './customer-form.styles.js';

interface InputKind {
  autocomplete: string;
  type?: string;
  inputmode?: string;
  /**
   * Chinese asked first (Latin letters accepted): `lang="zh-CN"`, so IMEs and screen readers
   * treat it as Chinese.
   */
  chinese?: boolean;
}

const INPUTS: Record<Exclude<ShopperField, 'country'>, InputKind> = {
  last_name: { autocomplete: 'family-name', chinese: true },
  first_name: { autocomplete: 'given-name', chinese: true },
  phone: { autocomplete: 'tel', type: 'tel', inputmode: 'numeric' },
  email: { autocomplete: 'email', type: 'email', inputmode: 'email' },
  zip: { autocomplete: 'postal-code' },
  city: { autocomplete: 'address-level2', chinese: true },
  street: { autocomplete: 'address-line1', chinese: true },
};

/** The element's words and the form's own, for the table's locale (the merchant's `strings` on top). */
type FormWords = Translation & CustomerFormTranslation;

/** The element's words with the form's default words under them (a merchant's overrides win). */
export function withFormWords(t: Translation): FormWords {
  return { ...(t.locale === 'en' ? enForm : zhCNForm), ...t } as FormWords;
}

/**
 * Countries by name in the table's language (its own names first, e.g. 中国台湾, then the
 * runtime's), China first (most CUP QR shoppers live there). One list per table's names.
 */
const countryCache = new WeakMap<object, Map<string, [string, string][]>>();
function countries(t: FormWords): [string, string][] {
  const { locale, customerCountryNames: own } = t;
  let byLocale = countryCache.get(own);
  if (!byLocale) countryCache.set(own, (byLocale = new Map()));
  let list = byLocale.get(locale);
  if (!list) {
    let names: Intl.DisplayNames | undefined;
    try {
      names = new Intl.DisplayNames([locale], { type: 'region' });
    } catch {
      // No region names in this runtime: the codes themselves.
    }
    list = [...COUNTRY_CODES]
      .map((code): [string, string] => [code, own[code] ?? names?.of(code) ?? code])
      .sort((a, b) => (a[0] === 'CN' ? -1 : b[0] === 'CN' ? 1 : a[1].localeCompare(b[1], locale)));
    byLocale.set(locale, list);
  }
  return list;
}

/** The form's state and template; the host renders it while its status is `collecting`. */
export class CustomerForm {
  /** The fields asked, in the form's order. */
  fields: readonly ShopperField[] = [];
  #values: ShopperCustomer = {};
  #errors: Partial<Record<ShopperField, CustomerRuleId>> = {};
  /** How many fields the last refused submission had; said in the live region. */
  #refusedCount = 0;

  constructor(
    private readonly host: LitElement,
    private readonly onSubmit: (customer: ShopperCustomer) => void,
  ) {}

  /** Opens the form for `fields`, prefilled with what the merchant knows. */
  open(fields: readonly ShopperField[], prefill: ShopperCustomer | undefined): void {
    this.fields = fields;
    this.#values = {};
    this.#errors = {};
    this.#refusedCount = 0;
    this.prefill(prefill);
  }

  /** Fills the fields the shopper has not typed in yet. */
  prefill(values: ShopperCustomer | undefined): void {
    for (const field of this.fields) {
      const value = values?.[field];
      if (typeof value === 'string' && !this.#values[field]) this.#values[field] = value;
    }
    this.host.requestUpdate();
  }

  /**
   * Places the server's refusals (`{path: 'customer.phone', rule}`) next to their fields (a
   * rule this version has no words for is said as `invalid`).
   * Returns false when none of them is a field of this form (the page cannot fix them); the
   * host then shows the form again (status `collecting`).
   */
  showServerErrors(problems: unknown): boolean {
    if (!Array.isArray(problems)) return false;
    const errors: Partial<Record<ShopperField, CustomerRuleId>> = {};
    for (const problem of problems as { path?: unknown; rule?: unknown }[]) {
      const field = String(problem?.path).replace(/^customer\./, '') as ShopperField;
      if (!this.fields.includes(field)) continue;
      errors[field] ??= String(problem.rule) as CustomerRuleId;
    }
    if (Object.keys(errors).length === 0) return false;
    this.#errors = errors;
    void this.#refused();
    return true;
  }

  /** The field's value as it is sent: tidied as the server tidies it. */
  #tidied(field: ShopperField): string {
    return tidyCustomerField(field, this.#values[field] ?? '');
  }

  #check(field: ShopperField): CustomerRuleId | undefined {
    return checkCustomerField(field, this.#tidied(field))?.rule;
  }

  readonly #handleInput = (event: Event): void => {
    const input = event.target as HTMLInputElement | HTMLSelectElement;
    const field = input.name as ShopperField;
    this.#values[field] = input.value;
    // A shown error goes as soon as the value is right; new ones wait for the next submission
    // (errors while the shopper is still typing only distract).
    if (this.#errors[field] && !this.#check(field)) delete this.#errors[field];
    this.host.requestUpdate();
  };

  /** Leaving a field: it shows its tidied value (`+86 138-0013-8000` becomes `13800138000`). */
  readonly #handleChange = (event: Event): void => {
    const field = (event.target as HTMLInputElement).name as ShopperField;
    this.#values[field] = this.#tidied(field);
    this.host.requestUpdate();
  };

  readonly #handleSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    this.#errors = {};
    for (const field of this.fields) {
      this.#values[field] = this.#tidied(field);
      const rule = this.#check(field);
      if (rule) this.#errors[field] = rule;
    }
    if (Object.keys(this.#errors).length > 0) {
      await this.#refused();
      return;
    }
    const customer: ShopperCustomer = {};
    for (const field of this.fields) customer[field] = this.#values[field];
    this.#refusedCount = 0;
    this.host.requestUpdate();
    this.onSubmit(customer);
  };

  /** Says how many fields need a fix (emptied first, so a repeat is said again); focuses the first. */
  async #refused(): Promise<void> {
    this.#refusedCount = 0;
    this.host.requestUpdate();
    await this.host.updateComplete;
    this.#refusedCount = Object.keys(this.#errors).length;
    this.host.requestUpdate();
    await this.host.updateComplete;
    this.host.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }

  /** The form in the element's words (`words`), the form's own defaults under them. */
  render(words: Translation): TemplateResult {
    const t = withFormWords(words);
    const count = this.#refusedCount;
    return html`<form part="form" novalidate @submit=${this.#handleSubmit}>
      <h3 class="form-title">${t.customerTitle}</h3>
      <p class="form-intro">${t.customerIntro}</p>
      ${this.fields.map((field) => this.#renderField(t, field))}
      <p part="form-error" role="alert">${count > 0 ? t.customerErrorCount(count) : ''}</p>
      <div part="actions">
        <button part="button" class="primary" type="submit">${t.customerSubmit}</button>
      </div>
    </form>`;
  }

  #renderField(t: FormWords, field: ShopperField): TemplateResult {
    const id = `cup-qr-${field}`;
    const hint = t.customerHints[field];
    const error = this.#errors[field];
    const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : '']
      .filter(Boolean)
      .join(' ');
    const value = this.#values[field] ?? '';
    const invalid = error ? 'true' : 'false';
    const described = describedBy || nothing;
    let control: TemplateResult;
    if (field === 'country') {
      control = html`<select
        part="input"
        id=${id}
        name="country"
        autocomplete="country"
        required
        aria-invalid=${invalid}
        aria-describedby=${described}
        @change=${this.#handleInput}
      >
        <option value="" ?selected=${!value}>${t.customerChooseCountry}</option>
        ${countries(t).map(
          ([code, name]) =>
            html`<option value=${code} ?selected=${code === value}>${name}</option>`,
        )}
      </select>`;
    } else {
      const kind = INPUTS[field];
      control = html`<input
        part="input"
        id=${id}
        name=${field}
        type=${kind.type ?? 'text'}
        inputmode=${kind.inputmode ?? nothing}
        autocomplete=${kind.autocomplete}
        lang=${kind.chinese ? 'zh-CN' : nothing}
        required
        aria-invalid=${invalid}
        aria-describedby=${described}
        .value=${value}
        @input=${this.#handleInput}
        @change=${this.#handleChange}
      />`;
    }
    return html`<div part="field">
      <label part="label" for=${id}>${t.customerLabels[field]}</label>
      ${control}
      ${hint ? html`<p part="hint" id="${id}-hint">${markChinese(hint, t.locale)}</p>` : nothing}
      ${
        error
          ? html`<p part="field-error" id="${id}-error">
              ${
                // A list is chosen from, not filled in.
                error === 'required' && field === 'country'
                  ? t.customerErrors.country
                  : (t.customerErrors[error] ?? t.customerErrors.invalid)
              }
            </p>`
          : nothing
      }
    </div>`;
  }
}
