/**
 * The bank-app page behind `qr_data` (`/bank/<token>`, the token unguessable per payment):
 * what a phone shows after scanning the QR code. "Approve" and "Decline" are forms that POST
 * and come back (303) to the page, which then shows the outcome; a second outcome is refused
 * (HTTP 409, the payment unchanged).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxError } from './errors.js';
import { readBody, redirect, sendHtml } from './http.js';
import { bankAppPage, notFoundPage } from './pages.js';
import type { PaymentRecord, Platform } from './platform.js';
import { DEFAULT_DECLINE } from './platform.js';

export interface BankAppContext {
  platform: Platform;
  merchantName: string;
  maxBodyBytes: number;
}

/** `/bank/<token>` and `/bank/<token>/<approve|decline>`. */
export const BANK_ROUTE = /^\/bank\/([A-Za-z0-9_-]{16,64})(?:\/(approve|decline))?$/;

export async function handleBankApp(
  context: BankAppContext,
  request: IncomingMessage,
  response: ServerResponse,
  token: string,
  action: 'approve' | 'decline' | undefined,
): Promise<void> {
  const record = context.platform.byBankToken(token);
  if (!record) {
    sendHtml(response, 404, notFoundPage());
    return;
  }
  const page = `/bank/${token}`;
  if (action === undefined) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendHtml(response, 405, render(context, record, page), { Allow: 'GET' });
      return;
    }
    sendHtml(response, 200, render(context, record, page));
    return;
  }
  if (request.method !== 'POST') {
    sendHtml(response, 405, render(context, record, page), { Allow: 'POST' });
    return;
  }
  // The form has no fields; the body is read only so the connection stays usable.
  await readBody(request, context.maxBodyBytes);
  try {
    if (action === 'approve') {
      context.platform.finishRecord(record, 'success', { code: '0', message: 'Success' });
    } else {
      context.platform.finishRecord(record, 'decline', DEFAULT_DECLINE);
    }
  } catch (error) {
    if (!(error instanceof SandboxError) || error.kind !== 'conflict') throw error;
    sendHtml(response, 409, render(context, record, page, true));
    return;
  }
  redirect(response, page);
}

function render(
  context: BankAppContext,
  record: PaymentRecord,
  action: string,
  refused = false,
): string {
  return bankAppPage({
    merchant: context.merchantName,
    amount: record.amount,
    currency: record.currency,
    description: record.description,
    paymentId: record.paymentId,
    status: record.status,
    ...(record.code !== undefined ? { code: record.code, message: record.message } : {}),
    action,
    refused,
  });
}
