/**
 * The client of ECommPay's Gate (PROTOCOL.md §2): starts a CUP QR purchase and asks a
 * payment's status, server to server. The request is checked before anything is sent, signed
 * with the project's secret key, and every way the exchange can go wrong ends in one typed
 * {@link GateError} whose `kind` and `retryable` say what the merchant's code can do about it.
 *
 * It uses the standard `fetch` (Node >= 18, Deno, Bun, edge runtimes) and nothing else.
 */
import type { StatusAnswer } from '../ecommpay/callback.js';
import { parseStatusAnswer } from '../ecommpay/callback.js';
import type { GateAccepted, GateFieldError, GateRefused } from '../ecommpay/gate-answer.js';
import { parseGateAnswer, readGateErrorDetails } from '../ecommpay/gate-answer.js';
import { MAX_PAYMENT_ID_LENGTH, noSeparator } from '../wire/fields.js';
import { isRiskControlCode, PLATFORM_CODES, SIGNATURE_CODES } from '../ecommpay/platform-codes.js';
import type { Problem } from '../wire/problems.js';
import { describe, formatProblems } from '../wire/problems.js';
import type { SaleCustomer, SaleRequest } from '../ecommpay/sale.js';
import { parseSaleRequest } from '../ecommpay/sale.js';
import { secretKeyProblem } from '../ecommpay/keys.js';
import { checkSignature, findSignature, sign, SignatureError } from '../ecommpay/signature.js';

export const DEFAULT_GATE_URL = 'https://api.ecommpay.com';
export const DEFAULT_GATE_TIMEOUT_MS = 15_000;
/** The CUP QR purchase (the seed's Gate section). */
export const GATE_SALE_PATH = '/v2/payment/cup/qr/sale';
export const GATE_STATUS_PATH = '/v2/payment/status';

/** The longest delay `setTimeout` honours; a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;
/** How much of an unexpected body a message quotes. */
const QUOTE_LENGTH = 120;

export interface GateClientOptions {
  /** The ECommPay project id. */
  projectId: number;
  /**
   * The project's secret key: requests are signed with it, status answers verified. With a
   * Gate that is not a sandbox on this machine (`127.x.x.x`, `[::1]`, `localhost`), the
   * sandbox's public demo key and keys under 16 characters are refused (keys.ts).
   */
  secretKey: string;
  /** Gate's base URL (default `https://api.ecommpay.com`), or the sandbox's. */
  gateUrl?: string;
  /** How long a whole exchange (connect, send, read the answer) may take; default 15000. */
  timeoutMs?: number;
  /** A `fetch` to use instead of the global one (a proxy agent, instrumentation). */
  fetch?: typeof fetch;
}

/**
 * A sale request as the merchant writes it: no signature (the client signs), and
 * `general.project_id` optional (the client's own is filled in).
 */
export interface SaleInput {
  general: {
    /** When given, it must be the client's `projectId`. */
    project_id?: number;
    payment_id: string;
    merchant_callback_url?: string;
  };
  customer: SaleCustomer;
  payment: SaleRequest['payment'];
  return_url: SaleRequest['return_url'];
  /** Other parameters Gate supports are sent (and signed) as they are. */
  [extra: string]: unknown;
}

/**
 * Gate's answer to a status request: the payment, its operations (the last one's code and
 * message are the payment's) and errors (ecommpay/callback.ts `parseStatusAnswer`). An answer
 * without a signature is taken (Gate answering at all means it has the payment), but says so:
 * only a `signed` one may move a payment on (refresh.ts).
 */
export interface GateStatus extends StatusAnswer {
  /** Whether the answer carried a signature that verifies with this client's secret key. */
  signed: boolean;
}

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
interface GateReply {
  httpStatus: number;
  contentType: string;
  location: string | null;
  text: string;
}

/** What a request is, for messages: `the sale request`, `the status request`. */
interface Exchange {
  what: string;
  paymentId: string;
}

export class GateClient {
  readonly projectId: number;
  /** The base URL, without a trailing slash. */
  readonly gateUrl: string;
  readonly timeoutMs: number;
  // A private field: the key never shows in logs of the client object.
  readonly #secretKey: string;
  readonly #fetch: typeof fetch;

