/**
 * `POST /payments {payload, mode?, customer?}`: starts (or resumes) the payment of an order.
 *
 * 1. The payload is verified (MAC, expiry) before anything else: a forged or stale one never
 *    reaches Gate. Then the body may only add the customer fields the payload leaves open:
 *    anything that would change what it fixes is refused (400 `field-fixed`). The mode (QR
 *    code or Payment Page) is the payload's, never the body's: a body `mode` may repeat it,
 *    one that disagrees is `field-fixed` too (the page asked for what the shop did not sign).
 * 2. The order's latest attempt is reused while it is live or paid (200, a new token for it,
 *    no second Gate call). A live attempt is resumed only as it was started: another mode, or
 *    customer details that differ from the stored ones, answer 409 `attempt-conflict` (it
 *    would otherwise wait forever for a sale never sent, or drop the new details silently).
 *    After `decline`, `expired` or `error`, a new attempt gets a fresh
 *    `payment_id` (`ref~2`, `ref~3`...; Gate refuses a payment_id twice), up to `maxAttempts`.
 *    An attempt whose code has run out is first settled with Gate's status, so a new code
 *    never waits on a time-out callback that was lost ({@link settleLapsedCode}: this server
 *    owns the rule "finish the lapsed attempt before opening a new one").
 * 3. The attempt is stored as `pending` BEFORE the sale is sent: the first callback can beat
 *    Gate's answer, and must find the payment.
 * 4. The sale is signed and sent with `general.merchant_callback_url`. A refusal moves the
 *    attempt to `error` (if no callback moved it first) and maps to a 4xx/5xx JSON error.
 *    When only the answer was lost (a time-out, a broken connection), or Gate says it already
 *    has the payment_id (`duplicate`, 3041: an earlier sale with it got through), Gate's status
 *    is asked first: a sale it accepted anyway goes on as that payment.
 */
import {
  checkCustomerField,
  openShopperFields,
  tidyCustomerField,
  type ShopperCustomer,
  type ShopperField,
} from '../../wire/customer.js';
import type { SaleCustomer } from '../../ecommpay/sale.js';
import { isTerminal } from '../../wire/status.js';
import {
  PAYLOAD_CUSTOMER_FIELDS,
  PAYMENT_MODES,
  type PayloadBody,
  type PayloadCustomer,
} from '../../wire/payload.js';
import { type CreatedPayment } from '../../wire/routes.js';
import { type FieldProblem } from '../../wire/errors.js';
import { clientIp } from '../client-ip.js';
import { changePayment } from '../change-payment.js';
import type { CheckoutContext } from '../context.js';
import { GateError } from '../gate/errors.js';
import { HttpError, json, readJsonObject, type ConnectionInfo } from '../http.js';
import { PayloadError, verifyPayload } from '../payload.js';
import { refreshPayment } from '../refresh.js';
import type { PaymentChannel, PaymentRecord } from '../store.js';
import { logText } from '../../shared/log-text.js';
import { hashToken, newToken, type TokenIssue } from '../tokens.js';
import { toPaymentState } from '../view.js';

/**
 * `ref` for the first attempt, then `ref~2`, `ref~3`...: `~` is never part of a ref, so no
 * attempt of one order can take the id of another order.
 */
export function paymentIdFor(ref: string, attempt: number): string {
  return attempt === 1 ? ref : `${ref}~${attempt}`;
}

function readPayloadField(body: Record<string, unknown>, ctx: CheckoutContext): PayloadBody {
  try {
    return verifyPayload(body.payload, ctx.payloadKey, ctx.now());
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    throw new HttpError(error.code === 'payload-expired' ? 410 : 400, error.code, error.message);
  }
}

/**
 * The payment's mode: the payload's (the merchant signed it; `gate` when it says nothing). A
 * body `mode` may repeat it; one that disagrees is refused, not followed: `field-fixed`, as
 * for any other value the page tries to change, checked before any stored attempt is read.
 */
