// ECommPay's callbacks and status answers (ecommpay/callback.ts): parseCallback and
// parseStatusAnswer, with the platform statuses they map to.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCallback, parseStatusAnswer } from '../../../src/ecommpay/callback.js';
import {
  AWAITING_CUSTOMER_CODE,
  finalReasonOf,
  fromPlatformStatus,
} from '../../../src/ecommpay/platform-statuses.js';
import { formatProblems, type Problem } from '../../../src/wire/problems.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));

const paths = (problems: Problem[]): string[] => problems.map((p) => p.path);

describe('parseCallback', () => {
  it('reads the awaiting customer action callback with its QR code and timeout', () => {
    const parsed = parseCallback(fixture('callback-awaiting-customer.json'));
    assert.ok(parsed.ok, parsed.ok ? '' : formatProblems(parsed.problems));
    const callback = parsed.value;
    assert.equal(callback.status, 'awaiting-customer');
    assert.equal(callback.platformStatus, 'awaiting customer action');
    assert.equal(callback.projectId, 843);
    assert.equal(callback.paymentId, 'EP761d-6f6d');
    assert.deepEqual(callback.sum, { amount: 30000, currency: 'CNY' });
    assert.deepEqual(callback.qr, {
      data: 'https://cashier.xhepay.com/paygate/union/pay/MDAyMDUxNjk0OTMwNjYyMTQzMTgwOHwwNHw0ODgxMDAwMA==',
      timeoutSeconds: 600,
    });
    assert.equal(callback.operation?.id, '2000000029');
  });

  it('reads awaiting customer (no "action") as a decline, never as a QR code to show', () => {
    // Was "maps both spellings of awaiting customer": ECommPay's own plug-ins treat
    // `awaiting customer` as a failed attempt (WooCommerce declines, Salesforce fails it).
    const data = fixture('callback-awaiting-customer.json') as Record<string, any>;
    data.payment.status = 'awaiting customer';
    const parsed = parseCallback(data);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.status, 'decline');
    assert.equal(fromPlatformStatus('Awaiting Customer', '20602'), 'decline', 'whatever its code');
    assert.deepEqual(finalReasonOf('awaiting customer', '0', 'Success'), {
      code: AWAITING_CUSTOMER_CODE,
      message: 'The payment was not completed (ECommPay: awaiting customer)',
    });
    assert.deepEqual(finalReasonOf('decline', '20105', 'Insufficient funds'), {
      code: '20105',
      message: 'Insufficient funds',
    });
  });

  it('reads success, and a time-out decline as expired with its code', () => {
    const success = parseCallback(fixture('callback-success.json'));
    assert.ok(success.ok);
    assert.equal(success.value.status, 'success');
    assert.equal(success.value.code, '0');
    const timeout = parseCallback(fixture('callback-decline-timeout.json'));
    assert.ok(timeout.ok);
    assert.equal(timeout.value.status, 'expired');
    assert.equal(timeout.value.platformStatus, 'decline');
    assert.equal(timeout.value.code, '20602');
    assert.equal(timeout.value.message, 'Time-out');
  });

  it('a decline with another code stays a decline', () => {
    const data = fixture('callback-decline-timeout.json') as Record<string, any>;
    data.operation.code = '20105';
    data.operation.message = 'Insufficient funds';
    const parsed = parseCallback(data);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.status, 'decline');
  });

  it('refuses an unknown status, a QR code with a control character and a bad timeout, by path', () => {
    const data = fixture('callback-awaiting-customer.json') as Record<string, any>;
    data.payment.status = 'paid maybe';
    data.display_data[0].data = 'javascript:\nalert(1)';
    data.display_data[1].data = '10 minutes';
    const parsed = parseCallback(data);
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.ok ? [] : paths(parsed.problems), [
      'payment.status',
      'display_data[0].data',
      'display_data[1].data',
    ]);
  });

  it('refuses a callback without payment id or project', () => {
    const data = fixture('callback-success.json') as Record<string, any>;
    delete data.project_id;
    delete data.payment.id;
    const parsed = parseCallback(data);
    assert.deepEqual(parsed.ok ? [] : paths(parsed.problems), ['project_id', 'payment.id']);
  });

  it('takes project and payment id from general when the project format puts them there', () => {
    const data = fixture('callback-success.json') as Record<string, any>;
    delete data.project_id;
    delete data.payment.id;
    data.general = { project_id: 843, payment_id: 'EP761d-6f6d', signature: 'x' };
    const parsed = parseCallback(data);
    assert.ok(parsed.ok, parsed.ok ? '' : formatProblems(parsed.problems));
    assert.equal(parsed.value.paymentId, 'EP761d-6f6d');
  });
});

/** The seed's time-out decline as Gate's status answer has it: `operations`, `errors`. */
function timeoutStatusAnswer(): Record<string, any> {
  const { operation, ...rest } = fixture('callback-decline-timeout.json') as Record<string, any>;
  const awaiting = {
    ...operation,
    status: 'awaiting customer action',
    code: '0',
    message: 'Success',
  };
  return { ...rest, operations: [awaiting, operation], errors: [] };
}

describe('parseStatusAnswer', () => {
  it('takes the code and message of the last operation: a 20602 time-out is expired', () => {
    const parsed = parseStatusAnswer(timeoutStatusAnswer());
    assert.ok(parsed.ok, parsed.ok ? '' : formatProblems(parsed.problems));
    assert.equal(parsed.value.status, 'expired');
    assert.equal(parsed.value.code, '20602');
    assert.equal(parsed.value.message, 'Time-out');
    assert.equal(parsed.value.operations.length, 2);
    assert.equal(parsed.value.operation, parsed.value.operations[1]);
    assert.deepEqual(parsed.value.errors, []);
    // The bug this parser fixes: read as a callback, the same answer was a bare decline.
    const asCallback = parseCallback(timeoutStatusAnswer());
    assert.ok(asCallback.ok);
    assert.equal(asCallback.value.status, 'decline');
    assert.equal(asCallback.value.code, undefined);
  });

  it('falls back on the first error, then on the top-level code, when no operation says', () => {
    const answer = timeoutStatusAnswer();
    answer.operations = [];
    answer.errors = [{ code: '20602', message: 'Time-out', field: '', description: null }];
    const fromError = parseStatusAnswer(answer);
    assert.ok(fromError.ok);
    assert.equal(fromError.value.status, 'expired');
    assert.deepEqual(fromError.value.errors, [
      { code: '20602', message: 'Time-out', field: '', description: '' },
    ]);
    delete answer.errors;
    answer.code = '20602';
    const fromTop = parseStatusAnswer(answer);
    assert.ok(fromTop.ok);
    assert.equal(fromTop.value.code, '20602');
  });

  it('reads an answer with one operation object as well (never stricter than the platform)', () => {
    const parsed = parseStatusAnswer(fixture('callback-decline-timeout.json'));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.status, 'expired');
    assert.equal(parsed.value.operations.length, 1);
  });

  it('reads project and payment from general, and refuses what is not a status, by path', () => {
    const answer = timeoutStatusAnswer();
    delete answer.project_id;
    answer.general = { project_id: 843, signature: 'x' };
    const general = parseStatusAnswer(answer);
    assert.ok(general.ok && general.value.projectId === 843);
    answer.general = { project_id: -1 };
    answer.operations = [{ code: {} }, 'op'];
    const bad = parseStatusAnswer(answer);
    assert.deepEqual(bad.ok ? [] : paths(bad.problems), [
      'operations[0].code',
      'operations[1]',
      'general.project_id',
    ]);
  });
});
