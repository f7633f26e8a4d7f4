/**
 * What is told of a stored payment, in one projection of its record: {@link updateOf}, the
 * {@link PaymentUpdate} a hub carries to the streams (JSON-safe, no token hash, no customer
 * detail), and {@link toPaymentState}, the {@link PaymentState} of the wire protocol that the
 * routes and streams send. Both pick the same fields in the same order through
 * {@link projectPayment}; they differ only in the QR code and the time they write.
 *
 * `qr.expiresInSeconds` is counted here, when the state is sent, from when the callback with
 * the code arrived: the shopper's clock never matters.
 */
import type { PaymentQr, PaymentState } from '../wire/payment-state.js';
import { readStoredQr, type PaymentUpdate, type StoredQr } from './store.js';

/**
 * The fields the element is told of `payment`, in the wire protocol's order, with `qr` and
 * `updatedAt` as the caller writes them (`qr` left out when undefined).
 */
function projectPayment<Q, T>(payment: PaymentUpdate, qr: Q | undefined, updatedAt: T) {
  return {
    paymentId: payment.paymentId,
    status: payment.status,
    seq: payment.seq,
    amount: payment.amount,
    currency: payment.currency,
    description: payment.description,
    ...(qr !== undefined ? { qr } : {}),
    ...(payment.code !== undefined ? { code: payment.code } : {}),
    ...(payment.message !== undefined ? { message: payment.message } : {}),
    updatedAt,
  };
}

/** The {@link PaymentUpdate} of a record (a new object: changing it changes nothing stored). */
export function updateOf(payment: PaymentUpdate): PaymentUpdate {
  return projectPayment(payment, payment.qr && readStoredQr(payment.qr), payment.updatedAt);
}

/** The QR code as the element counts it down: the seconds left at `now`. */
function qrState(qr: StoredQr, now: number): PaymentQr {
  return {
    data: qr.data,
    expiresInSeconds: Math.max(
      0,
      Math.ceil((qr.receivedAt + qr.timeoutSeconds * 1000 - now) / 1000),
    ),
    timeoutSeconds: qr.timeoutSeconds,
  };
}

/** The payment's {@link PaymentState} at `now` (Unix ms); a QR code only while awaited. */
export function toPaymentState(payment: PaymentUpdate, now: number): PaymentState {
  const qr =
    payment.status === 'awaiting-customer' && payment.qr ? qrState(payment.qr, now) : undefined;
  return projectPayment(payment, qr, new Date(payment.updatedAt).toISOString());
}
