/**
 * The errors the sandbox answers with. Their codes are ECommPay's own where its unified code
 * list has one (ecommpay/platform-codes.ts, PROTOCOL.md §2); the answers' shapes and HTTP
 * statuses follow PROTOCOL.md §2 (`status`, `code`, `message`, per-field
 * `{code, message, field, description}`; only 200 means accepted; 401 for a bad signature or
 * project; 5xx retryable). The HTTP statuses are the sandbox's choice: ECommPay documents the
 * codes, not which status each comes with.
 *
 * | HTTP | code    | message                         | when                                         |
 * | ---- | ------- | ------------------------------- | -------------------------------------------- |
 * | 400  | `2003`  | Invalid JSON string             | the body is not JSON (or not a JSON object)  |
 * | 400  | field's | the first field error's         | field errors (`errors[]`, codes below)       |
 * | 401  | `2442`  | Project ID not found            | `project_id` is not a sandbox project        |
 * | 401  | `3262`  | Empty signature                 | `general.signature` is missing or empty      |
 * | 401  | `3261`  | Invalid signature               | the signature does not verify                |
 * | 409  | `3041`  | Payment ID already exists       | the project already has this `payment_id`    |
 * | 404  | `3061`  | Transaction not found           | a status request for an unknown payment      |
 *
 * The sandbox's own codes, for what ECommPay's list has no code for (its HTTP layer, its
 * faults), are in 90000-90099, outside every range of that list:
 *
 * | HTTP | code    | message                         | when                                         |
 * | ---- | ------- | ------------------------------- | -------------------------------------------- |
 * | 500  | `90000` | Internal sandbox error          | a bug in the sandbox                         |
 * | 413  | `90001` | Request too large               | the body is over `maxBodyBytes`              |
 * | 415  | `90002` | Unsupported media type          | the body is not sent as `application/json`   |
 * | 421  | `90003` | Unknown host                    | a `Host` the sandbox does not answer         |
 * | 403  | `90004` | Cross-site request refused      | a browser's request from another site        |
 * | 404  | `90005` | Not found                       | no such endpoint                             |
 * | 405  | `90006` | Method not allowed              | GET on a POST endpoint...                    |
 * | 5xx  | `90007` | Gate is temporarily unavailable | the `gateError` fault                        |
 *
 * Field error codes: `2004` required field not provided, `3024` invalid payment ID, `2442`
 * project ID (not an integer), `3121` invalid currency (CNY only), `2426` invalid e-mail,
 * `2610` invalid country, `2611` invalid city, `2124` invalid customer ID; any other invalid
 * field `702` Malformed request. `description` is the foundation parser's message.
 */
import { PLATFORM_CODES, type PlatformCode } from '../ecommpay/platform-codes.js';
import type { Problem } from '../wire/problems.js';

/** One error answer: its HTTP status, code and message. */
export interface GateErrorEntry extends PlatformCode {
  http: number;
}

export const GATE_ERRORS = {
  malformed: { http: 400, ...PLATFORM_CODES.invalidJson },
  invalidParameters: { http: 400, ...PLATFORM_CODES.malformedRequest },
  unknownProject: { http: 401, ...PLATFORM_CODES.projectNotFound },
  emptySignature: { http: 401, ...PLATFORM_CODES.emptySignature },
  invalidSignature: { http: 401, ...PLATFORM_CODES.invalidSignature },
  paymentIdUsed: { http: 409, ...PLATFORM_CODES.paymentIdExists },
  paymentNotFound: { http: 404, ...PLATFORM_CODES.transactionNotFound },
  // The sandbox's own (90000-90099): nothing of ECommPay's list means these.
  internal: { http: 500, code: '90000', message: 'Internal sandbox error' },
  tooLarge: { http: 413, code: '90001', message: 'Request too large' },
  unsupportedMediaType: { http: 415, code: '90002', message: 'Unsupported media type' },
  unknownHost: { http: 421, code: '90003', message: 'Unknown host' },
  crossSite: { http: 403, code: '90004', message: 'Cross-site request refused' },
  notFound: { http: 404, code: '90005', message: 'Not found' },
  methodNotAllowed: { http: 405, code: '90006', message: 'Method not allowed' },
  unavailable: { http: 503, code: '90007', message: 'Gate is temporarily unavailable' },
} as const satisfies Record<string, GateErrorEntry>;

export type GateErrorName = keyof typeof GATE_ERRORS;

/** The field errors' codes and messages: ECommPay's, by what is wrong and where. */
export const FIELD_ERRORS = {
  missing: PLATFORM_CODES.requiredField,
  invalid: PLATFORM_CODES.malformedRequest,
  paymentId: PLATFORM_CODES.invalidPaymentId,
  projectId: PLATFORM_CODES.projectNotFound,
  currency: PLATFORM_CODES.invalidCurrency,
  email: PLATFORM_CODES.invalidEmail,
  country: PLATFORM_CODES.invalidCountry,
  city: PLATFORM_CODES.invalidCity,
  customerId: PLATFORM_CODES.invalidCustomerId,
} as const satisfies Record<string, PlatformCode>;

/** The field whose invalid value has a code of its own in ECommPay's list. */
const FIELD_CODES: Readonly<Record<string, PlatformCode>> = {
  'general.payment_id': FIELD_ERRORS.paymentId,
  'general.project_id': FIELD_ERRORS.projectId,
  'payment.currency': FIELD_ERRORS.currency,
  'customer.email': FIELD_ERRORS.email,
  'customer.country': FIELD_ERRORS.country,
  'customer.city': FIELD_ERRORS.city,
  'customer.id': FIELD_ERRORS.customerId,
};

/** Gate's per-field error. */
export interface FieldError {
  code: string;
  message: string;
  /** The request field, dotted: `customer.phone`. */
  field: string;
  description: string;
}

/** The parser's messages for a value that is not there at all (absent, or blank). */
const MISSING = new Set(['required', 'must not be empty']);

/** A parser problem (`payment.currency: CUP QR takes CNY only`) as a Gate field error. */
export function fieldError(problem: Problem): FieldError {
  const kind = MISSING.has(problem.message)
    ? FIELD_ERRORS.missing
    : Object.hasOwn(FIELD_CODES, problem.path)
      ? FIELD_CODES[problem.path]
      : FIELD_ERRORS.invalid;
  return {
    code: kind.code,
    message: kind.message,
    field: problem.path,
    description: problem.message,
  };
}

/** What a Gate error answer echoes of the request, when it could read it. */
export interface Echo {
  project_id?: number;
  payment_id?: string;
}

/**
 * The body of a Gate error answer. With field errors, its `code` and `message` are the first
 * field error's (ECommPay documents one code per error; which one leads is the sandbox's
 * choice), unless `details.message` says otherwise.
 */
export function gateErrorBody(
  name: GateErrorName,
  requestId: string,
  echo: Echo = {},
  details: { errors?: FieldError[]; message?: string } = {},
): Record<string, unknown> {
  const first = details.errors?.[0];
  const error = name === 'invalidParameters' && first ? first : GATE_ERRORS[name];
  return {
    status: 'error',
    request_id: requestId,
    ...(echo.project_id !== undefined ? { project_id: echo.project_id } : {}),
    ...(echo.payment_id !== undefined ? { payment_id: echo.payment_id } : {}),
    code: error.code,
    message: details.message ?? error.message,
    ...(details.errors && details.errors.length > 0 ? { errors: details.errors } : {}),
  };
}

/** What went wrong in a control operation: `not-found` (HTTP 404) or `conflict` (409). */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return this.kind === 'not-found' ? 404 : this.kind === 'conflict' ? 409 : 400;
  }
}
