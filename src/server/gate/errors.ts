/**
 * What can go wrong with a Gate request, as the merchant's code sees it: one {@link GateError}
 * class told apart by `kind`, and the words of each failure (what happened, what to check,
 * whether a retry is safe), made from Gate's answer by the functions below. The client
 * (client.ts) decides which failure it is; this file says it.
 */
import type { GateFieldError, GateRefused } from '../../ecommpay/gate-answer.js';
import { readGateErrorDetails } from '../../ecommpay/gate-answer.js';
import {
  isRiskControlCode,
  PLATFORM_CODES,
  SIGNATURE_CODES,
} from '../../ecommpay/platform-codes.js';
import type { Problem } from '../../wire/problems.js';

/** How much of an unexpected body a message quotes. */
const QUOTE_LENGTH = 120;

/**
 * What went wrong, from the merchant's side:
 * - `invalid-request`: the request broke the CUP QR rules; nothing was sent (see `problems`).
 * - `validation`: Gate found the request invalid (HTTP 400/422, or an error answer with
 *   per-field errors; see `fieldErrors`).
 * - `auth`: Gate refused the signature (401, or ECommPay's codes 3261 "Invalid signature" and
 *   3262 "Empty signature": wrong secret key), the project (2442: wrong project id) or the
 *   caller (403: this server's IP address is not on the project's allow-list).
 * - `duplicate`: a sale whose payment_id Gate already has (code 3041 "Payment ID already
 *   exists"): an earlier request with this payment_id got through; `status(paymentId)` tells
 *   how it went. Sending it again is refused again.
 * - `refused`: Gate refused the request for another reason (other 4xx, or an error answer
 *   without field errors: a risk-control refusal 1401-1499, a payment Gate does not know for
 *   a status request, 3061...).
 * - `retryable`: Gate is busy or failing (HTTP 408, 429, 5xx).
 * - `timeout`: no complete answer within `timeoutMs`.
 * - `network`: Gate could not be reached, or the connection broke.
 * - `malformed`: the answer is not what Gate sends (not JSON, a wrong shape, a bad signature,
 *   an unexpected HTTP status).
 */
export type GateErrorKind =
  | 'invalid-request'
  | 'validation'
  | 'auth'
  | 'duplicate'
  | 'refused'
  | 'retryable'
  | 'timeout'
  | 'network'
  | 'malformed';

const RETRYABLE_KINDS: ReadonlySet<GateErrorKind> = new Set(['retryable', 'timeout', 'network']);

export interface GateErrorOptions {
  httpStatus?: number;
  code?: string;
  platformMessage?: string;
  fieldErrors?: readonly GateFieldError[];
  problems?: readonly Problem[];
  paymentId?: string;
  cause?: unknown;
}

/** Every failure of {@link GateClient}: one class, told apart by `kind`. */
export class GateError extends Error {
  override readonly name = 'GateError';
  readonly kind: GateErrorKind;
  /**
   * Whether sending the same request again, with the same payment_id, is safe and may
   * succeed. It is safe because Gate refuses a payment_id it already has, so a request that
   * did get through the first time cannot charge twice: its retry is refused instead (kind
   * `duplicate`, code 3041), and `status(paymentId)` then tells how the first one went. True for `retryable`, `timeout`
   * and `network`; false for the rest, which fail again until something is fixed.
   */
  readonly retryable: boolean;
  /** The HTTP status of Gate's answer, when there was one. */
  readonly httpStatus?: number;
  /** The platform's error code, when its answer had one. */
  readonly code?: string;
  /** The platform's own error message, when its answer had one (`message` is ours). */
  readonly platformMessage?: string;
  /** The platform's per-field errors; empty when it sent none. */
  readonly fieldErrors: readonly GateFieldError[];
  /** For `invalid-request`: every problem found in the request, by path. */
  readonly problems: readonly Problem[];
  /** The payment concerned, when known. */
  readonly paymentId?: string;

  constructor(kind: GateErrorKind, message: string, options: GateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.retryable = RETRYABLE_KINDS.has(kind);
    this.httpStatus = options.httpStatus;
    this.code = options.code;
    this.platformMessage = options.platformMessage;
    this.fieldErrors = options.fieldErrors ?? [];
    this.problems = options.problems ?? [];
    this.paymentId = options.paymentId;
  }
}

/** One HTTP exchange with Gate, the body read in full. */
export interface GateReply {
  httpStatus: number;
  contentType: string;
  location: string | null;
  text: string;
}

/** What a request is, for messages: `the sale request`, `the status request`. */
export interface Exchange {
  what: string;
  paymentId: string;
}

/** What the messages say of the client: its project and Gate's URL. */
export interface GateTarget {
  projectId: number;
  gateUrl: string;
}

