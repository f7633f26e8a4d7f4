/**
 * The client of ECommPay's Gate (PROTOCOL.md §2): starts a CUP QR purchase and asks a
 * payment's status, server to server. The request is checked before anything is sent, signed
 * with the project's secret key, and every way the exchange can go wrong ends in one typed
 * {@link GateError} (errors.ts) whose `kind` and `retryable` say what the merchant's code can do
 * about it. Its options are checked when it is made (options.ts).
 *
 * It uses the standard `fetch` (Node >= 18, Deno, Bun, edge runtimes) and nothing else.
 */
import type { StatusAnswer } from '../../ecommpay/callback.js';
import { parseStatusAnswer } from '../../ecommpay/callback.js';
import type { GateAccepted, GateRefused } from '../../ecommpay/gate-answer.js';
import { parseGateAnswer, readGateErrorDetails } from '../../ecommpay/gate-answer.js';
import { GATE_SALE_PATH, GATE_STATUS_PATH } from '../../ecommpay/gate-paths.js';
import type { SaleCustomer, SaleRequest } from '../../ecommpay/sale.js';
import { parseSaleRequest } from '../../ecommpay/sale.js';
import { checkSignature, findSignature, sign, SignatureError } from '../../ecommpay/signature.js';
import { MAX_PAYMENT_ID_LENGTH, noSeparator } from '../../wire/fields.js';
import type { Problem } from '../../wire/problems.js';
import { formatProblems } from '../../wire/problems.js';
import {
  GateError,
  httpError,
  malformed,
  networkError,
  notJsonError,
  refusalError,
  timeoutError,
  type Exchange,
  type GateReply,
} from './errors.js';
import { readGateClientOptions, shown, type GateClientOptions } from './options.js';

export { GATE_SALE_PATH, GATE_STATUS_PATH };

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

export class GateClient {
  readonly projectId: number;
  /** The base URL, without a trailing slash. */
  readonly gateUrl: string;
  readonly timeoutMs: number;
  // A private field: the key never shows in logs of the client object.
  readonly #secretKey: string;
  readonly #fetch: typeof fetch;

  /** @throws TypeError naming the option that is wrong (options.ts). */
  constructor(options: GateClientOptions) {
    const settings = readGateClientOptions(options);
    this.projectId = settings.projectId;
    this.gateUrl = settings.gateUrl;
    this.#secretKey = settings.secretKey;
    this.timeoutMs = settings.timeoutMs;
    const fetchImpl = settings.fetch;
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
    if (reply.httpStatus !== 200) throw httpError(this, reply, exchange);
    const json = this.readJson(reply, exchange);
    const parsed = parseGateAnswer(json);
    if (!parsed.ok) {
      throw malformed(
        reply,
        exchange,
        `JSON that is not an answer to a sale (${formatProblems(parsed.problems)})`,
      );
    }
    const answer = parsed.value;
    if (!answer.accepted) throw refusalError(this, reply, exchange, answer);
    if (answer.payment_id !== exchange.paymentId || answer.project_id !== this.projectId) {
      throw malformed(
        reply,
        exchange,
        `an acceptance of another payment (project ${answer.project_id}, payment_id ${JSON.stringify(answer.payment_id)})`,
      );
    }
    return answer;
  }

  private readStatusAnswer(reply: GateReply, exchange: Exchange): GateStatus {
    if (reply.httpStatus !== 200) throw httpError(this, reply, exchange);
    const json = this.readJson(reply, exchange);
    const refused = statusRefusal(json);
    if (refused) throw refusalError(this, reply, exchange, refused);
    // Verify before reading: a body that fails its signature is not Gate's to trust.
    const signed = findSignature(json) !== undefined;
    if (signed) {
      const check = checkSignature(json, this.#secretKey);
      if (!check.valid) {
        throw malformed(
          reply,
          exchange,
          `a status whose signature does not verify with this client's secret key (${check.reason})`,
        );
      }
    }
    const parsed = parseStatusAnswer(json);
    if (!parsed.ok) {
      throw malformed(
        reply,
        exchange,
        `JSON that is not a payment status (${formatProblems(parsed.problems)})`,
      );
    }
    if (
      parsed.value.paymentId !== exchange.paymentId ||
      parsed.value.projectId !== this.projectId
    ) {
      throw malformed(
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
      if (timedOut) throw timeoutError(exchange, url, this.timeoutMs, error);
      throw networkError(exchange, url, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private readJson(reply: GateReply, exchange: Exchange): unknown {
    try {
      return JSON.parse(reply.text);
    } catch {
      throw notJsonError(this, reply, exchange);
    }
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
