// ECommPay's Gate answers (ecommpay/gate-answer.ts): parseGateAnswer names every problem by
// path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGateAnswer } from '../../../src/ecommpay/gate-answer.js';

describe('parseGateAnswer', () => {
  it('reads accepted and refused answers and names every problem by path', () => {
    const accepted = parseGateAnswer({
      status: 'success',
      request_id: 'r',
      project_id: 1,
      payment_id: 7,
    });
    assert.deepEqual(accepted, {
      ok: true,
      value: { accepted: true, status: 'success', request_id: 'r', project_id: 1, payment_id: '7' },
    });
    const refused = parseGateAnswer({
      status: 'error',
      code: 3,
      message: 'no',
      errors: [{ code: '1', message: 'm', field: 'f', description: ['x'] }],
    });
    assert.ok(refused.ok && !refused.value.accepted);
    assert.equal(refused.value.code, '3');
    assert.deepEqual(refused.value.errors, [
      { code: '1', message: 'm', field: 'f', description: '["x"]' },
    ]);

    const broken = parseGateAnswer({ status: 'error', errors: [{ field: 3 }] });
    assert.ok(!broken.ok);
    assert.deepEqual(
      broken.problems.map((p) => p.path),
      ['code', 'message', 'errors[0].code', 'errors[0].message', 'errors[0].field'],
    );
    const notObject = parseGateAnswer([]);
    assert.ok(!notObject.ok);
    assert.match(notObject.problems[0].message, /must be an object/);
  });
});
