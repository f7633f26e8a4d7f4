/**
 * ECommPay's payment statuses (callbacks, status answers: PROTOCOL.md §2, §3) and the
 * {@link PaymentStatus} each one means here, with the two cases that are not a plain lookup:
 * a decline with code 20602 ("Time-out") is `expired`, and `awaiting customer` (without
 * "action") is a failed attempt, a `decline` with our code.
 *
 * No DOM, no Node. The element never needs it: it reads the states of the wire protocol only
 * (wire/status.ts), so its bundle carries no table of the platform's statuses.
 */
import type { PaymentStatus } from '../wire/status.js';

/** ECommPay's decline code for a QR code that was not paid in time (its list's "Time-out"). */
export const TIMEOUT_DECLINE_CODE = '20602';

/**
 * ECommPay's `awaiting customer` (without "action"): not another spelling of `awaiting customer
 * action` but a failed attempt, which ECommPay's own WooCommerce plug-in declines and its
 * Salesforce cartridge fails. It never carries a QR code to show.
 */
export const AWAITING_CUSTOMER_PLATFORM_STATUS = 'awaiting customer';

/**
 * Our code of the `decline` that `awaiting customer` means: the shopper may start again with a
 * new code. A payment keeps it instead of the platform's operation code (which the callback
 * record still has).
 */
export const AWAITING_CUSTOMER_CODE = 'awaiting-customer';

/** ECommPay payment statuses (callbacks, status answers) and the state each one means here. */
const PLATFORM_STATUSES: Record<string, PaymentStatus> = {
  'awaiting customer action': 'awaiting-customer',
  [AWAITING_CUSTOMER_PLATFORM_STATUS]: 'decline',
  processing: 'pending',
  'external processing': 'pending',
  success: 'success',
  decline: 'decline',
  canceled: 'decline',
  cancelled: 'decline',
  expired: 'expired',
  error: 'error',
  'internal error': 'error',
  'external error': 'error',
};

/** The platform's statuses we understand, for messages. */
export const KNOWN_PLATFORM_STATUSES: readonly string[] = Object.keys(PLATFORM_STATUSES);

/**
 * The state a platform status means, or `undefined` for a status we do not know. A decline
 * with code 20602 ("Time-out": the shopper never paid) is `expired`: the shopper is offered a
 * new code, not told that the payment failed. `awaiting customer` is a `decline` whatever its
 * code ({@link finalReasonOf} gives it ours).
 */
export function fromPlatformStatus(status: string, code?: string): PaymentStatus | undefined {
  const key = status.trim().toLowerCase();
  // Own keys only: `constructor` or `__proto__` is no status, whatever Object.prototype has.
  const mapped = Object.hasOwn(PLATFORM_STATUSES, key) ? PLATFORM_STATUSES[key] : undefined;
  if (mapped === 'decline' && code === TIMEOUT_DECLINE_CODE && !isAwaitingCustomer(key)) {
    return 'expired';
  }
  return mapped;
}

/** The message that goes with {@link AWAITING_CUSTOMER_CODE}. */
export const AWAITING_CUSTOMER_MESSAGE =
  'The payment was not completed (ECommPay: awaiting customer)';

/**
 * The code and message a payment keeps when the platform status `status` ends it: ours for
 * `awaiting customer` ({@link AWAITING_CUSTOMER_CODE}), else the platform's own.
 */
export function finalReasonOf(
  status: string,
  code: string | undefined,
  message: string | undefined,
): { code?: string; message?: string } {
  if (isAwaitingCustomer(status)) {
    return { code: AWAITING_CUSTOMER_CODE, message: AWAITING_CUSTOMER_MESSAGE };
  }
  return {
    ...(code !== undefined ? { code } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}

/** Whether a platform status is `awaiting customer` (the failed attempt, not the QR's "action"). */
export function isAwaitingCustomer(status: string): boolean {
  return status.trim().toLowerCase() === AWAITING_CUSTOMER_PLATFORM_STATUS;
}