/** An error for an answer that is not HTTP 200. */
export function httpError(target: GateTarget, reply: GateReply, exchange: Exchange): GateError {
  const status = reply.httpStatus;
  const details = readGateErrorDetails(safeJson(reply.text));
  const options: GateErrorOptions = {
    httpStatus: status,
    code: details.code,
    platformMessage: details.message,
    fieldErrors: details.fieldErrors,
    paymentId: exchange.paymentId,
  };
  const http = `HTTP ${status}${platformSaid(details.code, details.message)}`;
  const known = codeError(target, exchange, http, options);
  if (known) return known;
  const fields = fieldErrorList(details.fieldErrors);
  if (status === 400 || status === 422) {
    return new GateError(
      'validation',
      `Gate found the ${exchange.what} invalid (${http}).${fields} ${FIX_ADVICE}`,
      options,
    );
  }
  if (status === 401) {
    return new GateError(
      'auth',
      `Gate refused the signature of the ${exchange.what} (${http}): check that secretKey is ` +
        `the secret key of project ${target.projectId}, and projectId the right project ` +
        `(ECommPay Dashboard, project settings).`,
      options,
    );
  }
  if (status === 403) {
    return new GateError(
      'auth',
      `Gate denied access to the ${exchange.what} (${http}): this server's IP address is ` +
        `probably not on the project's IP allow-list (ask ECommPay support to add it); ` +
        `otherwise check the secret key of project ${target.projectId}.`,
      options,
    );
  }
  if (status === 408 || status === 429 || (status >= 500 && status <= 599)) {
    const what =
      status === 429
        ? 'is limiting the rate of requests'
        : status === 408
          ? 'timed out reading the request'
          : 'failed';
    return new GateError(
      'retryable',
      `Gate ${what} (${http}) on the ${exchange.what}. ${retryAdvice(exchange)}`,
      options,
    );
  }
  if (status >= 400 && status <= 499) {
    const hint = status === 404 ? `: check gateUrl (${target.gateUrl})` : '';
    return new GateError(
      'refused',
      `Gate refused the ${exchange.what} (${http})${hint}.${fields}`,
      options,
    );
  }
  const where = status >= 300 && status <= 399 && reply.location ? ` to ${reply.location}` : '';
  return malformed(
    reply,
    exchange,
    `an unexpected status${where} (only 200 means accepted): check gateUrl (${target.gateUrl})`,
    options,
  );
}

/** An error answer sent with HTTP 200: Gate read the request and said no. */
export function refusalError(
  target: GateTarget,
  reply: GateReply,
  exchange: Exchange,
  answer: GateRefused,
): GateError {
  const http = `HTTP ${reply.httpStatus}, status ${JSON.stringify(answer.status)}${platformSaid(answer.code, answer.message)}`;
  const options: GateErrorOptions = {
    httpStatus: reply.httpStatus,
    code: answer.code,
    platformMessage: answer.message,
    fieldErrors: answer.errors,
    paymentId: exchange.paymentId,
  };
  const known = codeError(target, exchange, http, options);
  if (known) return known;
  if (answer.errors.length > 0) {
    const fields = fieldErrorList(answer.errors);
    return new GateError(
      'validation',
      `Gate found the ${exchange.what} invalid (${http}).${fields} ${FIX_ADVICE}`,
      options,
    );
  }
  return new GateError('refused', `Gate refused the ${exchange.what} (${http}).`, options);
}

/**
 * The error an ECommPay code decides, whatever the HTTP status it came with (PROTOCOL.md §2,
 * ecommpay/platform-codes.ts); `undefined` for a code that decides nothing here.

 */
function codeError(
  target: GateTarget,
  exchange: Exchange,
  http: string,
  options: GateErrorOptions,
): GateError | undefined {
  const { code } = options;
  if (code === undefined) return undefined;
  const fields = fieldErrorList(options.fieldErrors ?? []);
  if (code === PLATFORM_CODES.paymentIdExists.code && exchange.what === 'sale request') {
    return new GateError(
      'duplicate',
      `Gate already has payment_id ${JSON.stringify(exchange.paymentId)} (${http}): an ` +
        `earlier sale with it got through. Ask status(${JSON.stringify(exchange.paymentId)}) ` +
        'how it went; sending it again is refused again.',
      options,
    );
  }
  if (SIGNATURE_CODES.has(code)) {
    return new GateError(
      'auth',
      `Gate refused the signature of the ${exchange.what} (${http}): check that secretKey is ` +
        `the secret key of project ${target.projectId} (ECommPay Dashboard, project settings).`,
      options,
    );
  }
  if (code === PLATFORM_CODES.projectNotFound.code) {
    return new GateError(
      'auth',
      `Gate does not know the project of the ${exchange.what} (${http}): check that ` +
        `projectId (${target.projectId}) is your ECommPay project id.`,
      options,
    );
  }
  if (VALIDATION_CODES.has(code)) {
    return new GateError(
      'validation',
      `Gate found the ${exchange.what} invalid (${http}).${fields} ${FIX_ADVICE}`,
      options,
    );
  }
  if (isRiskControlCode(code)) {
    return new GateError(
      'refused',
      `ECommPay's risk control refused the ${exchange.what} (${http}): this payment cannot ` +
        'go through; ECommPay support can say more.',
      options,
    );
  }
  if (code === PLATFORM_CODES.transactionNotFound.code) {
    return new GateError(
      'refused',
      `Gate has no payment ${JSON.stringify(exchange.paymentId)} (${http}).`,
      options,
    );
  }
  return undefined;
}