  constructor(options: GateClientOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('GateClient: options are required: { projectId, secretKey }');
    }
    this.projectId = checkProjectId(options.projectId);
    this.gateUrl = checkGateUrl(options.gateUrl ?? DEFAULT_GATE_URL);
    this.#secretKey = checkSecretKey(options.secretKey, this.gateUrl);
    this.timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_GATE_TIMEOUT_MS);
    const fetchImpl = checkFetch(options.fetch ?? globalThis.fetch);
    // Called unbound: a browser's `window.fetch` throws when `this` is anything else.
    this.#fetch = (input, init) => fetchImpl(input, init);
  }

  /**
   * Starts a CUP QR purchase. Resolves when Gate has accepted the request; the QR code and
   * the payment's outcome follow in callbacks (or `status()`).
   *
   * @throws GateError `invalid-request` (with every problem, nothing sent) when the request
   *   breaks the CUP QR rules or a value carries a `;` (which would let the signature cover
   *   another message); the other kinds when Gate refuses it or cannot be reached.
   */
  async sale(input: SaleInput): Promise<GateAccepted> {
    const request = this.signedSale(input);
    // The parser takes an integer payment_id too; Gate echoes it as text.
    const exchange = { what: 'sale request', paymentId: String(request.general.payment_id) };
    const reply = await this.post(GATE_SALE_PATH, request, exchange);
    return this.readSaleAnswer(reply, exchange);
  }

  /**
   * Asks Gate for a payment's current state, as a callback would tell it: for a callback
   * that never came, or after a `timeout` or `network` error on `sale()`. `signed` says
   * whether the answer's signature verified; an unsigned answer is no proof of its status.
   *
   * @throws GateError `refused` for a payment Gate does not know (3061); `malformed` for an
   *   answer that is not a status or whose signature does not verify with this client's key.
   */
  async status(paymentId: string): Promise<GateStatus> {
    const problem = paymentIdProblem(paymentId);
    if (problem) {
      const problems = [{ path: 'payment_id', message: problem }];
      throw new GateError(
        'invalid-request',
        `Invalid status request, nothing was sent to Gate: ${formatProblems(problems)}`,
        { problems },
      );
    }
    const body = { general: { project_id: this.projectId, payment_id: paymentId } };
    const signed = { general: { ...body.general, signature: sign(body, this.#secretKey) } };
    const exchange = { what: 'status request', paymentId };
    const reply = await this.post(GATE_STATUS_PATH, signed, exchange);
    return this.readStatusAnswer(reply, exchange);
  }

  /** The request with the client's project id, checked, then signed; never the caller's object. */
  private signedSale(input: SaleInput): SaleRequest {
    const problems: Problem[] = [];
    const request = this.withProjectId(input, problems);
    const parsed = parseSaleRequest(request);
    if (!parsed.ok) problems.push(...parsed.problems);
    let signature = '';
    if (problems.length === 0) {
      try {
        signature = sign(request, this.#secretKey);
      } catch (error) {
        if (!(error instanceof SignatureError)) throw error;
        // What the sale rules do not cover: extra parameters (a float, a BigInt...), and a `;`
        // in any text, which sign() refuses (the rules are the sandbox's too, and the
        // platform it emulates reads another merchant's `;` as it is).
        const path = error.path.replaceAll(':', '.');
        problems.push({ path, message: error.message.slice(error.path.length + 2) });
      }
    }
    if (problems.length > 0) {
      throw new GateError(
        'invalid-request',
        `Invalid sale request, nothing was sent to Gate: ${formatProblems(problems)}`,
        { problems, paymentId: paymentIdOf(input) },
      );
    }
    const valid = request as SaleRequest;
    return { ...valid, general: { ...valid.general, signature } };
  }

  /**
   * A copy of the input with `general.project_id` filled in and any stale signature left out;
   * the input as it is when it is not even an object (the parser then says so).
   */
  private withProjectId(input: unknown, problems: Problem[]): unknown {
    if (!isRecord(input) || !isRecord(input.general)) return input;
    const { signature: _stale, ...general } = input.general;
    const given = general.project_id;
    if (typeof given === 'number' && given !== this.projectId) {
      problems.push({
        path: 'general.project_id',
        message: `${given} is not this client's project (${this.projectId}): a request must be signed with its own project's secret key`,
      });
    }
    return { ...input, general: { ...general, project_id: given ?? this.projectId } };
  }

  private readSaleAnswer(reply: GateReply, exchange: Exchange): GateAccepted {
    if (reply.httpStatus !== 200) throw this.httpError(reply, exchange);
    const json = this.readJson(reply, exchange);
    const parsed = parseGateAnswer(json);
    if (!parsed.ok) {
      throw this.malformed(
        reply,
        exchange,
        `JSON that is not an answer to a sale (${formatProblems(parsed.problems)})`,
      );
    }
    const answer = parsed.value;
    if (!answer.accepted) throw this.refusal(reply, exchange, answer);
    if (answer.payment_id !== exchange.paymentId || answer.project_id !== this.projectId) {
      throw this.malformed(
        reply,
        exchange,
        `an acceptance of another payment (project ${answer.project_id}, payment_id ${JSON.stringify(answer.payment_id)})`,
      );
    }
    return answer;
  }

  private readStatusAnswer(reply: GateReply, exchange: Exchange): GateStatus {
    if (reply.httpStatus !== 200) throw this.httpError(reply, exchange);
    const json = this.readJson(reply, exchange);
    const refused = statusRefusal(json);
    if (refused) throw this.refusal(reply, exchange, refused);
    // Verify before reading: a body that fails its signature is not Gate's to trust.
    const signed = findSignature(json) !== undefined;
    if (signed) {
      const check = checkSignature(json, this.#secretKey);
      if (!check.valid) {
        throw this.malformed(
          reply,
          exchange,
          `a status whose signature does not verify with this client's secret key (${check.reason})`,
        );
      }
    }
    const parsed = parseStatusAnswer(json);
    if (!parsed.ok) {
      throw this.malformed(
        reply,
        exchange,
        `JSON that is not a payment status (${formatProblems(parsed.problems)})`,
      );
    }
    if (
      parsed.value.paymentId !== exchange.paymentId ||
      parsed.value.projectId !== this.projectId
    ) {
      throw this.malformed(
        reply,
        exchange,
        `the status of another payment (project ${parsed.value.projectId}, payment_id ${JSON.stringify(parsed.value.paymentId)})`,
      );
    }
    return { ...parsed.value, signed };
  }

  /**
   * POSTs `body` as JSON and reads the whole answer, all within `timeoutMs`: a server that
   * sends its headers and then stalls times out too.
   */
  private async post(path: string, body: object, exchange: Exchange): Promise<GateReply> {
    const url = `${this.gateUrl}${path}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no complete answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    try {
      const response = await untilAborted(
        this.#fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
          signal: controller.signal,
          // A redirect would turn the POST into a GET elsewhere: report it instead.
          redirect: 'manual',
        }),
        controller.signal,
      );
      const text = await untilAborted(response.text(), controller.signal);
      return {
        httpStatus: response.status,
        contentType: response.headers.get('content-type') ?? '',
        location: response.headers.get('location'),
        text,
      };
    } catch (error) {
      if (timedOut) {
        throw new GateError(
          'timeout',
          `Gate did not answer the ${exchange.what} within ${this.timeoutMs} ms (POST ${url}); ` +
            `it may or may not have received it. ${retryAdvice(exchange)}`,
          { paymentId: exchange.paymentId, cause: error },
        );
      }
      throw new GateError(
        'network',
        `Could not reach Gate for the ${exchange.what} (POST ${url}): ${networkReason(error)}. ` +
          retryAdvice(exchange),
        { paymentId: exchange.paymentId, cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private readJson(reply: GateReply, exchange: Exchange): unknown {
    try {
      return JSON.parse(reply.text);
    } catch {
      const type = reply.contentType ? `${reply.contentType}, ` : '';
      throw this.malformed(
        reply,
        exchange,
        `a body that is not JSON (${type}${quote(reply.text)}): check that gateUrl (${this.gateUrl}) is Gate's address`,
      );
    }
  }

  /** An error for an answer that is not HTTP 200. */
  private httpError(reply: GateReply, exchange: Exchange): GateError {
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
    const known = this.codeError(exchange, http, options);
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
          `the secret key of project ${this.projectId}, and projectId the right project ` +
          `(ECommPay Dashboard, project settings).`,
        options,
      );
    }
    if (status === 403) {
      return new GateError(
        'auth',
        `Gate denied access to the ${exchange.what} (${http}): this server's IP address is ` +
          `probably not on the project's IP allow-list (ask ECommPay support to add it); ` +
          `otherwise check the secret key of project ${this.projectId}.`,
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
      const hint = status === 404 ? `: check gateUrl (${this.gateUrl})` : '';
      return new GateError(
        'refused',
        `Gate refused the ${exchange.what} (${http})${hint}.${fields}`,
        options,
      );
    }
    const where = status >= 300 && status <= 399 && reply.location ? ` to ${reply.location}` : '';
    return this.malformed(
      reply,
      exchange,
      `an unexpected status${where} (only 200 means accepted): check gateUrl (${this.gateUrl})`,
      options,
    );
  }

  /** An error answer sent with HTTP 200: Gate read the request and said no. */
  private refusal(reply: GateReply, exchange: Exchange, answer: GateRefused): GateError {
    const http = `HTTP ${reply.httpStatus}, status ${JSON.stringify(answer.status)}${platformSaid(answer.code, answer.message)}`;
    const options: GateErrorOptions = {
      httpStatus: reply.httpStatus,
      code: answer.code,
      platformMessage: answer.message,
      fieldErrors: answer.errors,
      paymentId: exchange.paymentId,
    };
    const known = this.codeError(exchange, http, options);
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
  private codeError(
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
          `the secret key of project ${this.projectId} (ECommPay Dashboard, project settings).`,
        options,
      );
    }
    if (code === PLATFORM_CODES.projectNotFound.code) {
      return new GateError(
        'auth',
        `Gate does not know the project of the ${exchange.what} (${http}): check that ` +
          `projectId (${this.projectId}) is your ECommPay project id.`,
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

  private malformed(
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

/**
 * The refusal a status answer without a `payment` carries: an error answer (a top-level
 * `status` with `code` and `message`), or only the array `errors` of the status answer's own
 * structure (its first entry's code and message); `undefined` for an answer with a payment.
 */
function statusRefusal(json: unknown): GateRefused | undefined {
  if (!isRecord(json) || 'payment' in json) return undefined;
  if (typeof json.status === 'string') {
    const parsed = parseGateAnswer(json);
    return parsed.ok && !parsed.value.accepted ? parsed.value : undefined;
  }
  const details = readGateErrorDetails(json);
  const first = details.fieldErrors[0];
  if (!first) return undefined;
  return {
    accepted: false,
    status: 'error',
    code: details.code ?? first.code,
    message: details.message ?? first.message,
    errors: details.fieldErrors.filter((error) => error.field !== ''),
  };
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

/**
 * Settles as `promise` does, or rejects as soon as `signal` aborts: a `fetch` (or a body
 * reader) that ignores its signal still cannot outlive the timeout.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function paymentIdOf(input: unknown): string | undefined {
  if (!isRecord(input) || !isRecord(input.general)) return undefined;
  const id = input.general.payment_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function paymentIdProblem(paymentId: unknown): string | undefined {
  if (typeof paymentId !== 'string') return `must be a string, not ${shown(paymentId)}`;
  if (paymentId.trim() === '') return 'must not be empty';
  if (paymentId.length > MAX_PAYMENT_ID_LENGTH) {
    return `at most ${MAX_PAYMENT_ID_LENGTH} characters (got ${paymentId.length})`;
  }
  // The request is signed: a `;` would let the signature cover another message.
  return noSeparator(paymentId);
}

/** An option's wrong value for a message: numbers and strings as they are, else their type. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return describe(value);
}

function checkProjectId(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new TypeError(
    `GateClient: projectId must be the ECommPay project id, a positive integer (got ${shown(value)})`,
  );
}

function checkSecretKey(value: unknown, gateUrl: string): string {
  // Never print the value: it may be a real key in the wrong place.
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(
      `GateClient: secretKey must be the project's secret key, a non-empty string (got ${value === '' ? 'an empty string' : typeof value})`,
    );
  }
  const problem = secretKeyProblem(value, gateUrl);
  if (problem) throw new TypeError(`GateClient: secretKey ${problem}`);
  return value;
}

function checkGateUrl(value: unknown): string {
  const problem = (what: string): TypeError =>
    new TypeError(
      `GateClient: gateUrl must be an http(s) base URL such as ${DEFAULT_GATE_URL}: ${what}`,
    );
  if (typeof value !== 'string') throw problem(`got ${shown(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem(`${JSON.stringify(value)} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw problem(`${JSON.stringify(value)} uses ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw problem(`${JSON.stringify(value)} has a query, a fragment or credentials`);
  }
  // Paths are appended to it: `https://gate/` and `https://gate` are the same base.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function checkTimeout(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_TIMEOUT_MS) {
    return value;
  }
  throw new TypeError(
    `GateClient: timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (got ${shown(value)})`,
  );
}

function checkFetch(value: unknown): typeof fetch {
  if (typeof value === 'function') return value as typeof fetch;
  throw new TypeError(
    'GateClient: no fetch available: run on Node >= 18, or pass one as options.fetch',
  );
}
