/**
 * ECommPay's response codes that this project writes or reads (PROTOCOL.md §2). ECommPay keeps
 * one unified list for Gate's error answers and for the operations' `code` in callbacks and
 * status answers (its "Information of operations performing" page, seen here through a
 * third-party transcript of it): the sandbox answers with these, the Gate client recognises
 * them. Every code of that list lies in 0-999, 1401-1499 (risk control), 2000-3999, 9999 or
 * 10000-30401; codes the sandbox needs where the list has none are its own, in 90000-90099
 * (sandbox/errors.ts), so that they never pass for ECommPay's.
 *
 * No DOM, no Node: the sandbox and the toolkit share it (the element does not need it: its
 * bundle stays without the table).
 */
import { TIMEOUT_DECLINE_CODE } from './platform-statuses.js';

/** One code of ECommPay's list: the `code` as the platform sends it, and its message. */
export interface PlatformCode {
  code: string;
  message: string;
}

export const PLATFORM_CODES = {
  /** An operation that went through (also the `awaiting customer action` callback's). */
  success: { code: '0', message: 'Success' },
  /** "Request was rejected due to malformed format": a field of the wrong form. */
  malformedRequest: { code: '702', message: 'Malformed request' },
  invalidJson: { code: '2003', message: 'Invalid JSON string' },
  requiredField: { code: '2004', message: 'Required field not provided' },
  invalidCustomerId: { code: '2124', message: 'Invalid Customer ID' },
  invalidEmail: { code: '2426', message: 'Invalid Email' },
  /** The list's description: "parameter project_id was not found"; the sandbox uses it for an unknown project too. */
  projectNotFound: { code: '2442', message: 'Project ID not found' },
  invalidCountry: { code: '2610', message: 'Invalid Country' },
  invalidCity: { code: '2611', message: 'Invalid City' },
  invalidPaymentId: { code: '3024', message: 'Invalid Payment ID' },
  /** A sale with a payment_id the project already has: the first request got through. */
  paymentIdExists: { code: '3041', message: 'Payment ID already exists' },
  /** A status request for a payment the platform does not have. */
  transactionNotFound: { code: '3061', message: 'Transaction not found' },
  invalidCurrency: { code: '3121', message: 'Invalid currency' },
  invalidSignature: { code: '3261', message: 'Invalid signature' },
  emptySignature: { code: '3262', message: 'Empty signature' },
  generalDecline: { code: '20000', message: 'General decline' },
  /** The shopper did not pay the QR code in time. */
  timeout: { code: TIMEOUT_DECLINE_CODE, message: 'Time-out' },
} as const satisfies Record<string, PlatformCode>;

/** The codes of a refused signature: the request was not signed with the project's key. */
export const SIGNATURE_CODES: ReadonlySet<string> = new Set([
  PLATFORM_CODES.invalidSignature.code,
  PLATFORM_CODES.emptySignature.code,
]);

/**
 * Whether `code` is one of ECommPay's risk-control refusals ("RCS reject", 1401-1499: a
 * blacklisted IP address, e-mail or phone, a frequency limit...): final for this payment; the
 * shopper may not get through with other details either.
 */
export function isRiskControlCode(code: string | undefined): boolean {
  if (code === undefined || !/^\d{4}$/.test(code)) return false;
  const value = Number(code);
  return value >= 1401 && value <= 1499;
}
