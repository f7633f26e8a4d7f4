/**
 * What a verified callback does to a stored payment (DESIGN.md "Payment states"), as a pure
 * function: the receiver stores the result, then publishes it.
 *
 * - a terminal state is final: later callbacks are ignored (a late `awaiting customer action`
 *   after `success` above all);
 * - a callback that says nothing new (a duplicate, the same QR code again) changes nothing;
 * - an amount or currency that differ from the order's are never a `success`: the payment
 *   becomes `error` (`amount-mismatch`), whatever status the callback carried, because a QR
 *   code for another amount must not be shown and a success for another amount must not ship;
 * - a success without `payment.sum` cannot be checked, so it counts as a mismatch;
 * - `awaiting customer` (without "action") is a `decline` with our code `awaiting-customer`
 *   (ecommpay/platform-statuses.ts): a failed attempt the shopper may start again, never a QR to show.
 */
import type { Callback } from '../ecommpay/callback.js';
import { canTransition, isTerminal } from '../wire/status.js';
import { finalReasonOf } from '../ecommpay/platform-statuses.js';
import type { CallbackOutcome, PaymentRecord } from './store.js';

/** The QR timeout assumed when the platform does not say (the seed's 600 s). */
export const DEFAULT_QR_TIMEOUT_SECONDS = 600;

export const AMOUNT_MISMATCH_CODE = 'amount-mismatch';

export interface CallbackEffect {
  outcome: CallbackOutcome;
  /** The payment after the callback; absent when nothing changes. */
  next?: PaymentRecord;
}

function sumMismatch(payment: PaymentRecord, callback: Callback): string | undefined {
  const sum = callback.sum;
  if (!sum) {
    return callback.status === 'success' ? 'the success callback carries no amount' : undefined;
  }
  if (sum.amount !== payment.amount || sum.currency !== payment.currency) {
    return `the platform reports ${sum.amount} ${sum.currency}, the order is ${payment.amount} ${payment.currency}`;
  }
  return undefined;
}

/** The effect of `callback` on `payment`, received at `now` (Unix ms). */
export function applyCallback(
  payment: PaymentRecord,
  callback: Callback,
  now: number,
  defaultQrTimeoutSeconds = DEFAULT_QR_TIMEOUT_SECONDS,
): CallbackEffect {
  if (isTerminal(payment.status)) return { outcome: 'ignored' };
  const operation = {
    platformStatus: callback.platformStatus,
    ...(callback.operation?.id !== undefined ? { operationId: callback.operation.id } : {}),
    ...(callback.operation?.date !== undefined ? { operationDate: callback.operation.date } : {}),
    ...(callback.operation?.requestId !== undefined
      ? { requestId: callback.operation.requestId }
      : {}),
  };
  const base = { ...payment, ...operation, seq: payment.seq + 1, updatedAt: now };

  const mismatch = sumMismatch(payment, callback);
  if (mismatch) {
    const { qr: _qr, ...rest } = base;
    return {
      outcome: 'amount-mismatch',
      next: { ...rest, status: 'error', code: AMOUNT_MISMATCH_CODE, message: mismatch },
    };
  }

  const to = callback.status;
  if (!canTransition(payment.status, to)) return { outcome: 'ignored' };

  if (to === 'pending') return { outcome: 'duplicate' };

  if (to === 'awaiting-customer') {
    if (!callback.qr) {
      // Nothing to show yet; the state moves only if it was still pending.
      if (payment.status === 'awaiting-customer') return { outcome: 'duplicate' };
      return { outcome: 'applied', next: { ...base, status: to } };
    }
    const timeoutSeconds = callback.qr.timeoutSeconds ?? defaultQrTimeoutSeconds;
    // The same code again (a retried delivery): keep the countdown where it is.
    if (payment.status === 'awaiting-customer' && payment.qr?.data === callback.qr.data) {
      return { outcome: 'duplicate' };
    }
    return {
      outcome: 'applied',
      next: {
        ...base,
        status: to,
        qr: { data: callback.qr.data, timeoutSeconds, receivedAt: now },
      },
    };
  }

  // A final state: the QR code is gone, the platform's code and message stay (ours for
  // `awaiting customer`, a failed attempt whose operation code says nothing about that).
  const { qr: _qr, code: _code, message: _message, ...rest } = base;
  return {
    outcome: 'applied',
    next: {
      ...rest,
      status: to,
      ...finalReasonOf(callback.platformStatus, callback.code, callback.message),
    },
  };
}
