/**
 * The errors the sandbox answers with. ECommPay does not publish Gate's error codes for this
 * method, so these codes are the sandbox's own; the shapes and HTTP statuses follow
 * PROTOCOL.md §2 (`status`, `code`, `message`, per-field `{code, message, field, description}`;
 * only 200 means accepted; 401 for a bad signature or key; 5xx retryable).
 *
 * | HTTP | code   | message                        | when                                         |
 * | ---- | ------ | ------------------------------ | -------------------------------------------- |
 * | 400  | `1001` | Malformed request              | the body is not JSON (or not a JSON object)  |
 * | 413  | `1002` | Request too large              | the body is over `maxBodyBytes`              |
 * | 415  | `1003` | Unsupported media type         | the body is not sent as `application/json`   |
 * | 421  | `1004` | Unknown host                   | a `Host` the sandbox does not answer         |
 * | 403  | `1005` | Cross-site request refused     | a browser's request from another site        |
 * | 400  | `1100` | Invalid request parameters     | field errors (`errors[]`, codes below)       |
 * | 401  | `1201` | Invalid signature              | the signature does not verify                |
 * | 401  | `1202` | Unknown project                | `project_id` is not a sandbox project        |
 * | 409  | `1301` | Payment ID already used        | the project already has this `payment_id`    |
 * | 404  | `1401` | Payment not found              | a status request for an unknown payment      |
 * | 404  | `1404` | Not found                      | no such endpoint                             |
 * | 405  | `1405` | Method not allowed             | GET on a POST endpoint...                    |
 * | 5xx  | `1500` | Gate is temporarily unavailable| the `gateError` fault                        |
 *
 * Field error codes: `1101` invalid parameter, `1102` required parameter missing, `1103`
 * currency not supported (CNY only). `description` is the foundation parser's message.
 */
import type { Problem } from '../protocol/problems.js';

export const GATE_ERRORS = {
  malformed: { http: 400, code: '1001', message: 'Malformed request' },
  tooLarge: { http: 413, code: '1002', message: 'Request too large' },
  unsupportedMediaType: { http: 415, code: '1003', message: 'Unsupported media type' },
  unknownHost: { http: 421, code: '1004', message: 'Unknown host' },
  crossSite: { http: 403, code: '1005', message: 'Cross-site request refused' },
  invalidParameters: { http: 400, code: '1100', message: 'Invalid request parameters' },
  invalidSignature: { http: 401, code: '1201', message: 'Invalid signature' },
  unknownProject: { http: 401, code: '1202', message: 'Unknown project' },
  paymentIdUsed: { http: 409, code: '1301', message: 'Payment ID already used' },
  paymentNotFound: { http: 404, code: '1401', message: 'Payment not found' },
  notFound: { http: 404, code: '1404', message: 'Not found' },
  methodNotAllowed: { http: 405, code: '1405', message: 'Method not allowed' },
  unavailable: { http: 503, code: '1500', message: 'Gate is temporarily unavailable' },
} as const;

export type GateErrorName = keyof typeof GATE_ERRORS;

export const FIELD_ERRORS = {
  invalid: { code: '1101', message: 'Invalid parameter' },
  missing: { code: '1102', message: 'Required parameter missing' },
  currency: { code: '1103', message: 'Currency not supported' },
} as const;

/** Gate's per-field error. */
export interface FieldError {
  code: string;
  message: string;
  /** The request field, dotted: `customer.phone`. */
  field: string;
  description: string;
}

/** A parser problem (`payment.currency: CUP QR takes CNY only`) as a Gate field error. */
export function fieldError(problem: Problem): FieldError {
  const kind =
    problem.message === 'required'
      ? FIELD_ERRORS.missing
      : problem.path === 'payment.currency'
        ? FIELD_ERRORS.currency
        : FIELD_ERRORS.invalid;
  return { ...kind, field: problem.path, description: problem.message };
}

/** What a Gate error answer echoes of the request, when it could read it. */
export interface Echo {
  project_id?: number;
  payment_id?: string;
}

/** The body of a Gate error answer. */
export function gateErrorBody(
  name: GateErrorName,
  requestId: string,
  echo: Echo = {},
  details: { errors?: FieldError[]; message?: string } = {},
): Record<string, unknown> {
  const error = GATE_ERRORS[name];
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
