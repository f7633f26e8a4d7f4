/**
 * The signed payload as the page and the element read it (DESIGN.md): its readable body, the
 * customer fields a merchant may fix in it, and the payment modes. The Node toolkit signs and
 * verifies it (server/payload.ts); a server in another language matches these names.
 *
 * No DOM, no Node: the element imports it. {@link readPayload} decodes a payload WITHOUT
 * verifying it (only the server holds the key), so the page can show the amount at once.
 */
import { FieldReader, type Parsed, type Problem } from './problems.js';

/**
 * How the shopper pays: `gate`, the QR code on the merchant's page (the server sends the
 * sale to Gate), or `payment-page`, ECommPay's Payment Page (nothing is sent to Gate). The
 * merchant decides it in the signed payload ({@link PayloadBody.mode}); a request body can
 * only repeat it.
 */
export type PaymentMode = 'gate' | 'payment-page';

export const PAYMENT_MODES: readonly PaymentMode[] = ['gate', 'payment-page'];

/** The version of the payload format; a payload of another version is refused. */
export const PAYLOAD_VERSION = 1;

/**
 * The customer fields a merchant may fix in the payload (Gate's `customer` object without
 * `ip_address`, which the server takes from the shopper's request).
 */
export interface PayloadCustomer {
  id?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  email?: string;
  zip?: string;
  country?: string;
  city?: string;
  street?: string;
}

/**
 * The customer fields a payload can fix, in the sale's order: Gate's `customer` fields less the
 * IP address (the server takes it); ecommpay/sale.ts builds the sale's list from this one.
 */
export const PAYLOAD_CUSTOMER_FIELDS = [
  'id',
  'first_name',
  'last_name',
  'phone',
  'email',
  'zip',
  'country',
  'city',
  'street',
] as const satisfies readonly (keyof PayloadCustomer)[];

/**
 * The readable part of a payload: `base64url(JSON of this) + '.' + base64url(MAC)`. All of it
 * is visible to anyone who can read the page; the MAC only stops changes.
 */
export interface PayloadBody {
  /** {@link PAYLOAD_VERSION}. */
  v: number;
  /** The merchant's order reference; payment ids are made from it (`ref`, `ref~2`, ...). */
  ref: string;
  /** Minor units (fen). */
  amount: number;
  currency: string;
  description: string;
  customer?: PayloadCustomer;
  /** Where the shopper goes after a success (Gate's `return_url.success`). */
  returnUrl: string;
  /** Expiry, in Unix seconds. */
  exp: number;
  locale?: string;
  /** How the shopper pays: the merchant's decision, `gate` when absent. */
  mode?: PaymentMode;
}

/** Order references: what is safe in a URL path, a payment id and a log line. */
export const ORDER_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Decodes a payload's body WITHOUT checking its MAC: for showing the amount before any network
 * call. Only the server can tell a genuine payload from a forged one.
 */
export function readPayload(payload: string): Parsed<PayloadBody> {
  const problems: Problem[] = [];
  const dot = typeof payload === 'string' ? payload.indexOf('.') : -1;
  if (dot <= 0 || dot !== payload.lastIndexOf('.') || dot === payload.length - 1) {
    return { ok: false, problems: [{ path: '', message: 'not a payload (body.mac)' }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(base64UrlDecodeText(payload.slice(0, dot)));
  } catch {
    return { ok: false, problems: [{ path: '', message: 'the body is not base64url JSON' }] };
  }
  const root = new FieldReader(json, '', problems);
  if (!root.isObject) return { ok: false, problems };
  const v = root.integer('v', (x) =>
    x === PAYLOAD_VERSION ? undefined : `version ${PAYLOAD_VERSION} only`,
  );
  const ref = root.string('ref', (x) =>
    ORDER_REF_PATTERN.test(x) ? undefined : 'letters, digits, "_", "." and "-", at most 128',
  );
  const amount = root.integer('amount', (x) =>
    x > 0 ? undefined : 'a positive integer of minor units',
  );
  const currency = root.string('currency', (x) =>
    /^[A-Z]{3}$/.test(x) ? undefined : 'an ISO 4217 code',
  );
  const description = root.string('description');
  const returnUrl = root.string('returnUrl');
  const exp = root.integer('exp', (x) => (x > 0 ? undefined : 'Unix seconds'));
  const locale = root.optionalString('locale');
  const mode = root.optionalString('mode', (x) =>
    (PAYMENT_MODES as readonly string[]).includes(x) ? undefined : '"gate" or "payment-page"',
  ) as PaymentMode | undefined;
  const customerReader = root.object('customer', false);
  let customer: PayloadCustomer | undefined;
  if (customerReader.isObject) {
    customer = {};
    for (const field of PAYLOAD_CUSTOMER_FIELDS) {
      const value = customerReader.optionalString(field);
      if (value !== undefined) customer[field] = value;
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      v,
      ref,
      amount,
      currency,
      description,
      ...(customer ? { customer } : {}),
      returnUrl,
      exp,
      ...(locale !== undefined ? { locale } : {}),
      ...(mode !== undefined ? { mode } : {}),
    },
  };
}

/** base64url (no padding) of UTF-8 text; `btoa` exists in browsers and Node >= 16. */
export function base64UrlEncodeText(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The UTF-8 text of base64url; throws on anything that is not. */
export function base64UrlDecodeText(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new Error('not base64url');
  const base64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
