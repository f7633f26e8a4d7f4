/**
 * The error answers of the wire protocol: every code the merchant's server answers with, and
 * the one body shape `{error: {code, message, fields?}}`. A server in another language
 * answers with these codes.
 *
 * No DOM, no Node: the element imports it.
 */

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
