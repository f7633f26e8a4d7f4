/**
 * The customer fields a shopper may be asked for, and which of them a payload leaves open:
 * all the element needs before its form loads (the rules, customer.ts, come with the form's
 * chunk). customer.ts re-exports these. No DOM, no Node.
 */
import type { PayloadCustomer } from './payload.js';

/**
 * The fields a shopper can be asked, in the form's order (family name first, as Chinese
 * writes it). Never `id` (the merchant's own reference) nor `ip_address` (the server takes it
 * from the request).
 */
export const SHOPPER_FIELDS = [
  'last_name',
  'first_name',
  'phone',
  'email',
  'country',
  'zip',
  'city',
  'street',
] as const satisfies readonly (keyof PayloadCustomer)[];

export type ShopperField = (typeof SHOPPER_FIELDS)[number];

/** What the shopper typed, by field. */
export type ShopperCustomer = Partial<Record<ShopperField, string>>;

/** The shopper fields a payload leaves open: the ones the form asks for. */
export function openShopperFields(fixed: PayloadCustomer | undefined): ShopperField[] {
  return SHOPPER_FIELDS.filter((field) => !fixed?.[field]);
}
