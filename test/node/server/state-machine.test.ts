// The callback state machine (server/state-machine.ts): what each callback does to a payment.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCallback, type Callback } from '../../../src/ecommpay/callback.js';
import { applyCallback } from '../../../src/server/state-machine.js';
import { NOW, payment } from '../../helpers/records.js';

const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), 'utf8'));

function callback(body: Record<string, unknown>): Callback {
  const parsed = parseCallback(body);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value;
}

describe('state machine', () => {
  const awaiting = callback(fixture('callback-awaiting-customer'));
  const success = callback(fixture('callback-success'));
  const timeout = callback(fixture('callback-decline-timeout'));

  it('pending -> awaiting-customer with the QR code, counted from arrival', () => {
    const effect = applyCallback(payment(), awaiting, NOW + 5);
    assert.equal(effect.outcome, 'applied');
    assert.equal(effect.next!.status, 'awaiting-customer');
    assert.equal(effect.next!.seq, 1);
    assert.deepEqual(effect.next!.qr, {
      data: awaiting.qr!.data,
      timeoutSeconds: 600,
      receivedAt: NOW + 5,
    });
    assert.equal(effect.next!.operationId, '2000000029');
  });

  it('the same QR code again is a duplicate; terminal states are final', () => {
    const waiting = applyCallback(payment(), awaiting, NOW).next!;
    assert.deepEqual(applyCallback(waiting, awaiting, NOW + 1000), { outcome: 'duplicate' });
    const paid = applyCallback(waiting, success, NOW).next!;
    assert.equal(paid.status, 'success');
    assert.equal(paid.qr, undefined);
    assert.equal(paid.code, '0');
    for (const late of [awaiting, success, timeout]) {
      assert.deepEqual(applyCallback(paid, late, NOW), { outcome: 'ignored' });
    }
  });

  it('a final state before the awaiting one; decline 20602 is expired', () => {
    const expired = applyCallback(payment(), timeout, NOW).next!;
    assert.equal(expired.status, 'expired');
    assert.equal(expired.code, '20602');
    assert.deepEqual(applyCallback(expired, awaiting, NOW), { outcome: 'ignored' });
  });

  it('another amount or currency, or a success without one, is an error, never success', () => {
    for (const sum of [
      { amount: 1, currency: 'CNY' },
      { amount: 30000, currency: 'USD' },
    ]) {
      const effect = applyCallback(payment(), { ...success, sum }, NOW);
      assert.equal(effect.outcome, 'amount-mismatch');
      assert.equal(effect.next!.status, 'error');
      assert.equal(effect.next!.code, 'amount-mismatch');
    }
    const { sum: _sum, ...noSum } = success;
    assert.equal(applyCallback(payment(), noSum, NOW).next!.status, 'error');
    const awaitingOther = applyCallback(
      payment(),
      { ...awaiting, sum: { amount: 2, currency: 'CNY' } },
      NOW,
    );
    assert.equal(awaitingOther.next!.status, 'error', 'a QR code for another amount is not shown');
  });
});
