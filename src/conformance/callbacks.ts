/**
 * Callbacks as ECommPay sends them, made by the kit itself for the callback clauses (a
 * duplicate, a reordered pair, an amount that differs, a malformed `payment.sum`…): the
 * sandbox's shape (the seed's callbacks) and its platform signature, changed where a clause
 * needs, then signed again (or not) and posted to the backend's callback URL.
 */
import { buildCallback, signCallback } from '../sandbox/callbacks.js';
import type { CallbackFormat, SandboxPaymentStatus } from '../sandbox/types.js';
import { ORDER_AMOUNT, ORDER_DESCRIPTION } from './payload.js';

export interface CallbackSpec {
  paymentId: string;
  projectId: number;
  status: SandboxPaymentStatus | 'processing' | 'decline';
  amount?: number;
  currency?: string;
  code?: string;
  message?: string;
  /** The QR code, for `awaiting customer action`. */
  qr?: { data: string; timeoutSeconds: number };
  format?: CallbackFormat;
}

let operations = 1_000_000;

/** The unsigned callback body. */
export function callbackBody(spec: CallbackSpec): Record<string, unknown> {
  const now = new Date();
  const success = spec.status === 'success';
  return buildCallback(
    {
      projectId: spec.projectId,
      paymentId: spec.paymentId,
      status: spec.status as SandboxPaymentStatus,
      amount: spec.amount ?? ORDER_AMOUNT,
      currency: spec.currency ?? 'CNY',
      description: ORDER_DESCRIPTION,
      account: 'wu@example.com',
      phone: '13632264147',
      operationId: operations++,
      requestId: `conformance-${operations}`,
      createdAt: now,
      providerDate: now,
      date: now,
      code: spec.code ?? (success || spec.status === 'awaiting customer action' ? '0' : '20000'),
      message:
        spec.message ??
        (success || spec.status === 'awaiting customer action' ? 'Success' : 'General decline'),
      providerPaymentId: `provider-${operations}`,
      ...(spec.qr ? { qr: spec.qr } : {}),
    },
    spec.format ?? 'top-level',
  );
}

/** `body` signed as the platform signs it, where its format puts the signature. */
export function signed(body: Record<string, unknown>, secretKey: string): Record<string, unknown> {
  return signCallback(body, secretKey);
}

/** A QR code's content for a kit-made `awaiting customer action`. */
export function qrData(tag: string): string {
  return `https://qr.conformance.example/${encodeURIComponent(tag)}`;
}