function readMode(body: Record<string, unknown>, payload: PayloadBody): PaymentChannel {
  const decided = payload.mode ?? 'gate';
  if (body.mode === undefined) return decided;
  if (!(PAYMENT_MODES as readonly unknown[]).includes(body.mode)) {
    throw new HttpError(400, 'bad-request', 'mode: "gate" or "payment-page".');
  }
  if (body.mode !== decided) {
    throw new HttpError(
      400,
      'field-fixed',
      `The shop set this payment's mode to "${decided}"; the page cannot change it.`,
      [{ path: 'mode', message: `fixed by the signed payload: "${decided}"`, rule: 'fixed' }],
    );
  }
  return decided;
}

/**
 * Why a live attempt cannot be resumed by this request: it was started in another mode, or
 * the request brings customer details (non-empty) that differ from the stored ones, or that
 * the attempt does not have. Empty when it can: a reload, a second tab with the same details.
 */
function attemptConflicts(
  attempt: PaymentRecord,
  channel: PaymentChannel,
  sent: ShopperCustomer,
): FieldProblem[] {
  const conflicts: FieldProblem[] = [];
  if (attempt.channel !== channel) {
    conflicts.push({ path: 'mode', message: `the attempt was started as "${attempt.channel}"` });
  }
  for (const [field, raw] of Object.entries(sent)) {
    const value = raw === undefined ? '' : tidyCustomerField(field as ShopperField, raw);
    if (!value || value === attempt.customer[field as ShopperField]) continue;
    conflicts.push({
      path: `customer.${field}`,
      message: attempt.customer[field as ShopperField]
        ? 'differs from the details the attempt was started with'
        : 'the attempt was started without it',
    });
  }
  return conflicts;
}

/** The keys of the body. */
const BODY_KEYS = new Set(['payload', 'mode', 'customer']);
/** Keys that would change what the payload signs (its own, and Gate's names for them). */
const ORDER_KEYS = new Set([
  ...['v', 'ref', 'amount', 'currency', 'description', 'returnUrl', 'exp', 'locale'],
  ...['general', 'payment', 'return_url'],
]);

/**
 * What the page sent for the customer, as strings by field, checked for shape only: an
 * attempt to set what the signed payload fixes (`amount`, a customer field the merchant set),
 * the merchant's customer `id` or the `ip_address` the server takes from the request is
 * refused (`field-fixed`) before anything else, so it never reaches Gate nor the store.
 */
function readShopperCustomer(body: Record<string, unknown>, payload: PayloadBody): ShopperCustomer {
  const fixed: FieldProblem[] = [];
  const unknown: FieldProblem[] = [];
  for (const key of Object.keys(body)) {
    if (BODY_KEYS.has(key)) continue;
    const owned = ORDER_KEYS.has(key);
    (owned ? fixed : unknown).push({
      path: key,
      message: owned ? 'fixed by the signed payload' : 'not a field of this request',
      ...(owned ? { rule: 'fixed' } : {}),
    });
  }
  const raw = body.customer;
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new HttpError(400, 'bad-request', 'customer: must be an object.');
  }
  const sent = (raw ?? {}) as Record<string, unknown>;
  const open = openShopperFields(payload.customer);
  const customer: ShopperCustomer = {};
  const invalid: FieldProblem[] = [];
  for (const [key, value] of Object.entries(sent)) {
    const path = `customer.${key}`;
    if ((open as string[]).includes(key)) {
      if (typeof value === 'string') customer[key as ShopperField] = value;
      else if (value !== undefined && value !== null) {
        invalid.push({ path, message: 'must be a string', rule: 'invalid' });
      }
    } else if (
      (PAYLOAD_CUSTOMER_FIELDS as readonly string[]).includes(key) ||
      key === 'ip_address'
    ) {
      const message =
        key === 'ip_address'
          ? 'taken from the request, never sent'
          : key === 'id'
            ? "the merchant's own reference, set in the payload only"
            : 'fixed by the signed payload';
      fixed.push({ path, message, rule: 'fixed' });
    } else {
      unknown.push({ path, message: 'not a customer field' });
    }
  }
  if (fixed.length > 0) {
    throw new HttpError(
      400,
      'field-fixed',
      'The request tries to change details the shop fixed.',
      fixed,
    );
  }
  if (unknown.length > 0) {
    throw new HttpError(400, 'bad-request', 'The request has unknown fields.', unknown);
  }
  if (invalid.length > 0) {
    throw new HttpError(422, 'customer-incomplete', 'Some customer details are invalid.', invalid);
  }
  return customer;
}

