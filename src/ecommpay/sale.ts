/**
 * The CUP QR purchase request to Gate, `POST /v2/payment/cup/qr/sale` (the seed's Gate
 * "Request format"; PROTOCOL.md §2), and its parser. The sandbox checks incoming requests with
 * it and the Gate client checks outgoing ones, so both sides are exactly as strict. The rules
 * of the fields a shopper may be asked for are the element's form's too, so they live with the
 * wire protocol (wire/customer.ts) and this imports them: browser code never imports ecommpay/.
 */
import { SHOPPER_FIELD_RULES } from '../wire/customer.js';
import {
  absoluteUrl,
  cupQrCurrency,
  ipAddress,
  maxLength,
  MAX_PAYMENT_ID_LENGTH,
  nonEmpty,
  positiveInteger,
  TEXT_RULES,
} from '../wire/fields.js';
import { PAYLOAD_CUSTOMER_FIELDS } from '../wire/payload.js';
import { FieldReader, type Parsed, type Problem, type Rule } from '../wire/problems.js';

/** The customer object: every field required for CUP QR. */
export interface SaleCustomer {
  /** The customer's id in the merchant's project. */
  id: string;
  ip_address: string;
  /** Chinese characters preferred; Latin letters (pinyin) accepted. */
  first_name: string;
  /** Chinese characters preferred; Latin letters (pinyin) accepted. */
  last_name: string;
  /** 4 to 24 digits, no "+". */
  phone: string;
  email: string;
  zip: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** Chinese preferred; Latin letters accepted (an address abroad). */
  city: string;
  /** Chinese preferred; Latin letters accepted (an address abroad). */
  street: string;
}

/**
 * The customer fields, in the order a form asks for them: the merchant's `id`, the shopper's
 * IP address, then what a payload may fix besides `id` (wire/payload.ts).
 */
export const SALE_CUSTOMER_FIELDS: readonly (keyof SaleCustomer)[] = [
  'id',
  'ip_address',
  ...PAYLOAD_CUSTOMER_FIELDS.filter((field) => field !== 'id'),
];

/**
 * The rule of each customer field: the shopper's are the element's form's
 * ({@link SHOPPER_FIELD_RULES}, wire/customer.ts), kept apart so that the browser bundle does
 * not carry the IP address parser.
 */
export const CUSTOMER_FIELD_RULES: Record<keyof SaleCustomer, Rule<string>[]> = {
  id: [...TEXT_RULES],
  ip_address: [ipAddress],
  ...SHOPPER_FIELD_RULES,
};

export interface SaleRequest {
  general: {
    project_id: number;
    payment_id: string;
    /** Present on a signed request. */
    signature?: string;
    /** Where the platform sends this payment's callbacks, instead of the project's URL. */
    merchant_callback_url?: string;
  };
  customer: SaleCustomer;
  payment: {
    /** Minor units (fen): 30000 is 300.00 CNY. */
    amount: number;
    currency: 'CNY';
    description: string;
  };
  return_url: {
    success: string;
  };
  /** Other parameters Gate supports are passed through (and signed) as they are. */
  [extra: string]: unknown;
}

export interface SaleParseOptions {
  /** Require `general.signature` (an incoming request); default false (one about to be signed). */
  requireSignature?: boolean;
}

/**
 * Checks an unknown JSON value against the CUP QR sale request rules and returns it typed, or
 * every problem by path (`customer.phone: digits only, no "+"`).
 */
export function parseSaleRequest(
  input: unknown,
  options: SaleParseOptions = {},
): Parsed<SaleRequest> {
  const problems: Problem[] = [];
  const root = new FieldReader(input, '', problems);
  if (!root.isObject) return { ok: false, problems };

  const general = root.object('general');
  general.integer('project_id', positiveInteger);
  general.string('payment_id', nonEmpty, maxLength(MAX_PAYMENT_ID_LENGTH));
  if (options.requireSignature) general.string('signature', nonEmpty);
  else general.optionalString('signature');
  general.optionalString('merchant_callback_url', absoluteUrl('https:', 'http:'));

  const customer = root.object('customer');
  for (const field of SALE_CUSTOMER_FIELDS) {
    customer.string(field, ...CUSTOMER_FIELD_RULES[field]);
  }

  const payment = root.object('payment');
  payment.integer('amount', positiveInteger);
  payment.string('currency', cupQrCurrency);
  payment.string('description', ...TEXT_RULES);

  root.object('return_url').string('success', absoluteUrl('https:', 'http:'));

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: input as SaleRequest };
}
