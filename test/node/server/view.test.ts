// The state sent to the element (server/view.ts): what toPaymentState keeps of a stored record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePaymentState } from '../../../src/wire/payment-state.js';
import { toPaymentState } from '../../../src/server/view.js';
import { NOW, payment } from '../../helpers/records.js';

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
