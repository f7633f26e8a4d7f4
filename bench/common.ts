/**
 * What the benchmarks share: percentiles, payments made straight in a
 * store (no Gate round trip: the benchmarks measure the merchant side), signed callbacks as
 * the sandbox builds them, and a tiny HTTP client without fetch's overhead.
 */
import { Agent, request } from 'node:http';
import { buildCallback, signCallback } from '../src/sandbox/callbacks.js';
import { createCheckout, type Checkout } from '../src/server/checkout.js';
import type { Hub } from '../src/server/hub.js';
import type { PaymentRecord, Store } from '../src/server/store.js';
import { hashToken, newToken } from '../src/server/tokens.js';

export const PROJECT_ID = 843;
export const SECRET_KEY = 'bench-secret-key';
export const PREFIX = '/cup-qr';

/** Where in-process benchmarks post: the checkout is called directly, nothing listens here. */
export const IN_PROCESS_URL = 'http://127.0.0.1:8080';

/**
 * A checkout called in process (`checkout.fetch`, no HTTP), so a figure is the toolkit's own
 * work. Its Gate is never asked.
 */
export function inProcessCheckout(store: Store, hub: Hub): Checkout {
  return createCheckout({
    projectId: PROJECT_ID,
    secretKey: SECRET_KEY,
    gateUrl: 'http://127.0.0.1:9',
    publicUrl: IN_PROCESS_URL,
    store,
    hub,
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summarize(values: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    n: sorted.length,
  };
}

export interface BenchPayment {
  paymentId: string;
  token: string;
}

/** `n` payments awaiting the shopper (QR shown, seq 1), each with its token. */
export async function seedPayments(
  store: Store,
  n: number,
  prefix = 'bench',
): Promise<BenchPayment[]> {
  const now = Date.now();
  const payments: BenchPayment[] = [];
  for (let i = 0; i < n; i++) {
    const paymentId = `${prefix}-${i}`;
    const token = newToken();
    const record: PaymentRecord = {
      paymentId,
      orderRef: paymentId,
      attempt: 1,
      projectId: PROJECT_ID,
      channel: 'gate',
      status: 'pending',
      seq: 0,
      amount: 30000,
      currency: 'CNY',
      description: '机械键盘 keyboard',
      customer: { id: `customer-${i}` },
      returnUrl: 'https://shop.example.com/thanks',
      tokenHashes: [hashToken(token)],
      createdAt: now,
      updatedAt: now,
    };
    await store.createPayment(record);
    await store.updatePayment(
      {
        ...record,
        status: 'awaiting-customer',
        seq: 1,
        qr: { data: `https://qr.example/${paymentId}`, timeoutSeconds: 600, receivedAt: now },
      },
      0,
    );
    payments.push({ paymentId, token });
  }
  return payments;
}

/** The signed `success` callback of a payment, as JSON text. */
export function successCallback(paymentId: string, operationId: number): string {
  const date = new Date();
  const body = buildCallback({
    projectId: PROJECT_ID,
    paymentId,
    status: 'success',
    amount: 30000,
    currency: 'CNY',
    description: '机械键盘 keyboard',
    account: 'wu@example.com',
    phone: '13632264147',
    operationId,
    requestId: `req-${operationId}`,
    createdAt: date,
    providerDate: date,
    date,
    code: '0',
    message: 'Success',
    providerPaymentId: `cup-${operationId}`,
  });
  return JSON.stringify(signCallback(body, SECRET_KEY));
}

/** Keep-alive sockets for requests (callbacks, polls); streams get their own sockets. */
export const pool = new Agent({ keepAlive: true, maxSockets: 64 });

/** A request's status and body, on the shared pool unless another agent is given. */
export function httpRequest(
  url: string,
  method: 'GET' | 'POST',
  body?: string,
  agent: Agent = pool,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: body ? { 'Content-Type': 'application/json' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const eventsPath = (p: BenchPayment): string =>
  `${PREFIX}/payments/${encodeURIComponent(p.paymentId)}/events?token=${encodeURIComponent(p.token)}`;

export const statusPath = (p: BenchPayment): string =>
  `${PREFIX}/payments/${encodeURIComponent(p.paymentId)}?token=${encodeURIComponent(p.token)}`;

/** Runs `task` over `items`, at most `limit` at a time. */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export const round = (value: number, digits = 1): number =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;
