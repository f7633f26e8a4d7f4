/**
 * `POST /callback`: ECommPay's callbacks (PROTOCOL.md §3).
 *
 * Order of checks, cheapest first, so that a forged body costs little: the sender's address
 * (403 `address-refused`, when `callbackAllowedIps` is set) and budget (429, when
 * `callbackRateLimit` is set), before the body is read; size (413, 16 KiB by default), UTF-8
 * and JSON of a sane depth (400); the shape of a callback (callback-shape.ts: 400, or 403
 * without a plausible signature); only then the signature on the parsed body, top-level or
 * `general.signature` (403). Nothing is stored for a refused body: an unsigned one is nobody's.
 *
 * A signed callback is recorded whatever it says (what was parsed and a bounded copy of the
 * body, callback-record.ts; an identical delivery is counted, not stored again), and the
 * payment moved on by the state machine, stored, then published. The platform retries anything
 * but 200 for days, so every signed callback we can act on, or can never act on, gets 200 at
 * once; only a wrong project (our configuration is wrong, a retry after the fix can succeed) is
 * refused. Log lines quote nothing from the request but through `logText`, escaped and cut.
 */
import { parseCallback } from '../ecommpay/callback.js';
import { formatProblems } from '../wire/problems.js';
import { keptCallback } from './callback-record.js';
import { callbackShapeProblem } from './callback-shape.js';
import { clientIp } from './client-ip.js';
import { changePayment } from './change-payment.js';
import type { CheckoutContext } from './context.js';
import { HttpError, parseJson, readText, type ConnectionInfo } from './http.js';
import { logText } from '../shared/log-text.js';
import { enforceRateLimit } from './rate-guard.js';
import { checkSignature } from '../ecommpay/signature.js';
import { applyCallback } from './state-machine.js';
import type { CallbackOutcome, ReceivedCallback } from './store.js';

/** The default callback body limit: a real callback is about 1 KiB. */
export const DEFAULT_MAX_CALLBACK_BYTES = 16 * 1024;

const OK = (): Response =>
  new Response('OK', { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/** The route's optional guards, before the body is read: the allow-list, then the budget. */
function guardCallback(ctx: CheckoutContext, request: Request, info: ConnectionInfo): void {
  if (ctx.callbackAllowList) {
    const ip = clientIp(request.headers, info.remoteAddress, ctx.trustProxy);
    if (!ctx.callbackAllowList(ip)) {
      ctx.logRefusal(
        'address-refused',
        `callback refused: ${logText(ip ?? 'an unknown address')} is not in callbackAllowedIps`,
      );
      throw new HttpError(403, 'address-refused', 'Callbacks are not taken from this address.');
    }
  }
  if (ctx.callbackRateLimiter) {
    enforceRateLimit(ctx, ctx.callbackRateLimiter, request, info, {
      did: 'sent too many callbacks',
      refusal: 'Too many callbacks from this address',
    });
  }
}

export async function handleCallback(
  ctx: CheckoutContext,
  request: Request,
  info: ConnectionInfo = {},
): Promise<Response> {
  guardCallback(ctx, request, info);
  const text = await readText(request, ctx.maxCallbackBytes);
  const body = parseJson(text, 'The callback');
  const shape = callbackShapeProblem(body);
  if (shape) {
    ctx.logRefusal(shape.code, `callback refused: ${logText(shape.message)}`);
    throw new HttpError(shape.status, shape.code, shape.message);
  }
  const check = checkSignature(body, ctx.secretKey);
  if (!check.valid) {
    // The reason may name a path, made of the body's keys.
    ctx.logRefusal('bad-signature', `callback refused: ${logText(check.reason)}`);
    throw new HttpError(403, 'bad-signature', 'The callback signature does not verify.');
  }
  const receivedAt = ctx.now();
  const kept = keptCallback(text, body);
  const record = (facts: Omit<ReceivedCallback, keyof typeof kept>): Promise<boolean> =>
    ctx.store.recordCallback({ ...facts, ...kept });
  const parsed = parseCallback(body);
  if (!parsed.ok) {
    ctx.log(`signed callback not understood: ${logText(formatProblems(parsed.problems))}`);
    await record({ receivedAt, paymentId: '', outcome: 'unreadable' });
    return OK();
  }
  const callback = parsed.value;
  const facts = {
    receivedAt,
    paymentId: callback.paymentId,
    projectId: callback.projectId,
    platformStatus: callback.platformStatus,
  };

  if (callback.projectId !== ctx.projectId) {
    await record({ ...facts, outcome: 'wrong-project' });
    throw new HttpError(
      400,
      'wrong-project',
      `The callback is for project ${callback.projectId}, this checkout serves ${ctx.projectId}.`,
    );
  }

  let outcome: CallbackOutcome = 'unknown-payment';
  await changePayment(
    ctx,
    callback.paymentId,
    (current) => {
      const effect = applyCallback(current, callback, receivedAt, ctx.defaultQrTimeoutSeconds);
      outcome = effect.outcome;
      return effect.next;
    },
    // Recorded with what it did, before any stream hears of the change.
    () => record({ ...facts, outcome }),
  );
  return OK();
}
