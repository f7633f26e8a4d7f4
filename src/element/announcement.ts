/**
 * What the element's polite live region says (the visually hidden one beside the stage): the
 * status in words, or, while a QR code waits, the time left at the countdown's calm cadence
 * (`announced`, countdown.ts: at its announcement points, never each second). In
 * Payment Page mode no code comes to this page: it says how to pay there instead.
 */
import type { CheckoutStatus } from '../events.js';
import type { Translation } from '../translations/types.js';
import type { PaymentMode } from '../wire/payload.js';

export function announcement(
  t: Translation,
  status: CheckoutStatus,
  mode: PaymentMode,
  announced: number | undefined,
): string {
  switch (status) {
    case 'idle':
      return '';
    case 'collecting':
      return t.customerIntro;
    case 'starting':
      return t.starting;
    case 'pending':
    case 'awaiting-customer':
      if (mode === 'payment-page') return t.paymentPageInstructions;
      if (status === 'pending') return t.pending;
      return announced === undefined
        ? ''
        : t.remainingSpoken(Math.floor(announced / 60), announced % 60);
    default:
      return t[status];
  }
}