export function malformed(
  reply: GateReply,
  exchange: Exchange,
  what: string,
  options: GateErrorOptions = {},
): GateError {
  const advice =
    reply.httpStatus === 200 && exchange.what === 'sale request'
      ? ` Gate may have accepted the request: check with status(${JSON.stringify(exchange.paymentId)}) before trying again.`
      : '';
  return new GateError(
    'malformed',
    `Gate answered the ${exchange.what} with HTTP ${reply.httpStatus} and ${what}.${advice}`,
    { httpStatus: reply.httpStatus, paymentId: exchange.paymentId, ...options },
  );
}

/** No complete answer within `timeoutMs`: Gate may or may not have the request. */
export function timeoutError(
  exchange: Exchange,
  url: string,
  timeoutMs: number,
  cause: unknown,
): GateError {
  return new GateError(
    'timeout',
    `Gate did not answer the ${exchange.what} within ${timeoutMs} ms (POST ${url}); ` +
      `it may or may not have received it. ${retryAdvice(exchange)}`,
    { paymentId: exchange.paymentId, cause },
  );
}

/** Gate could not be reached, or the connection broke. */
export function networkError(exchange: Exchange, url: string, cause: unknown): GateError {
  return new GateError(
    'network',
    `Could not reach Gate for the ${exchange.what} (POST ${url}): ${networkReason(cause)}. ` +
      retryAdvice(exchange),
    { paymentId: exchange.paymentId, cause },
  );
}

/** An answer whose body is not JSON: most likely not Gate at all. */
export function notJsonError(target: GateTarget, reply: GateReply, exchange: Exchange): GateError {
  const type = reply.contentType ? `${reply.contentType}, ` : '';
  return malformed(
    reply,
    exchange,
    `a body that is not JSON (${type}${quote(reply.text)}): check that gateUrl (${target.gateUrl}) is Gate's address`,
  );
}

const FIX_ADVICE = 'Fix the request: sent again unchanged, it fails again.';

/** ECommPay's codes of a request that is wrong in itself: fixing it is the only way on. */
const VALIDATION_CODES: ReadonlySet<string> = new Set(
  [
    PLATFORM_CODES.malformedRequest,
    PLATFORM_CODES.invalidJson,
    PLATFORM_CODES.requiredField,
    PLATFORM_CODES.invalidCustomerId,
    PLATFORM_CODES.invalidEmail,
    PLATFORM_CODES.invalidCountry,
    PLATFORM_CODES.invalidCity,
    PLATFORM_CODES.invalidPaymentId,
    PLATFORM_CODES.invalidCurrency,
  ].map((entry) => entry.code),
);

/** What to do after a failure that a retry may cure. */
function retryAdvice(exchange: Exchange): string {
  if (exchange.what !== 'sale request') return 'Retry later: asking a status changes nothing.';
  return (
    'Retry later with the same payment_id. That is safe: Gate refuses a payment_id it already ' +
    'has, so nothing is charged twice (if the retry is refused for that reason, kind ' +
    '`duplicate`, the first request got through: ask status()).'
  );
}

/** `, code 3006 "Incorrect amount"`, or nothing. */
function platformSaid(code: string | undefined, message: string | undefined): string {
  const parts: string[] = [];
  if (code !== undefined) parts.push(`code ${code}`);
  if (message) parts.push(JSON.stringify(message));
  return parts.length > 0 ? `, ${parts.join(' ')}` : '';
}

/** ` Field errors: customer.phone: Invalid parameter (digits only) [1101].`, or nothing. */
function fieldErrorList(fieldErrors: readonly GateFieldError[]): string {
  if (fieldErrors.length === 0) return '';
  return ` Field errors: ${fieldErrors.map(describeFieldError).join('; ')}.`;
}

function describeFieldError(error: GateFieldError): string {
  const where = error.field || '(no field)';
  const detail = error.description ? ` (${error.description})` : '';
  const code = error.code ? ` [${error.code}]` : '';
  return `${where}: ${error.message || 'invalid'}${detail}${code}`;
}

/** The body's start, quoted, for a message: enough to recognise an HTML error page. */
function quote(text: string): string {
  if (text.trim() === '') return 'empty';
  const start = text.length > QUOTE_LENGTH ? `${text.slice(0, QUOTE_LENGTH)}…` : text;
  return `starting ${JSON.stringify(start)}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `fetch` rejects with "fetch failed"; the reason (ECONNREFUSED, a TLS error...) is in `cause`. */
function networkReason(error: unknown): string {
  const reasons: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      reasons.push(typeof code === 'string' ? `${code} (${current.message})` : current.message);
      current = current.cause;
    } else {
      reasons.push(String(current));
      break;
    }
  }
  // The innermost reason is the telling one; "fetch failed" says nothing.
  return reasons.length > 0 ? reasons[reasons.length - 1] : 'unknown error';
}
