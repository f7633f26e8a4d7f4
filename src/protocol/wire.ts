/**
 * The wire protocol between the element and the merchant's server (DESIGN.md), beyond the
 * payment state itself: route paths, the error body and its codes, the SSE event name, and the
 * readable part of the signed payload. The Node toolkit is its reference implementation; a
 * server in another language matches these names.
 *
 * No DOM, no Node: the element imports it. {@link readPayload} decodes a payload WITHOUT
 * verifying it (only the server holds the key), so the page can show the amount at once.
 */
import { FieldReader, type Parsed, type Problem } from './problems.js';
import type { PaymentState } from './payment-state.js';
import { SALE_CUSTOMER_FIELDS } from './sale.js';

/** The route prefix the element calls by default (its `endpoint` attribute). */
export const DEFAULT_ROUTE_PREFIX = '/cup-qr';

/** Routes under the prefix. `:id` is the payment id, URL-encoded. */
export const ROUTES = {
  /** `POST {payload, mode?, customer?}` -> {@link CreatedPayment}. */
  payments: '/payments',
  /** `GET ?token=` -> `text/event-stream` of `status` events. */
  events: '/payments/:id/events',
  /** `GET ?token=` -> {@link PaymentState} JSON (the polling fallback). */
  payment: '/payments/:id',
  /** `POST` ECommPay's callbacks. */
  callback: '/callback',
  /** `POST {paymentId, token}` -> {@link PaymentPageLink}. */
  paymentPage: '/payment-page',
} as const;

/** The only SSE event name the server sends; its `data:` is a {@link PaymentState}. */
export const STATUS_EVENT = 'status';

/**
 * How the shopper pays: `gate`, the QR code on the merchant's page (the server sends the
 * sale to Gate), or `payment-page`, ECommPay's Payment Page (nothing is sent to Gate). The
 * merchant decides it in the signed payload ({@link PayloadBody.mode}); a request body can
 * only repeat it.
 */
export type PaymentMode = 'gate' | 'payment-page';

export const PAYMENT_MODES: readonly PaymentMode[] = ['gate', 'payment-page'];

/** The body of `POST /payments`. */
export interface CreatePaymentBody {
  payload: string;
  /**
   * The mode the page expects. Optional: the payload decides (`gate` when it says nothing),
   * and a mode that disagrees with it is refused (`400 field-fixed`), never followed.
   */
  mode?: PaymentMode;
  /**
   * The customer fields the payload leaves open (the element's form). A field the payload
   * fixes, `id` or `ip_address` is refused (`field-fixed`), as is any other top-level key.
   */
  customer?: PayloadCustomer;
}

/** The answer of `POST /payments`: 201 for a new attempt, 200 for the current one. */
export interface CreatedPayment {
  paymentId: string;
  /** Opens this payment's stream and status; keep it like a session secret. */
  token: string;
  state: PaymentState;
}

/** The answer of `POST /payment-page`. */
export interface PaymentPageLink {
  url: string;
}

/**
 * Every error code the server answers with, in `{error: {code, message, fields?}}`:
 *
 * | code | HTTP | meaning |
 * |---|---|---|
 * | `bad-request` | 400 | not JSON, or a field of the body missing or of the wrong type |
 * | `payload-invalid` | 400 | the payload is not one this server signed (tampered, truncated) |
 * | `payload-expired` | 410 | the payload's `exp` has passed: reload the page for a new one |
 * | `customer-incomplete` | 422 | the sale lacks customer fields, or one is invalid (see `fields`) |
 * | `field-fixed` | 400 | the body sets a field the payload fixes or the server sets (see `fields`) |
 * | `order-conflict` | 409 | the same order reference with another amount or currency |
 * | `attempts-exhausted` | 429 | the merchant's limit of attempts for this order is reached |
 * | `attempt-conflict` | 409 | the order's live attempt was started in another mode or with other customer details |
 * | `wrong-mode` | 409 | a Payment Page link for a payment started as a QR code (Gate sale) |
 * | `token-required` | 401 | no token given |
 * | `forbidden` | 403 | wrong token, or no such payment (the two are not told apart) |
 * | `not-found` | 404 | no such route |
 * | `method-not-allowed` | 405 | |
 * | `request-timeout` | 408 | the body did not arrive in time (the connection is closed) |
 * | `too-large` | 413 | the body is over the size limit |
 * | `unsupported-media-type` | 415 | the body is not `application/json` |
 * | `too-many-streams` | 429 | stream caps (per payment, per client address, in all) reached; retry later |
 * | `too-many-tokens` | 429 | this payment was opened too often (new tokens); retry after `Retry-After` seconds |
 * | `origin-refused` | 403 | a payment started from a page of another site (its `Origin` is not allowed) |
 * | `rate-limited` | 429 | this client started too many payments; retry after `Retry-After` seconds |
 * | `bad-signature` | 403 | a callback whose signature does not verify |
 * | `wrong-project` | 400 | a callback of another ECommPay project |
 * | `invalid-request` | 422 | Gate found the sale invalid, or a Payment Page link cannot be signed (see `fields`) |
 * | `gate-refused` | 502 | Gate refused the sale |
 * | `gate-unavailable` | 503 | Gate failed, timed out or could not be reached; try again |
 * | `configuration` | 500 | the merchant server is misconfigured (key, allow-list, client IP) |
 * | `internal` | 500 | anything else |
 */
export const ERROR_CODES = [
  'bad-request',
  'payload-invalid',
  'payload-expired',
  'customer-incomplete',
  'field-fixed',
  'order-conflict',
  'attempts-exhausted',
  'attempt-conflict',
  'wrong-mode',
  'token-required',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'request-timeout',
  'too-large',
  'unsupported-media-type',
  'too-many-streams',
  'too-many-tokens',
  'origin-refused',
  'rate-limited',
  'address-refused',
  'bad-signature',
  'wrong-project',
  'invalid-request',
  'gate-refused',
  'gate-unavailable',
  'configuration',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem with one field, by dotted path (`customer.phone`). */
export interface FieldProblem {
  path: string;
  message: string;
  /**
   * For customer fields, the failed rule's id (`CustomerRuleId`: `required`, `phone`,
   * `name`, `address`...), so a form can say it in the shopper's language next to the field.
   */
  rule?: string;
}

/** Every error answer's body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldProblem[] };
}

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

/** The customer fields a payload can fix: the sale's, less the IP (the server takes it). */
export const PAYLOAD_CUSTOMER_FIELDS = SALE_CUSTOMER_FIELDS.filter(
  (field): field is Exclude<(typeof SALE_CUSTOMER_FIELDS)[number], 'ip_address'> =>
    field !== 'ip_address',
) satisfies readonly (keyof PayloadCustomer)[];

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
