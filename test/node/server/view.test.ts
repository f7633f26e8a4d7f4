// The state sent to the element (server/view.ts): what toPaymentState keeps of a stored record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePaymentState } from '../../../src/wire/payment-state.js';
import type { PaymentRecord } from '../../../src/server/store.js';
import { toPaymentState } from '../../../src/server/view.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');

function payment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
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

describe('the state sent to the element', () => {
  it('counts expiresInSeconds at send time, from the arrival of the code', () => {
    const record = payment({
      status: 'awaiting-customer',
      seq: 1,
      qr: { data: 'https://qr.example/x', timeoutSeconds: 600, receivedAt: NOW },
    });
    const state = toPaymentState(record, NOW + 100_500);
    assert.deepEqual(state.qr, {
      data: 'https://qr.example/x',
      expiresInSeconds: 500,
      timeoutSeconds: 600,
    });
    assert.equal(toPaymentState(record, NOW + 700_000).qr!.expiresInSeconds, 0);
    assert.ok(parsePaymentState(state).ok);
  });
});
