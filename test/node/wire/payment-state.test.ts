// The payment state the element receives (wire/payment-state.ts): parsePaymentState and the
// status transitions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromPlatformStatus } from '../../../src/ecommpay/platform-statuses.js';
import { parsePaymentState } from '../../../src/wire/payment-state.js';
import { type Problem } from '../../../src/wire/problems.js';
import { canTransition } from '../../../src/wire/status.js';

const paths = (problems: Problem[]): string[] => problems.map((p) => p.path);

describe('payment states', () => {
  it('maps the platform statuses', () => {
    assert.equal(fromPlatformStatus('Awaiting Customer Action'), 'awaiting-customer');
    assert.equal(fromPlatformStatus('cancelled'), 'decline');
    assert.equal(fromPlatformStatus('internal error'), 'error');
    assert.equal(fromPlatformStatus('decline', '20602'), 'expired');
    assert.equal(fromPlatformStatus('refunded'), undefined);
  });

  it('terminal states are final and nothing goes back to pending', () => {
    assert.equal(canTransition('success', 'awaiting-customer'), false);
    assert.equal(canTransition('decline', 'success'), false);
    assert.equal(canTransition('awaiting-customer', 'pending'), false);
    assert.equal(canTransition('pending', 'success'), true);
    assert.equal(canTransition('awaiting-customer', 'awaiting-customer'), true);
  });

  it('parsePaymentState checks what the element receives', () => {
    const state = {
      paymentId: 'order-1-a1',
      status: 'awaiting-customer',
      seq: 2,
      amount: 30000,
      currency: 'CNY',
      description: '示例订单',
      qr: { data: 'https://example.com/qr', expiresInSeconds: 590, timeoutSeconds: 600 },
      updatedAt: '2026-11-26T10:00:00.000Z',
    };
    const parsed = parsePaymentState(state);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, state);
    const bad = parsePaymentState({
      ...state,
      status: 'paid',
      qr: { ...state.qr, data: 'javascript:\u0000alert(1)' },
    });
    assert.deepEqual(bad.ok ? [] : paths(bad.problems), ['status', 'qr.data']);
  });
});
