/**
 * The English words of the element, the same keys as the Chinese table (zh-CN.ts, the default);
 * a merchant overrides any of them with the `strings` property (docs/embedding.md). This table
 * loads on demand, the first time an element speaks English (element/locale-words.ts).
 */
import type { Translation } from './types.js';

/** "9 minutes 42 seconds", "1 minute", "15 seconds": a duration, never `9:42` (a clock time). */
function duration(minutes: number, seconds: number): string {
  const m = minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const s = seconds === 1 ? '1 second' : `${seconds} seconds`;
  if (minutes > 0 && seconds > 0) return `${m} ${s}`;
  return minutes > 0 ? m : s;
}

const en: Translation = {
  locale: 'en',
  checkoutLabel: 'UnionPay QR payment',
  qrLabel: 'UnionPay payment QR code',
  title: 'Pay with UnionPay QR',
  instructions: 'Open the UnionPay app or your bank app and scan the QR code to pay',
  samePhone: (link) =>
    `On this phone: save the QR code image, then in the UnionPay app (云闪付) or your bank app tap Scan and pick it from your photos.${
      link ? ' Or open the payment link.' : ''
    }`,
  idle: 'You can pay once the order is ready',
  startButton: 'Start payment',
  starting: 'Starting the payment…',
  pending: 'Getting the QR code…',
  loading: 'Loading',
  remaining: (clock) => `${clock} left`,
  remainingAccessible: (minutes, seconds) => `${duration(minutes, seconds)} left`,
  remainingSpoken: (minutes, seconds) => `The QR code expires in ${duration(minutes, seconds)}`,
  success: 'Payment successful',
  successDetail: 'Thank you for your payment.',
  decline: 'Payment declined',
  declineDetail:
    'The payment did not go through and nothing was charged. Get a new QR code to try again.',
  expired: 'QR code expired',
  expiredDetail: 'The QR code is no longer valid. Get a new QR code to try again.',
  error: 'The payment could not be completed',
  errorDetail: 'Something went wrong. Please try again in a moment.',
  errorFor: (code) => {
    switch (code) {
      case 'payload-expired':
        return 'This payment form has expired. Reload the page and try again.';
      case 'attempts-exhausted':
        return 'Too many attempts. Please contact the shop.';
      case 'rate-limited':
      case 'too-many-tokens':
        return 'Too many attempts in a short time. Please wait a minute and try again.';
      case 'origin-refused':
        return "This page cannot start the payment. Please pay on the shop's own website.";
      case 'gate-unavailable':
      case 'network':
      case 'request-timeout':
        return 'The payment service cannot be reached right now. Please try again shortly.';
      case 'payload-invalid':
      case 'order-conflict':
        return 'The order details are not valid. Reload the page and try again.';
      case 'attempt-conflict':
        return 'A payment for this order is already under way with other details. Finish it where you started it, or try again once it has ended.';
      default:
        return undefined;
    }
  },
  newCode: 'Get a new QR code',
  retry: 'Try again',
  reconnecting: 'Connection lost, reconnecting…',
  openInApp: 'Open payment link',
  copyLink: 'Copy payment link',
  copied: 'Link copied. Paste it into your browser to pay.',
  copyFailed: 'Could not copy the link. Save the QR code image instead.',
  saveImage: 'Save QR code image',
  saved:
    'QR code image saved. Open the UnionPay app (云闪付) or your bank app, tap Scan and choose the image from your photos to pay.',
  paymentPageInstructions:
    'Scan the QR code on the payment page with the UnionPay app or your bank app; the result shows here.',
  paymentPageButton: 'Continue to the payment page',
  paymentPageOpened: 'The payment page opened in a new window. Complete the payment there.',
  paymentPageBlocked: 'A new window could not be opened; taking you to the payment page…',
  paymentPageTitle: 'ECommPay payment page',
  paymentPageClose: 'Close the payment page',
  paymentPageClosed: 'The payment page is closed; the payment is still open.',
  reason: (code, message) => {
    const parts = [message, code ? `code ${code}` : undefined].filter(Boolean);
    return parts.length > 0 ? ` (${parts.join(', ')})` : '';
  },
  amountLabel: 'Amount due',
  amountSpoken: (amount, currency) =>
    currency === 'CNY' ? `${amount} Chinese yuan` : `${amount} ${currency}`,
  resumed: 'Your earlier payment was resumed',
  customerTitle: 'Your details',
  customerIntro: 'UnionPay asks for these details before you pay.',
};

export default en;
