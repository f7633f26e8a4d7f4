/**
 * A stored payment as the element sees it: the {@link PaymentState} of the wire protocol.
 * `qr.expiresInSeconds` is counted here, when the state is sent, from when the callback with
 * the code arrived: the shopper's clock never matters.
 */
import type { PaymentState } from '../wire/payment-state.js';
import type { PaymentUpdate } from './store.js';

export function toPaymentState(payment: PaymentUpdate, now: number): PaymentState {
  const qr =
    payment.status === 'awaiting-customer' && payment.qr
      ? {
          data: payment.qr.data,
          expiresInSeconds: Math.max(
            0,
            Math.ceil((payment.qr.receivedAt + payment.qr.timeoutSeconds * 1000 - now) / 1000),
          ),
          timeoutSeconds: payment.qr.timeoutSeconds,
        }
      : undefined;
  return {
    paymentId: payment.paymentId,
    status: payment.status,
    seq: payment.seq,
    amount: payment.amount,
    currency: payment.currency,
    description: payment.description,
    ...(qr ? { qr } : {}),
    ...(payment.code !== undefined ? { code: payment.code } : {}),
    ...(payment.message !== undefined ? { message: payment.message } : {}),
    updatedAt: new Date(payment.updatedAt).toISOString(),
  };
}
