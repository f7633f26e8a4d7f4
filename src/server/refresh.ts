/**
 * Asking Gate instead of waiting for a callback: `POST /v2/payment/status`, whose answer has
 * the callback's structure, applied through the same state machine, stored, then published.
 * For payments whose callbacks are late or lost (a firewall, an outage on the shop's side):
 * run it from a job for payments `pending` or `awaiting-customer` for too long.
 *
 * The answer is not recorded as a received callback (it was not one); the state it causes is
 * in the payment's history like any other.
 */
import type { PaymentState } from '../protocol/payment-state.js';
import type { CheckoutContext } from './context.js';
import { publish, updateWithRetry } from './context.js';
import { applyCallback } from './state-machine.js';
import { toPaymentState } from './view.js';

/**
 * The payment's state after asking Gate; `undefined` for a payment this store does not know.
 *
 * @throws GateError when Gate cannot answer (see its `kind` and `retryable`).
 */
export async function refreshPayment(
  ctx: CheckoutContext,
  paymentId: string,
): Promise<PaymentState | undefined> {
  if (!(await ctx.store.getPayment(paymentId))) return undefined;
  const status = await ctx.gate.status(paymentId);
  const now = ctx.now();
  const { current, written } = await updateWithRetry(ctx.store, paymentId, (payment) =>
    status.projectId === ctx.projectId
      ? applyCallback(payment, status, now, ctx.defaultQrTimeoutSeconds).next
      : undefined,
  );
  if (written) await publish(ctx, written);
  return current && toPaymentState(current, now);
}
