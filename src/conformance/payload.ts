/**
 * Payloads as the spec makes them (docs/wire-protocol.md "The payload"), written from the spec
 * and not from the toolkit's code, so the kit judges the toolkit too:
 *
 *   payload = base64url(UTF-8 JSON) + "." + base64url(HMAC-SHA256(key, DOMAIN + encodedBody))
 *   key     = HKDF-SHA256(secret key, salt "cup-qr-checkout", info "cup-qr-checkout/payload-key/v1", 32)
 *
 * or an explicit payload key (its UTF-8 bytes). {@link signBodyText} signs any JSON text as it
 * is (`30000.0`, a BOM, a key the spec does not know), for the payload clauses.
 */
import { createHmac, hkdfSync } from 'node:crypto';

const DOMAIN = 'cup-qr-checkout/payload/v1\n';

export function payloadKey(secretKey: string, explicitKey?: string): Buffer {
  if (explicitKey !== undefined) return Buffer.from(explicitKey, 'utf8');
  return Buffer.from(
    hkdfSync('sha256', secretKey, 'cup-qr-checkout', 'cup-qr-checkout/payload-key/v1', 32),
  );
}

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

/** A payload of the JSON text `text`, exactly as given. */
export function signBodyText(text: string, key: Buffer): string {
  const body = b64url(Buffer.from(text, 'utf8'));
  return `${body}.${b64url(
    createHmac('sha256', key)
      .update(DOMAIN + body)
      .digest(),
  )}`;
}

/** A payload of `body` (JSON.stringify). */
export function signBody(body: Record<string, unknown>, key: Buffer): string {
  return signBodyText(JSON.stringify(body), key);
}

/** Every customer field a Gate sale needs, valid by the customer rules and the sandbox's. */
export const FULL_CUSTOMER = {
  id: 'conformance-customer',
  first_name: '倩文',
  last_name: '伍',
  phone: '13632264147',
  email: 'wu@example.com',
  zip: '100022',
  country: 'CN',
  city: '北京',
  street: '建国路88号',
} as const;

export const ORDER_AMOUNT = 30000;
export const ORDER_DESCRIPTION = '机械键盘 conformance';
export const RETURN_URL = 'https://shop.example/thanks';

/** A payload body for `ref`: a Gate sale with every customer field, valid for an hour. */
export function orderBody(
  ref: string,
  overrides: Record<string, unknown> = {},
  nowMs = Date.now(),
): Record<string, unknown> {
  return {
    v: 1,
    ref,
    amount: ORDER_AMOUNT,
    currency: 'CNY',
    description: ORDER_DESCRIPTION,
    customer: { ...FULL_CUSTOMER },
    returnUrl: RETURN_URL,
    exp: Math.floor(nowMs / 1000) + 3600,
    ...overrides,
  };
}
