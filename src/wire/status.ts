/**
 * The payment states that the server and the element share (DESIGN.md); how ECommPay's own
 * payment statuses map onto them is the platform's side (ecommpay/platform-statuses.ts).
 *
 *   pending -> awaiting-customer -> success | decline | expired | error
 *
 * Terminal states never change again.
 */

/** A payment's state on the merchant server and on the wire. */
export const PAYMENT_STATUSES = [
  'pending',
  'awaiting-customer',
  'success',
  'decline',
  'expired',
  'error',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'success',
  'decline',
  'expired',
  'error',
]);

export function isPaymentStatus(value: unknown): value is PaymentStatus {
  return (PAYMENT_STATUSES as readonly unknown[]).includes(value);
}

export function isTerminal(status: PaymentStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * Whether a payment in state `from` may move to `to`. Terminal states are final; a payment
 * never goes back to `pending`; `awaiting-customer` again is allowed (a new QR code, a later
 * timeout) but carries no change unless its data differ, which the store decides.
 */
export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  if (isTerminal(from)) return false;
  if (to === 'pending') return from === 'pending';
  return true;
}