/**
 * The sale's customer: the payload's fields (the merchant fixed them), then what the shopper
 * gave for the others, tidied and checked as the form does ({@link tidyCustomerField},
 * {@link checkCustomerField}: the tidied value is the one sent and stored), then
 * the shopper's IP address from the request. Gate needs every field; Payment Page asks the
 * shopper itself for what is missing, so there only what was given is checked.
 */
function customerFor(
  ctx: CheckoutContext,
  payload: PayloadBody,
  sent: ShopperCustomer,
  ip: string | undefined,
  channel: PaymentChannel,
): PaymentRecord['customer'] {
  const fields: FieldProblem[] = [];
  const customer: PayloadCustomer & { ip_address?: string } = { ...payload.customer };
  for (const field of openShopperFields(payload.customer)) {
    const given = sent[field];
    const value = given === undefined ? undefined : tidyCustomerField(field, given);
    if (!value && channel !== 'gate') continue;
    const problem = checkCustomerField(field, value);
    if (problem) fields.push({ path: `customer.${field}`, ...problem });
    else customer[field] = value;
  }
  // What the shopper cannot supply is the merchant's to fix: a configuration error, logged.
  if (channel === 'gate' && !customer.id) {
    ctx.logRefusal(
      'configuration',
      'a Gate sale needs customer.id: set order.customer.id in createPayload()',
    );
    throw new HttpError(500, 'configuration', 'The shop server is not configured fully.');
  }
  if (channel === 'gate' && !ip) {
    ctx.logRefusal(
      'configuration',
      "the shopper's IP address is unknown: set trustProxy (behind a proxy, or in a " +
        "runtime without the connection's address) or pass { remoteAddress } to fetch()",
    );
    throw new HttpError(500, 'configuration', 'The shop server is not configured fully.');
  }
  if (ip) customer.ip_address = ip;
  if (fields.length > 0) {
    throw new HttpError(
      422,
      'customer-incomplete',
      'Some customer details are missing or invalid.',
      fields,
    );
  }
  return customer;
}

/**
 * The answer with a payment and a token for it: `token` when it is the one the attempt was
 * created with, else a new one, issued under the token rules (tokens.ts): a token in use is
 * never dropped for it, and too many in a short time are refused (429 `too-many-tokens`).
 */
async function answerExisting(
  ctx: CheckoutContext,
  payment: PaymentRecord,
  status: number,
  token?: string,
): Promise<Response> {
  if (token === undefined || !payment.tokenHashes.includes(hashToken(token))) {
    token ??= newToken();
    const issue = await ctx.store.issueToken(
      payment.paymentId,
      hashToken(token),
      ctx.now(),
      ctx.tokenRules,
    );
    if (!issue.ok) throw tokenRefusal(ctx, payment, issue);
  }
  const body: CreatedPayment = {
    paymentId: payment.paymentId,
    token,
    state: toPaymentState(payment, ctx.now()),
  };
  return json(status, body);
}

function tokenRefusal(
  ctx: CheckoutContext,
  payment: PaymentRecord,
  issue: Exclude<TokenIssue, { ok: true }>,
): Error {
  if (issue.reason === 'unknown-payment') {
    return new Error(`payment ${payment.paymentId} vanished while a token was issued`);
  }
  const seconds = Math.max(1, Math.ceil(issue.retryAfterMs / 1000));
  ctx.logRefusal(
    'too-many-tokens',
    `tokens: ${logText(payment.paymentId)} was opened too often (${issue.reason}); refused for ${seconds} s`,
  );
  return new HttpError(
    429,
    'too-many-tokens',
    issue.reason === 'rate'
      ? `This payment was opened too many times in a short time; try again in ${seconds} s.`
      : `This payment is open in too many pages; try again in ${seconds} s.`,
    [],
    { 'Retry-After': String(seconds) },
  );
}

