/**
 * Signed payloads: the string the merchant's page gives the element as `payload`.
 *
 *   base64url(JSON body) + '.' + base64url(HMAC-SHA256(payloadKey, DOMAIN + body))
 *
 * Tamper-evident (the MAC covers the exact body bytes), expiring (`exp`), readable by the
 * element without the key (`readPayload` in `wire/payload.ts`). It can never pass for a Gate
 * signature, nor a Gate signature for it: another hash (SHA-256, not SHA-512), another input
 * format (a fixed domain line + raw JSON, never the `path:value` flattening) and, by default,
 * another key (derived from the secret key by HKDF with its own label).
 *
 * What the page can read: the order reference, amount, currency, description, the customer
 * fields the merchant fixed, the return URL, the expiry, the locale and the mode. Nothing
 * secret belongs in it.
 *
 * Its texts end up in messages signed with the ECommPay key (the sale, the Payment Page
 * link), so none may carry a `;` (`noSeparator`): {@link createPayload} throws, and a payload
 * signed elsewhere that has one is refused ({@link verifyPayload}).
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { tidyCustomer } from '../wire/customer.js';
import { CUSTOMER_FIELD_RULES } from '../ecommpay/sale.js';
import { absoluteUrl, cupQrCurrency, maxLength, noSeparator, nonEmpty } from '../wire/fields.js';
import { formatProblems, type Problem } from '../wire/problems.js';
import {
  base64UrlEncodeText,
  ORDER_REF_PATTERN,
  PAYLOAD_CUSTOMER_FIELDS,
  PAYLOAD_VERSION,
  PAYMENT_MODES,
  readPayload,
  type PayloadBody,
  type PayloadCustomer,
  type PaymentMode,
} from '../wire/payload.js';

/** The first line of every MAC input: the payload's own signing domain. */
export const PAYLOAD_DOMAIN = 'cup-qr-checkout/payload/v1\n';
export const DEFAULT_PAYLOAD_TTL_SECONDS = 3600;
/** How far a payload's `exp` may be beyond now: a week. */
const MAX_TTL_SECONDS = 7 * 24 * 3600;
/** Clock skew between the servers that sign and verify (several instances). */
const SKEW_SECONDS = 60;

/** What the merchant's server knows of an order. */
export interface Order {
  /** The order reference: letters, digits, `_`, `.`, `-`; at most 128. */
  ref: string;
  /** Minor units (fen): 30000 is 300.00 CNY. */
  amount: number;
  /** `CNY`, the only currency CUP QR takes. */
  currency?: string;
  description: string;
  /**
   * Customer fields to fix: at least `id`, the customer's id in your project, which ECommPay
   * needs for every payment. The rest, if any, the shopper gives in the element's form.
   */
  customer: PayloadCustomer & { id: string };
  /** Where the shopper goes after paying. */
  returnUrl: string;
  /** `zh-CN` or `en`: the Payment Page's language. */
  locale?: string;
  /**
   * How the shopper pays: `gate` (default), the QR code on your page, or `payment-page`,
   * ECommPay's Payment Page. Your decision, signed into the payload: the page cannot change it.
   */
  mode?: PaymentMode;
}

/** Either the project's secret key (a payload key is derived from it) or an explicit key. */
export type PayloadKeyOptions = { secretKey: string } | { payloadKey: string | Uint8Array };

export type CreatePayloadOptions = PayloadKeyOptions & {
  /** How long the payload stays valid; default 3600 s. */
  ttlSeconds?: number;
  /** Unix milliseconds now; for tests. */
  now?: number;
};

export type PayloadErrorCode = 'payload-invalid' | 'payload-expired';

/** Thrown by {@link verifyPayload}; `code` is the wire error code. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  constructor(
    readonly code: PayloadErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The payload key: `payloadKey` as given, or HKDF-SHA256 of the secret key with the label
 * `cup-qr-checkout/payload-key/v1`, so the key that signs payloads never signs Gate messages.
 */
export function payloadKeyOf(options: PayloadKeyOptions): Buffer {
  if ('payloadKey' in options && options.payloadKey !== undefined) {
    const key =
      typeof options.payloadKey === 'string'
        ? Buffer.from(options.payloadKey, 'utf8')
        : Buffer.from(options.payloadKey);
    if (key.length < 16) throw new TypeError('payloadKey: at least 16 bytes');
    return key;
  }
  const secretKey = (options as { secretKey?: unknown }).secretKey;
  if (typeof secretKey !== 'string' || secretKey.length === 0) {
    throw new TypeError('createPayload: secretKey or payloadKey is required');
  }
  return Buffer.from(
    hkdfSync('sha256', secretKey, 'cup-qr-checkout', 'cup-qr-checkout/payload-key/v1', 32),
  );
}

function mac(key: Buffer, encodedBody: string): Buffer {
  return createHmac('sha256', key).update(PAYLOAD_DOMAIN).update(encodedBody).digest();
}

/**
 * Every problem of an order, by path; empty when it can be signed. `customer.id` may be
 * missing here (a payload signed elsewhere is checked with this too; the server then answers
 * `500 configuration`); {@link createPayload} requires it.
 */
