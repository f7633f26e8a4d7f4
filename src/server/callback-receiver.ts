/**
 * `POST /callback`: ECommPay's callbacks (PROTOCOL.md §3).
 *
 * Order of checks: size (413), UTF-8 and JSON of a sane depth (400), signature on the parsed
 * body, top-level or `general.signature` (403, nothing stored: an unsigned body is nobody's),
 * then the callback is recorded whatever it says, and the payment moved on by the state
 * machine, stored, then published. The platform retries anything but 200 for days, so every
 * signed callback we can act on, or can never act on, gets 200 at once; only a wrong project
 * (our configuration is wrong, a retry after the fix can succeed) is refused.
 */
import { parseCallback } from '../protocol/callback.js';
import { formatProblems } from '../protocol/problems.js';
import type { CheckoutContext } from './context.js';
import { publish, updateWithRetry } from './context.js';
import { HttpError, parseJson, readText } from './http.js';
import { checkSignature } from './signature.js';
import { applyCallback } from './state-machine.js';
import type { CallbackOutcome } from './store.js';

const OK = (): Response =>
  new Response('OK', { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

export async function handleCallback(ctx: CheckoutContext, request: Request): Promise<Response> {
  const text = await readText(request, ctx.maxBodyBytes);
  const body = parseJson(text, 'The callback');
  const check = checkSignature(body, ctx.secretKey);
  if (!check.valid) {
    ctx.log(`callback refused: ${check.reason}`);
    throw new HttpError(403, 'bad-signature', 'The callback signature does not verify.');
  }
  const receivedAt = ctx.now();
  const parsed = parseCallback(body);
  if (!parsed.ok) {
    ctx.log(`signed callback not understood: ${formatProblems(parsed.problems)}`);
    await ctx.store.recordCallback({
      receivedAt,
      paymentId: '',
      outcome: 'unreadable',
      body: text,
    });
    return OK();
  }
  const callback = parsed.value;
  const record = (outcome: CallbackOutcome): Promise<void> =>
    ctx.store.recordCallback({
      receivedAt,
      paymentId: callback.paymentId,
      projectId: callback.projectId,
      platformStatus: callback.platformStatus,
      outcome,
      body: text,
    });

  if (callback.projectId !== ctx.projectId) {
    await record('wrong-project');
    throw new HttpError(
      400,
      'wrong-project',
      `The callback is for project ${callback.projectId}, this checkout serves ${ctx.projectId}.`,
    );
  }

  let outcome: CallbackOutcome = 'unknown-payment';
  const { written } = await updateWithRetry(ctx.store, callback.paymentId, (current) => {
    const effect = applyCallback(current, callback, receivedAt, ctx.defaultQrTimeoutSeconds);
    outcome = effect.outcome;
    return effect.next;
  });
  await record(outcome);
  // Stored first, published second: a stream that reconnects in between reads it anyway.
  if (written) {
    await publish(ctx, written);
  }
  return OK();
}
