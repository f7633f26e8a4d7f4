/**
 * The customer details a shopper may be asked for (the seed's Payment Page item 2: what the
 * request leaves out, Payment Page asks for), tidied ({@link tidyCustomerField}) and checked
 * with the sale's own rules ({@link SHOPPER_FIELD_RULES}, part of `CUSTOMER_FIELD_RULES`): the
 * element's form and the server's merge call the same two functions, so the server sends
 * what the form shows and refuses exactly what the form refuses.
 *
 * No DOM, no Node: the element imports it.
 */
import {
  address,
  countryCode,
  email,
  noSeparator,
  personName,
  phoneDigits,
  plainText,
  postalCode,
  TEXT_RULES,
  tidyPhone,
} from './fields.js';
import type { Rule } from './problems.js';
import { SHOPPER_FIELDS, type ShopperField } from './shopper-fields.js';

// The list of fields lives in shopper-fields.ts, which the element's main bundle carries (it
// reads which fields a payload leaves open); these rules go with the form's chunk.
export {
  openShopperFields,
  SHOPPER_FIELDS,
  type ShopperCustomer,
  type ShopperField,
} from './shopper-fields.js';

/**
 * The rules of the fields a shopper may be asked for: the element's form applies them, the
 * server applies them again, and the sale's rules (ecommpay/sale.ts) are these plus `id` and
 * `ip_address`.
 */
export const SHOPPER_FIELD_RULES: Record<ShopperField, Rule<string>[]> = {
  first_name: [...TEXT_RULES, plainText, personName],
  last_name: [...TEXT_RULES, plainText, personName],
  phone: [phoneDigits],
  email: [email],
  zip: [postalCode],
  country: [countryCode],
  city: [...TEXT_RULES, plainText, address],
  street: [...TEXT_RULES, plainText, address],
};

/**
 * Why a customer field was refused, for a message in the shopper's language: the id of the
 * field rule that failed (`fields.ts`), or `fixed` (the payload or the server sets it),
 * `invalid` (not a string, a control or invisible character, or a rule without an id),
 * `invalid-character` (a `;`, which the signature cannot carry safely: `noSeparator`).
 */
export type CustomerRuleId =
  | 'required'
  | 'too-long'
  | 'name'
  | 'address'
  | 'phone'
  | 'email'
  | 'country'
  | 'zip'
  | 'fixed'
  | 'invalid'
  | 'invalid-character';

/** One refused field: the rule's id and its English message (the server's answer carries both). */
export interface CustomerFieldError {
  rule: CustomerRuleId;
  message: string;
}

/**
 * One shopper field as it is sent and stored: trimmed, and a phone number tidied
 * ({@link tidyPhone}: `+86 138-0013-8000` is `13800138000`). The form shows this value; the
 * server applies the same before {@link checkCustomerField}.
 */
export function tidyCustomerField(field: ShopperField, value: string): string {
  const trimmed = value.trim();
  return field === 'phone' ? tidyPhone(trimmed) : trimmed;
}

/** `customer` with each shopper field tidied ({@link tidyCustomerField}); other keys as they are. */
export function tidyCustomer<T extends object>(customer: T): T {
  const tidied = { ...customer } as Record<string, unknown>;
  for (const field of SHOPPER_FIELDS) {
    const value = tidied[field];
    if (typeof value === 'string') tidied[field] = tidyCustomerField(field, value);
  }
  return tidied as T;
}

/**
 * Checks one shopper field, as tidied ({@link tidyCustomerField}: this checks the value as it
 * is), with the sale's rules. An empty (or blank) value is `required`: every field is, for a
 * CUP QR sale. A `;` is refused in every field first
 * (`invalid-character`): whatever the shopper types may end up in a signed message (the sale,
 * the Payment Page link), where a `;` would let the signature cover another message. The
 * sale's own rules (ecommpay/sale.ts) do not carry it, so the sandbox, reading another merchant's
 * sale as the platform would, does not invent that refusal.
 */
export function checkCustomerField(
  field: ShopperField,
  value: string | undefined,
): CustomerFieldError | undefined {
  if (value === undefined || value.trim() === '') {
    return { rule: 'required', message: 'required' };
  }
  for (const rule of [noSeparator, ...SHOPPER_FIELD_RULES[field]]) {
    const message = rule(value);
    if (message !== undefined) {
      const id = (rule as { id?: string }).id;
      return { rule: (id as CustomerRuleId | undefined) ?? 'invalid', message };
    }
  }
  return undefined;
}