/**
 * An attempt whose QR code has run out by this server's clock while the platform's time-out
 * has not arrived: the shopper is asking for a new code, so Gate is asked for the status now
 * rather than waiting on a callback that may be late or lost. If Gate cannot answer, the
 * attempt stays as it is (the callback, or the next request, settles it).
 *
 * The rule "finish the lapsed attempt before opening a new one" is this server's: it alone can
 * ask Gate, and it alone decides which attempt an order's `POST /payments` answers, so it never
 * opens a second attempt while the platform may still take the first (two live codes for one
 * order, both payable). The element keeps another, smaller rule: when this answer is still the
 * lapsed attempt, it shows no dead code but waits on the stream for that attempt's final state,
 * then asks again (a success in the code's last second stands).
 */
async function settleLapsedCode(
  ctx: CheckoutContext,
  payment: PaymentRecord,
): Promise<PaymentRecord> {
  const { qr } = payment;
  if (payment.status !== 'awaiting-customer' || !qr) return payment;
  if (ctx.now() < qr.receivedAt + qr.timeoutSeconds * 1000) return payment;
  try {
    await refreshPayment(ctx, payment.paymentId);
  } catch (error) {
    if (!(error instanceof GateError)) throw error;
    ctx.log(
      `status of ${logText(payment.paymentId)} after its code ran out: Gate failed (${error.kind})`,
    );
    return payment;
  }
  return (await ctx.store.getPayment(payment.paymentId)) ?? payment;
}

/**
 * Failures after which the sale may have reached Gate: only its answer is missing, or Gate
 * says an earlier sale with this payment_id got through (`duplicate`).
 */
const ANSWER_LOST_KINDS: ReadonlySet<string> = new Set([
  'timeout',
  'network',
  'malformed',
  'duplicate',
]);

/**
 * After a sale whose answer was lost, Gate's status says whether the payment exists anyway
 * (applied like a callback): then the payment is live, not an error, and a new attempt would
 * open a second payment at the platform. `undefined` when it does not exist or Gate cannot say.
 */
async function acceptedAnyway(
  ctx: CheckoutContext,
  paymentId: string,
  error: GateError,
): Promise<PaymentRecord | undefined> {
  if (!ANSWER_LOST_KINDS.has(error.kind)) return undefined;
  try {
    // Gate answering at all means it has the payment (an unknown one is an error answer).
    if (!(await refreshPayment(ctx, paymentId))) return undefined;
  } catch (statusError) {
    if (!(statusError instanceof GateError)) throw statusError;
    return undefined;
  }
  return ctx.store.getPayment(paymentId);
}

/** A Gate failure as the element's error. */
function gateHttpError(error: GateError): HttpError {
  switch (error.kind) {
    case 'invalid-request':
    case 'validation':
      return new HttpError(422, 'invalid-request', 'ECommPay found the payment request invalid.', [
        ...error.problems,
        ...error.fieldErrors.map((f) => ({ path: f.field, message: f.message })),
      ]);
    case 'auth':
      return new HttpError(500, 'configuration', 'The shop could not authenticate with ECommPay.');
    case 'refused':
      return new HttpError(
        502,
        'gate-refused',
        `ECommPay refused the payment${error.platformMessage ? `: ${error.platformMessage}` : ''}.`,
      );
    default:
      return new HttpError(
        503,
        'gate-unavailable',
        'ECommPay is not reachable now; try again.',
        [],
        {
          'Retry-After': '5',
        },
      );
  }
}

