/**
 * Asking Gate instead of waiting for a callback: `POST /v2/payment/status`, whose answer is the
 * payment with its `operations` and `errors` (ecommpay/callback.ts `parseStatusAnswer`: the
 * last operation's code, so a lost 20602 time-out comes back `expired`). For payments whose
 * callbacks are late or lost (a firewall, an outage on the shop's side): run it from a job for
 * payments `pending` or `awaiting-customer` for too long.
 *
 * Gate's word counts only as far as it can be trusted:
 * - a signed answer (its signature verifies with the project's key) is applied through the
 *   same state machine as a callback, stored, then published (change-payment.ts);
 * - an unsigned answer moves nothing: it shows that Gate has the payment (the recovery of a
 *   lost sale answer, routes/create-payment.ts, relies on that), not what state it is in;
 * - a final state never changes, and refresh() never confirms one that Gate contradicts
 *   (stored `success` while Gate says `awaiting customer action`, stored `decline` while Gate
 *   says `success`...): the disagreement is returned, logged, and kept on the payment for the
 *   report until Gate agrees again. The merchant checks that payment (SECURITY.md).
 *
 * The answer is not recorded as a received callback (it was not one); the state it causes is
 * in the payment's history like any other.
 */
import type { PaymentState } from '../wire/payment-state.js';
import { isTerminal, type PaymentStatus } from '../wire/status.js';
import { changePayment } from './change-payment.js';
import type { CheckoutContext } from './context.js';
import { logText } from '../shared/log-text.js';
import { applyCallback } from './state-machine.js';
import type { GateDisagreement, PaymentRecord } from './store.js';
import { toPaymentState } from './view.js';

/** What `checkout.refresh()` resolves with: the payment's state, and what Gate said. */
export interface RefreshResult extends PaymentState {
  /** Gate's answer. */
  gate: {
    /** Gate's payment status as it answered (`awaiting customer action`, `success`...). */
    platformStatus: string;
    /** What that status means here. */
    status: PaymentStatus;
    /** Whether the answer's signature verified with the project's secret key. */
    signed: boolean;
    /** Whether the answer moved the payment on (only a signed one can). */
    applied: boolean;
  };
  /**
   * Present when Gate's answer contradicts the stored final `status`: ship nothing and refund
   * nothing on either word before the payment is checked (SECURITY.md).
   */
  disagreement?: GateDisagreement;
}

/**
 * The payment's state after asking Gate; `undefined` for a payment this store does not know.
 *
 * @throws GateError when Gate cannot answer (see its `kind` and `retryable`).
 */
export async function refreshPayment(
  ctx: CheckoutContext,
  paymentId: string,
): Promise<RefreshResult | undefined> {
  if (!(await ctx.store.getPayment(paymentId))) return undefined;
  const answer = await ctx.gate.status(paymentId);
  const now = ctx.now();
  // The final state the last read found, if it was one.
  let final: PaymentRecord | undefined;
  const { current, written } = await changePayment(ctx, paymentId, (payment) => {
    final = isTerminal(payment.status) ? payment : undefined;
    if (final || !answer.signed || answer.projectId !== ctx.projectId) return undefined;
    return applyCallback(payment, answer, now, ctx.defaultQrTimeoutSeconds).next;
  });
  if (!current) return undefined;

  const said = `Gate says ${logText(answer.platformStatus)} (${answer.signed ? 'signed' : 'unsigned'})`;
  let disagreement: GateDisagreement | undefined;
  if (final && final.status !== answer.status) {
    disagreement = {
      platformStatus: answer.platformStatus,
      status: answer.status,
      signed: answer.signed,
      at: now,
    };
    ctx.log(
      `refresh: payment ${logText(paymentId)} is ${final.status} here, but ${said}: check it before acting on either`,
    );
    await ctx.store.setGateDisagreement(paymentId, disagreement);
  } else if (final?.gateDisagreement) {
    await ctx.store.setGateDisagreement(paymentId, undefined);
  } else if (!final && !answer.signed) {
    ctx.log(`refresh: payment ${logText(paymentId)}: ${said}; an unsigned answer is not applied`);
  }
  return {
    ...toPaymentState(current, now),
    gate: {
      platformStatus: answer.platformStatus,
      status: answer.status,
      signed: answer.signed,
      applied: written !== undefined,
    },
    ...(disagreement ? { disagreement } : {}),
  };
}
