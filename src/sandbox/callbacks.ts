/**
 * The callbacks the platform sends (PROTOCOL.md §3), shaped as the seed's examples
 * (`test/fixtures/callback-*.json`): the same keys in the same order, `display_data` on the
 * `awaiting customer action` one, signed as the platform signs ({@link signAsPlatform}), in the
 * project's format: `project_id` and `signature` at the top level (the seed's), or both under
 * `general` (the other format of the PHP SDK's test data, `callbackFormats.php`).
 *
 * The answer of `POST /v2/payment/status` (§2) is not shaped like a callback: the same
 * `payment`, `account` and `customer`, but the operations in an array `operations` (the last
 * one holds the code and message) and an array `errors`; signed the same way.
 */
import { createHmac } from 'node:crypto';
import { canonicalString } from '../ecommpay/signature.js';
import type { CallbackFormat, SandboxPaymentStatus } from './types.js';

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

/** `payment`, `account`, `customer` and the operation of a callback or status answer. */
function paymentParts(facts: CallbackFacts): {
  payment: Record<string, unknown>;
  account: Record<string, unknown>;
  customer: Record<string, unknown>;
  operation: Record<string, unknown>;
} {
  const sum = { amount: facts.amount, currency: facts.currency };
  const date = platformDate(facts.date);
  return {
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
}

/** `project_id` where the format puts it: first at the top level, or in `general`. */
function projectPart(projectId: number, format: CallbackFormat): Record<string, unknown> {
  return format === 'general' ? { general: { project_id: projectId } } : { project_id: projectId };
}

function displayData(facts: CallbackFacts): Record<string, unknown> {
  if (!facts.qr) return {};
  return {
    display_data: [
      { type: 'qr_data', title: 'QR Code', data: facts.qr.data },
      { type: 'add_info', title: 'QR Code Timeout', data: String(facts.qr.timeoutSeconds) },
    ],
  };
}

/** The callback body, unsigned. */
export function buildCallback(
  facts: CallbackFacts,
  format: CallbackFormat = 'top-level',
): Record<string, unknown> {
  const { payment, account, customer, operation } = paymentParts(facts);
  return {
    ...projectPart(facts.projectId, format),
    payment,
    account,
    customer,
    operation,
    ...displayData(facts),
  };
}

/**
 * The answer of a status request, unsigned: the payment, its one operation (a CUP QR purchase
 * is one `sale`) in `operations`, no `errors`, and `display_data` while the code can be scanned
 * (ECommPay does not say whether its status answer carries it; the sandbox's does, so that a
 * merchant who lost the first callback can still show the code).
 */
export function buildStatusAnswer(
  facts: CallbackFacts,
  format: CallbackFormat = 'top-level',
): Record<string, unknown> {
  // The callback's parts in the callback's order, its operation moved into the arrays.
  const { operation, display_data: qr, ...parts } = buildCallback(facts, format);
  return { ...parts, operations: [operation], errors: [], ...(qr ? { display_data: qr } : {}) };
}

/**
 * The platform's signature of its own message: the HMAC of the signed string, whatever its
 * texts hold. The toolkit's `sign()` refuses a `;` in a value (a value from outside must never
 * carry one: see `ecommpay/signature.ts`), but the platform signs the texts it was given (a
 * description from another merchant's sale, a decline message) as they are, and so does the
 * sandbox. Not part of any public entry point: only the emulated platform signs this way.
 */
export function signAsPlatform(data: Record<string, unknown>, secretKey: string): string {
  return createHmac('sha512', secretKey).update(canonicalString(data), 'utf8').digest('base64');
}

/**
 * `body` signed where its format puts the signature: in `general` when it has that object (the
 * `general` format), else at the top level. `corrupt` makes one that does not verify.
 */
export function signCallback(
  body: Record<string, unknown>,
  secretKey: string,
  corrupt = false,
): Record<string, unknown> {
  const { signature: _old, ...unsigned } = body;
  const general = unsigned.general;
  if (typeof general === 'object' && general !== null && !Array.isArray(general)) {
    const { signature: _oldGeneral, ...rest } = general as Record<string, unknown>;
    const withoutSignature = { ...unsigned, general: rest };
    const signature = signAsPlatform(withoutSignature, secretKey);
    return {
      ...withoutSignature,
      general: { ...rest, signature: corrupt ? corruptSignature(signature) : signature },
    };
  }
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