export function orderProblems(
  order: Pick<Order, Exclude<keyof Order, 'customer'>> & { customer?: PayloadCustomer },
): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string | undefined): void => {
    if (message) problems.push({ path, message });
  };
  if (typeof order !== 'object' || order === null) return [{ path: '', message: 'required' }];
  add(
    'ref',
    typeof order.ref === 'string' && ORDER_REF_PATTERN.test(order.ref)
      ? undefined
      : 'letters, digits, "_", "." and "-", at most 128',
  );
  add(
    'amount',
    Number.isSafeInteger(order.amount) && order.amount > 0
      ? undefined
      : 'a positive integer of minor units (fen)',
  );
  add('currency', cupQrCurrency(order.currency ?? 'CNY'));
  add(
    'description',
    typeof order.description === 'string'
      ? (nonEmpty(order.description) ??
          maxLength(255)(order.description) ??
          noSeparator(order.description))
      : 'required',
  );
  add(
    'returnUrl',
    typeof order.returnUrl === 'string'
      ? (absoluteUrl('https:', 'http:')(order.returnUrl) ?? noSeparator(order.returnUrl))
      : 'required',
  );
  if (order.locale !== undefined && !/^[a-zA-Z]{2}(-[a-zA-Z0-9]{2,8})?$/.test(order.locale)) {
    add('locale', 'a language tag such as zh-CN or en');
  }
  if (order.mode !== undefined && !(PAYMENT_MODES as readonly unknown[]).includes(order.mode)) {
    add('mode', '"gate" (the QR code on your page) or "payment-page"');
  }
  if (order.customer !== undefined) {
    // Checked as signed: tidied (`+86 138…` is `138…`), as the shopper's fields are.
    const customer = tidyCustomer(order.customer as Record<string, unknown>);
    for (const [field, value] of Object.entries(customer)) {
      const path = `customer.${field}`;
      if (!(PAYLOAD_CUSTOMER_FIELDS as readonly string[]).includes(field)) {
        add(
          path,
          field === 'ip_address'
            ? 'the server takes it from the shopper request'
            : 'not a customer field',
        );
      } else if (typeof value !== 'string') {
        add(path, 'must be a string');
      } else {
        const rules = [noSeparator, ...CUSTOMER_FIELD_RULES[field as keyof PayloadCustomer]];
        add(
          path,
          rules.map((rule) => rule(value)).find((m) => m !== undefined),
        );
      }
    }
  }
  return problems;
}

/**
 * Signs an order into the element's `payload`.
 *
 * @throws TypeError listing every problem of the order, or when no key is given.
 */
export function createPayload(order: Order, options: CreatePayloadOptions): string {
  const problems = orderProblems(order);
  if (typeof order?.customer?.id !== 'string' && !problems.some((p) => p.path === 'customer.id')) {
    problems.push({
      path: 'customer.id',
      message: "required: the customer's id in your project (ECommPay needs it for every payment)",
    });
  }
  if (problems.length > 0) throw new TypeError(`createPayload: ${formatProblems(problems)}`);
  const ttl = options.ttlSeconds ?? DEFAULT_PAYLOAD_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS) {
    throw new TypeError(`createPayload: ttlSeconds must be 1 to ${MAX_TTL_SECONDS}`);
  }
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const body: PayloadBody = {
    v: PAYLOAD_VERSION,
    ref: order.ref,
    amount: order.amount,
    currency: order.currency ?? 'CNY',
    description: order.description,
    ...(order.customer ? { customer: tidyCustomer(order.customer) } : {}),
    returnUrl: order.returnUrl,
    exp: nowSeconds + ttl,
    ...(order.locale ? { locale: order.locale } : {}),
    ...(order.mode ? { mode: order.mode } : {}),
  };
  const encoded = base64UrlEncodeText(JSON.stringify(body));
  return `${encoded}.${mac(payloadKeyOf(options), encoded).toString('base64url')}`;
}

/**
 * Checks a payload's MAC (in constant time) and expiry and returns its body.
 *
 * @throws PayloadError `payload-invalid` (not one of ours, or changed) or `payload-expired`.
 */
export function verifyPayload(payload: unknown, key: Buffer, nowMs = Date.now()): PayloadBody {
  if (typeof payload !== 'string' || payload.length === 0 || payload.length > 16_384) {
    throw new PayloadError('payload-invalid', 'The payload is missing or too long.');
  }
  const dot = payload.indexOf('.');
  const encoded = payload.slice(0, dot);
  // Compared as text, so only the one canonical encoding of the MAC passes (no spare bits).
  const given = Buffer.from(payload.slice(dot + 1), 'utf8');
  const expected = Buffer.from(mac(key, encoded).toString('base64url'), 'utf8');
  // Equal lengths always, so the time taken says nothing about the expected MAC.
  const candidate = given.length === expected.length ? given : Buffer.alloc(expected.length);
  const matches = timingSafeEqual(candidate, expected) && candidate === given;
  if (dot <= 0 || !matches) {
    throw new PayloadError(
      'payload-invalid',
      'The payload was not signed by this server or was changed.',
    );
  }
  const read = readPayload(payload);
  if (!read.ok) {
    throw new PayloadError(
      'payload-invalid',
      `The payload is not valid: ${formatProblems(read.problems)}`,
    );
  }
  // A payload signed elsewhere (another language, an explicit payloadKey) is tidied and held
  // to the rules as createPayload's are.
  const body = read.value.customer
    ? { ...read.value, customer: tidyCustomer(read.value.customer) }
    : read.value;
  const problems = orderProblems(body);
  if (problems.length > 0) {
    throw new PayloadError(
      'payload-invalid',
      `The payload is not valid: ${formatProblems(problems)}`,
    );
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  if (body.exp + SKEW_SECONDS < nowSeconds) {
    throw new PayloadError('payload-expired', 'The payload has expired: reload the page.');
  }
  if (body.exp > nowSeconds + MAX_TTL_SECONDS + SKEW_SECONDS) {
    throw new PayloadError('payload-invalid', 'The payload expires too far in the future.');
  }
  return body;
}
