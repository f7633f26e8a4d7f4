/**
 * The normalized state of one payment, as the merchant server sends it to the element (the
 * `data:` of an SSE `status` event, and the body of `GET /payments/:id`). The element parses
 * what it receives with {@link parsePaymentState}: a server in another language must match it.
 */
import { maxLength, nonEmpty } from './basic-rules.js';
import { FieldReader, type Parsed, type Problem } from './problems.js';
import { QR_DATA_RULES } from './qr.js';
import { isPaymentStatus, PAYMENT_STATUSES, type PaymentStatus } from './status.js';

export interface PaymentQr {
  /**
   * What the QR code encodes, as the platform sent it: a URL or an EMVCo payload (`000201…`).
   * Only an absolute `https:` one is ever offered as a link (`appLinkFor`).
   */
  data: string;
  /** Seconds left before the code expires, counted by the server when it sent this state. */
  expiresInSeconds: number;
  /** The platform's whole "QR Code Timeout", for a progress ring. */
  timeoutSeconds: number;
}

export interface PaymentState {
  /** The merchant's `payment_id` at ECommPay (a new one for each attempt). */
  paymentId: string;
  status: PaymentStatus;
  /** Grows by one with every change; the SSE `id:`. A state with a lower `seq` is stale. */
  seq: number;
  /** Minor units (fen). */
  amount: number;
  currency: string;
  description: string;
  /** Present while the shopper can scan. */
  qr?: PaymentQr;
  /** The platform's code and message of a decline or error (`20602` "Time-out"). */
  code?: string;
  message?: string;
  /** ISO 8601 time of the last change. */
  updatedAt: string;
}

const nonNegative = (v: number): string | undefined =>
  v >= 0 ? undefined : 'must not be negative';

export function parsePaymentState(input: unknown): Parsed<PaymentState> {
  const problems: Problem[] = [];
  const root = new FieldReader(input, '', problems);
  if (!root.isObject) return { ok: false, problems };
  const paymentId = root.string('paymentId', nonEmpty, maxLength(255));
  const status = root.string('status', (v) =>
    isPaymentStatus(v) ? undefined : `one of ${PAYMENT_STATUSES.join(', ')}`,
  ) as PaymentStatus;
  const seq = root.integer('seq', nonNegative);
  const amount = root.integer('amount', (v) => (v > 0 ? undefined : 'must be positive'));
  const currency = root.string('currency', (v) =>
    /^[A-Z]{3}$/.test(v) ? undefined : 'an ISO 4217 code',
  );
  const description = root.string('description', maxLength(255));
  const updatedAt = root.string('updatedAt', (v) =>
    Number.isNaN(Date.parse(v)) ? 'an ISO 8601 time' : undefined,
  );
  const code = root.optionalString('code');
  const message = root.optionalString('message');
  const qrReader = root.object('qr', false);
  let qr: PaymentQr | undefined;
  if (qrReader.isObject) {
    // `url`: what servers written to the protocol before EMVCo payloads call it.
    const key = qrReader.has('data') || !qrReader.has('url') ? 'data' : 'url';
    qr = {
      data: qrReader.string(key, ...QR_DATA_RULES),
      expiresInSeconds: qrReader.integer('expiresInSeconds', nonNegative),
      timeoutSeconds: qrReader.integer('timeoutSeconds', (v) =>
        v > 0 ? undefined : 'must be positive',
      ),
    };
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      paymentId,
      status,
      seq,
      amount,
      currency,
      description,
      ...(qr ? { qr } : {}),
      ...(code !== undefined ? { code } : {}),
      ...(message !== undefined ? { message } : {}),
      updatedAt,
    },
  };
}
