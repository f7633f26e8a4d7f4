/**
 * The element's client of the merchant's server (docs/wire-protocol.md): every URL built from
 * the protocol's `ROUTES` under the `endpoint` prefix, the two POSTs (`/payments` and
 * `/payment-page`), each answer checked before it is used (`CreatedPayment` with the shared
 * `parsePaymentState`, the Payment Page link as an absolute http(s) URL), and the
 * `{error: {code, message, fields}}` body of a refusal, and the one `invalid-response` failure
 * for any answer the element cannot use (`invalidResponse`). `fetch` is the page's, looked up at
 * each call. `createPayment` takes the attempt's `AbortSignal`: a request the shopper has left
 * (a new attempt, a new payload) is cancelled, and its caller drops a late answer.
 */
import { absoluteUrl } from '../wire/basic-rules.js';
import { parsePaymentState, type PaymentState } from '../wire/payment-state.js';
import { formatProblems, join, type Parsed, type Problem } from '../wire/problems.js';
import { ROUTES, type CreatePaymentBody } from '../wire/routes.js';
import type { PaymentSession } from './attempt-storage.js';

/** One payment at one merchant server: what its stream and status URLs need. */
export interface PaymentTarget extends PaymentSession {
  /** The merchant route prefix, `/cup-qr` by default. */
  endpoint: string;
}

/** The endpoint without trailing slashes: `/cup-qr/` and `/cup-qr` are one prefix. */
export function prefixOf(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

/** `{endpoint}/payments/{id}/events?token=…` (`events`) or `{endpoint}/payments/{id}?token=…`. */
export function paymentUrl(target: PaymentTarget, route: 'events' | 'payment' = 'payment'): string {
  const path = ROUTES[route].replace(':id', encodeURIComponent(target.paymentId));
  return `${prefixOf(target.endpoint)}${path}?token=${encodeURIComponent(target.token)}`;
}

/** The `{error:{code,message}}` of a wire-protocol error body, as far as it goes. */
export function errorOf(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/** The answer of `POST /payments` as the element takes it: `state` may be missing. */
export interface CreatedAnswer extends PaymentSession {
  state?: PaymentState;
}

/** What `POST /payments` came to. */
export type CreateResult =
  | { ok: true; payment: CreatedAnswer }
  | {
      ok: false;
      /** The server answered with an error; false: no usable answer came. */
      refused: boolean;
      /** The server's code; `http-<status>`, `network` or `invalid-response` without one. */
      code: string;
      message: string;
      /** Of an `invalid-response`: the answer's first wrong field (`state.qr.expiresInSeconds`). */
      field?: string;
      /** A refusal's `error.fields` (as sent: the customer form reads what it can). */
      fields?: unknown;
    };

/**
 * An answer of the merchant server the element cannot use: a `POST /payments` answer, a
 * stream's `data:` or a status JSON that is not what the protocol says. One home for the words:
 * `message` lists every problem (`qr.expiresInSeconds: must be an integer, not a number
 * (59.5)`), `field` names the first wrong field by its dotted path in that answer; none when
 * the answer as a whole is wrong (not JSON, not an object).
 */
export interface InvalidResponse {
  code: 'invalid-response';
  message: string;
  field?: string;
}

export function invalidResponse(problems: readonly Problem[]): InvalidResponse {
  const field = problems.find((problem) => problem.path)?.path;
  return {
    code: 'invalid-response',
    message: formatProblems(problems),
    ...(field ? { field } : {}),
  };
}

/** The problem of an answer that is not a JSON object at all (not JSON, an array, `null`…). */
const NOT_AN_OBJECT: Problem = { path: '', message: 'the answer is not a JSON object' };

/** `body` parsed by `parse` when it is a JSON object; else the one problem that it is not. */
export function readAnswer<T>(body: unknown, parse: (body: unknown) => Parsed<T>): Parsed<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problems: [NOT_AN_OBJECT] };
  }
  return parse(body);
}

/**
 * The `{paymentId, token, state?}` answer of `POST /payments` (`CreatedPayment`), its
 * state read with the shared `parsePaymentState`; or what is wrong with it (`state.qr.data`).
 */
export function parseCreatedPayment(body: unknown): Parsed<CreatedAnswer> {
  return readAnswer(body, (answer) => {
    const { paymentId, token, state } = answer as Record<string, unknown>;
    const problems: Problem[] = [];
    if (typeof paymentId !== 'string' || !paymentId) {
      problems.push({ path: 'paymentId', message: 'required' });
    }
    if (typeof token !== 'string' || !token) problems.push({ path: 'token', message: 'required' });
    const parsed = state === undefined ? undefined : parsePaymentState(state);
    if (parsed && !parsed.ok) {
      for (const { path, message } of parsed.problems) {
        problems.push({ path: path ? join('state', path) : 'state', message });
      }
    }
    if (problems.length > 0) return { ok: false, problems };
    const session = { paymentId: paymentId as string, token: token as string };
    return { ok: true, value: parsed?.ok ? { ...session, state: parsed.value } : session };
  });
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** A POST of JSON under the endpoint, same-origin credentials; the body read as JSON if it is. */
async function post(
  endpoint: string,
  route: string,
  body: object,
  signal?: AbortSignal,
): Promise<{ response: Response; body: unknown }> {
  const response = await fetch(`${prefixOf(endpoint)}${route}`, {
    method: 'POST',
    headers: JSON_HEADERS,
    credentials: 'same-origin',
    body: JSON.stringify(body),
    signal,
  });
  return { response, body: await response.json().catch(() => undefined) };
}

/** `POST {endpoint}/payments`: a new attempt of the payload, or the one under way. */
export async function createPayment(
  endpoint: string,
  request: CreatePaymentBody,
  signal: AbortSignal,
): Promise<CreateResult> {
  let answer: { response: Response; body: unknown };
  try {
    answer = await post(endpoint, ROUTES.payments, request, signal);
  } catch (error) {
    return { ok: false, refused: false, code: 'network', message: messageOf(error) };
  }
  const { response, body } = answer;
  if (!response.ok) {
    const { code, message } = errorOf(body);
    return {
      ok: false,
      refused: true,
      code: code ?? `http-${response.status}`,
      message: message ?? response.statusText,
      fields: (body as { error?: { fields?: unknown } } | undefined)?.error?.fields,
    };
  }
  const payment = parseCreatedPayment(body);
  return payment.ok
    ? { ok: true, payment: payment.value }
    : { ok: false, refused: false, ...invalidResponse(payment.problems) };
}

const webUrl = absoluteUrl('https:', 'http:');

/**
 * `POST {endpoint}/payment-page {paymentId, token}`: the signed Payment Page link of the
 * attempt. Only an absolute http(s) URL is taken (the shopper is sent there); anything else,
 * or a refusal, throws an `Error` saying why.
 */
export async function paymentPageLink(endpoint: string, session: PaymentSession): Promise<string> {
  const { response, body } = await post(endpoint, ROUTES.paymentPage, session);
  const url = (body as { url?: unknown } | undefined)?.url;
  if (!response.ok || typeof url !== 'string' || webUrl(url) !== undefined) {
    const { code, message } = errorOf(body);
    throw new Error(message ?? code ?? `HTTP ${response.status}`);
  }
  return url;
}

/** An error's message, for a note. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