export async function handleCreatePayment(
  ctx: CheckoutContext,
  request: Request,
  info: ConnectionInfo,
): Promise<Response> {
  const body = await readJsonObject(request, ctx.maxBodyBytes);
  const payload = readPayloadField(body, ctx);
  const channel = readMode(body, payload);
  // Before the order's attempts are looked at: a forged override is refused even on a resume.
  const sent = readShopperCustomer(body, payload);
  const currency = payload.currency;

  const stored = await ctx.store.latestAttempt(payload.ref);
  if (stored && (stored.amount !== payload.amount || stored.currency !== currency)) {
    throw new HttpError(
      409,
      'order-conflict',
      `Order ${payload.ref} was started with another amount or currency.`,
    );
  }
  const latest = stored && (await settleLapsedCode(ctx, stored));
  if (latest && !isTerminal(latest.status)) {
    const conflicts = attemptConflicts(latest, channel, sent);
    if (conflicts.length > 0) {
      throw new HttpError(
        409,
        'attempt-conflict',
        `A payment of order ${payload.ref} is under way with ${
          conflicts.some((c) => c.path === 'mode') ? 'another mode' : 'other customer details'
        }: finish it, or start again once it has ended.`,
        conflicts,
      );
    }
  }
  // A paid order answers with its success whatever the request says: nothing is left to send.
  if (latest && (!isTerminal(latest.status) || latest.status === 'success')) {
    return answerExisting(ctx, latest, 200);
  }
  const attempt = (latest?.attempt ?? 0) + 1;
  if (attempt > ctx.maxAttempts) {
    throw new HttpError(
      429,
      'attempts-exhausted',
      `Order ${payload.ref} has had ${ctx.maxAttempts} payment attempts; no more are allowed.`,
    );
  }

  const ip = clientIp(request.headers, info.remoteAddress, ctx.trustProxy);
  const customer = customerFor(ctx, payload, sent, ip, channel);
  const token = newToken();
  const now = ctx.now();
  const paymentId = paymentIdFor(payload.ref, attempt);
  const created: PaymentRecord = {
    paymentId,
    orderRef: payload.ref,
    attempt,
    projectId: ctx.projectId,
    channel,
    status: 'pending',
    seq: 0,
    amount: payload.amount,
    currency,
    description: payload.description,
    customer,
    returnUrl: payload.returnUrl,
    ...(payload.locale ? { locale: payload.locale } : {}),
    tokenHashes: [hashToken(token)],
    createdAt: now,
    updatedAt: now,
  };
  if (!(await ctx.store.createPayment(created))) {
    // A concurrent request of the same payload created it first: answer with that one.
    const winner = await ctx.store.latestAttempt(payload.ref);
    if (!winner) throw new Error(`payment ${paymentId} vanished`);
    return answerExisting(ctx, winner, 200);
  }

  if (channel === 'gate') {
    try {
      await ctx.gate.sale({
        general: { payment_id: paymentId, merchant_callback_url: ctx.callbackUrl },
        customer: customer as SaleCustomer,
        payment: { amount: payload.amount, currency: 'CNY', description: payload.description },
        return_url: { success: payload.returnUrl },
      });
    } catch (error) {
      if (!(error instanceof GateError)) throw error;
      ctx.log(`sale of ${logText(paymentId)} failed (${error.kind})`, error);
      const accepted = await acceptedAnyway(ctx, paymentId, error);
      if (accepted) return answerExisting(ctx, accepted, 201, token);
      const { current, written } = await changePayment(ctx, paymentId, (p) =>
        p.status === 'pending'
          ? {
              ...p,
              status: 'error',
              seq: p.seq + 1,
              code: error.code ?? `gate-${error.kind}`,
              message: error.platformMessage ?? 'The payment could not be started.',
              updatedAt: ctx.now(),
            }
          : undefined,
      );
      if (written) throw gateHttpError(error);
      // A callback moved it on before the refusal came: the platform's word counts.
      if (current) return answerExisting(ctx, current, 201, token);
      throw gateHttpError(error);
    }
  }
  // Read again: the first callback may have arrived while Gate was answering.
  const current = (await ctx.store.getPayment(paymentId)) ?? created;
  return answerExisting(ctx, current, 201, token);
}
