// Stored records for the store and unit tests: a payment record as the store contract's tests
// make it (`record`), one as the state machine's and the view's make it (`payment`, at `NOW`),
// and a callback as the receiver hands it to the store (`received`).
import { keptCallback } from '../../src/server/callback-record.js';
import type { CallbackOutcome, PaymentRecord, ReceivedCallback } from '../../src/server/store.js';

export const NOW = Date.parse('2026-11-26T12:00:00Z');

export function record(paymentId: string, overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId,
    orderRef: paymentId.split('~')[0],
    attempt: 1,
    projectId: 1,
    channel: 'gate',
    status: 'pending',
    seq: 0,
    amount: 100,
    currency: 'CNY',
    description: '描述',
    customer: { id: 'c', ip_address: '1.2.3.4' },
    returnUrl: 'https://shop.example/thanks',
    tokenHashes: ['aa'],
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

/** A callback as the receiver hands it to the store: `text` kept as callback-record.ts keeps it. */
export function received(
  receivedAt: number,
  paymentId: string,
  outcome: CallbackOutcome,
  text = `{"payment":{"id":"${paymentId}","status":"success"}}`,
  extra: Partial<ReceivedCallback> = {},
): ReceivedCallback {
  return { receivedAt, paymentId, outcome, ...keptCallback(text, JSON.parse(text)), ...extra };
}

export function payment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: 'EP761d-6f6d',
    orderRef: 'EP761d-6f6d',
    attempt: 1,
    projectId: 843,
    channel: 'gate',
    status: 'pending',
    seq: 0,
    amount: 30000,
    currency: 'CNY',
    description: '123',
    customer: {},
    returnUrl: 'https://shop.example/thanks',
    tokenHashes: [],
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}
