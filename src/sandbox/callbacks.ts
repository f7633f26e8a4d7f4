/**
 * The callbacks the platform sends (PROTOCOL.md §3), shaped as the seed's examples
 * (`test/fixtures/callback-*.json`): the same keys in the same order, `display_data`
 * on the `awaiting customer action` one, the top-level `signature` made as the platform makes
 * it ({@link signAsPlatform}). The answer of `POST /v2/payment/status` is the same structure.
 */
import { createHmac } from 'node:crypto';
import { canonicalString } from '../server/signature.js';
import type { SandboxPaymentStatus } from './types.js';

/** What a callback says about its payment at the time it is produced. */
export interface CallbackFacts {
  projectId: number;
  paymentId: string;
  status: SandboxPaymentStatus;
  amount: number;
  currency: string;
  description: string;
  /** `account.number`: the shopper's account at the bank (the sandbox uses the email). */
  account: string;
  /** `customer.phone`. */
  phone: string;
  operationId: number;
  requestId: string;
  createdAt: Date;
  /** When the bank answered with the QR code (`provider.date`). */
  providerDate: Date;
  /** This callback's `payment.date` and `operation.date`. */
  date: Date;
  code: string;
  message: string;
  providerPaymentId: string;
  /** The QR code's content (`qr_data`: a URL or an EMVCo payload) and lifetime, for `awaiting customer action`. */
  qr?: { data: string; timeoutSeconds: number };
}

/** The provider id of CUP QR in the seed's callbacks. */
const PROVIDER_ID = 1838;

/** ECommPay's date format: `2019-12-11T12:20:17+0000`. */
export function platformDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}

/** The callback body, unsigned. */
export function buildCallback(facts: CallbackFacts): Record<string, unknown> {
  const sum = { amount: facts.amount, currency: facts.currency };
  const date = platformDate(facts.date);
  const body: Record<string, unknown> = {
    project_id: facts.projectId,
    payment: {
      id: facts.paymentId,
      type: 'purchase',
      status: facts.status,
      date,
      method: 'cup-qr',
      sum: { ...sum },
      description: facts.description,
    },
    account: { number: facts.account },
    customer: { phone: facts.phone },
    operation: {
      id: facts.operationId,
      type: 'sale',
      status: facts.status,
      date,
      created_date: platformDate(facts.createdAt),
      request_id: facts.requestId,
      sum_initial: { ...sum },
      sum_converted: { ...sum },
      code: facts.code,
      message: facts.message,
      provider: {
        id: PROVIDER_ID,
        payment_id: facts.providerPaymentId,
        auth_code: '',
        date: platformDate(facts.providerDate),
      },
    },
  };
  if (facts.qr) {
    body.display_data = [
      { type: 'qr_data', title: 'QR Code', data: facts.qr.data },
      { type: 'add_info', title: 'QR Code Timeout', data: String(facts.qr.timeoutSeconds) },
    ];
  }
  return body;
}

/**
 * The platform's signature of its own message: the HMAC of the signed string, whatever its
 * texts hold. The toolkit's `sign()` refuses a `;` in a value (a value from outside must never
 * carry one: see `server/signature.ts`), but the platform signs the texts it was given (a
 * description from another merchant's sale, a decline message) as they are, and so does the
 * sandbox. Not part of any public entry point: only the emulated platform signs this way.
 */
export function signAsPlatform(data: Record<string, unknown>, secretKey: string): string {
  return createHmac('sha512', secretKey).update(canonicalString(data), 'utf8').digest('base64');
}

/** `body` with its top-level signature; `corrupt` makes one that does not verify. */
export function signCallback(
  body: Record<string, unknown>,
  secretKey: string,
  corrupt = false,
): Record<string, unknown> {
  const { signature: _old, ...unsigned } = body;
  const signature = signAsPlatform(unsigned, secretKey);
  return { ...unsigned, signature: corrupt ? corruptSignature(signature) : signature };
}

/**
 * A signature of the right length and alphabet that does not verify: the first Base64 digit
 * changed, as a proxy rewriting the body, or a wrong key, would leave it.
 */
export function corruptSignature(signature: string): string {
  const first = signature[0] === 'A' ? 'B' : 'A';
  return `${first}${signature.slice(1)}`;
}

/**
 * A duplicate of a signed callback as the platform resends it: `operation.date` `seconds`
 * later (PROTOCOL.md §3: identical callbacks can differ by a second), signed again.
 */
export function duplicateCallback(
  body: Record<string, unknown>,
  seconds: number,
  secretKey: string,
  corrupt: boolean,
): Record<string, unknown> {
  const operation = body.operation as Record<string, unknown>;
  const date = new Date(String(operation.date).replace('+0000', 'Z'));
  const later = platformDate(new Date(date.getTime() + seconds * 1000));
  return signCallback({ ...body, operation: { ...operation, date: later } }, secretKey, corrupt);
}
