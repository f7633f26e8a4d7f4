// Faults on demand, each observed from the outside: by the real callback receiver (which
// verifies every callback) or by a Gate client, per project and per payment.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { GATE_ERRORS } from '../../../src/sandbox/index.js';
import { callbacksOf, statusOf } from '../../helpers/receiver.js';
import { postJson, PROJECT_ID, setup, signedSale } from '../../helpers/sandbox.js';

describe('sandbox faults', () => {
  it('duplicateCallbacks: each callback arrives again, operation.date a second later, still signed', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    sandbox.control.setFaults({ duplicateCallbacks: 2 }, { projectId: PROJECT_ID });
    await sale('order-1');
    await sandbox.control.approve(PROJECT_ID, 'order-1');
    await sandbox.control.settled();
    const got = receiver.received;
    assert.equal(got.length, 6);
    assert.ok(got.every((c) => c.verified));
    const awaiting = got.filter((c) => statusOf(c.body) === 'awaiting customer action');
    assert.equal(awaiting.length, 3);
    const dates = awaiting.map((c) =>
      Date.parse((c.body as any).operation.date.replace('+0000', 'Z')),
    );
    assert.deepEqual(dates.map((d) => d - dates[0]).sort(), [0, 1000, 2000]);
    // Apart from operation.date they are the same callback.
    const strip = (body: any) => ({
      ...body,
      signature: '',
      operation: { ...body.operation, date: '' },
    });
    assert.deepEqual(strip(awaiting[1].body), strip(awaiting[0].body));
    // The payment's own record lists each callback once.
    assert.equal(sandbox.control.payment(PROJECT_ID, 'order-1')!.callbacks.length, 2);
  });

  it('finalBeforeAwaiting: the final callback arrives first, then the awaiting one', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    sandbox.control.setFaults({ finalBeforeAwaiting: true }, { paymentId: 'order-2' });
    await sale('order-2');
    await sandbox.control.settled();
    assert.equal(receiver.received.length, 0, 'the awaiting callback is held back');
    await sandbox.control.approve(PROJECT_ID, 'order-2');
    const got = await receiver.waitFor((r) => r.length === 2, 'both callbacks');
    assert.deepEqual(
      got.map((c) => statusOf(c.body)),
      ['success', 'awaiting customer action'],
    );
    assert.ok(got.every((c) => c.verified));
    // Another payment of the project is not affected.
    await sale('order-3');
    await receiver.waitFor((r) => callbacksOf(r, 'order-3').length === 1, 'order-3 awaiting');
  });

  it('callbackDelayMs: platform delay before each callback, scaled by timeScale', async (t) => {
    const { sandbox, receiver, sale } = await setup(t, { timeScale: 0.01 });
    sandbox.control.setFaults({ callbackDelayMs: 10_000 }); // 100 ms real
    const started = Date.now();
    await sale('order-4');
    await receiver.waitFor((r) => r.length === 1, 'the delayed callback');
    assert.ok(Date.now() - started >= 95, `delayed ${Date.now() - started} ms`);
  });

  it('failDeliveries (unreachable): the first N attempts fail without reaching the merchant', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    sandbox.control.setFaults(
      { failDeliveries: 2 },
      { projectId: PROJECT_ID, paymentId: 'order-5' },
    );
    await sale('order-5');
    await sandbox.control.settled();
    assert.equal(receiver.received.length, 1, 'only the third attempt reached the merchant');
    const log = sandbox.control.payment(PROJECT_ID, 'order-5')!.deliveries;
    assert.deepEqual(
      log.map((d) => [d.attempt, d.simulated, d.delivered]),
      [
        [1, 'unreachable', false],
        [2, 'unreachable', false],
        [3, undefined, true],
      ],
    );
    assert.match(log[0].error ?? '', /simulated/);
  });

  it('failDeliveries (answer-lost): the merchant receives the callback N+1 times', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    sandbox.control.setFaults({ failDeliveries: 1, failMode: 'answer-lost' });
    await sale('order-6');
    await sandbox.control.settled();
    assert.equal(receiver.received.length, 2);
    assert.equal(receiver.received[0].text, receiver.received[1].text, 'the same callback, resent');
    const log = sandbox.control.payment(PROJECT_ID, 'order-6')!.deliveries;
    assert.deepEqual(
      log.map((d) => [d.httpStatus, d.simulated, d.delivered]),
      [
        [200, 'answer-lost', false],
        [200, undefined, true],
      ],
    );
  });

  it('corruptSignature: callbacks that verify() refuses', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    sandbox.control.setFaults({ corruptSignature: true }, { paymentId: 'order-7' });
    await sale('order-7');
    await sale('order-8');
    await sandbox.control.settled();
    const bad = callbacksOf(receiver.received, 'order-7');
    const good = callbacksOf(receiver.received, 'order-8');
    assert.equal(bad.length, 1);
    assert.equal(bad[0].verified, false);
    assert.equal(typeof bad[0].body.signature, 'string');
    assert.equal(good[0].verified, true);
    // The status answer stays correctly signed.
    sandbox.control.setFaults({}, { paymentId: 'order-7' });
    await sandbox.control.approve(PROJECT_ID, 'order-7');
    const all = await receiver.waitFor(
      (r) => callbacksOf(r, 'order-7').length === 2,
      'the success',
    );
    assert.equal(callbacksOf(all, 'order-7')[1].verified, true, 'cleared for later callbacks');
  });

  it('gateError: 5xx with a Gate error body, nothing created; gateFaultTimes ends it', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    sandbox.control.setFaults({ gateError: 502, gateFaultTimes: 1 }, { projectId: PROJECT_ID });
    const failed = await sale('order-9');
    assert.equal(failed.status, 502);
    assert.equal(failed.body.code, GATE_ERRORS.unavailable.code);
    assert.equal(failed.body.payment_id, 'order-9');
    assert.equal(sandbox.control.payment(PROJECT_ID, 'order-9'), undefined);
    const retried = await sale('order-9');
    assert.equal(retried.status, 200, 'the retry with the same payment_id goes through');
    assert.equal(sandbox.control.saleRequests(), 2);
    await receiver.waitFor((r) => r.length === 1, 'one awaiting callback');
  });

  it('gateHang: no answer until the client gives up, nothing created; close() still ends it', async (t) => {
    const { sandbox, waitForLog } = await setup(t);
    sandbox.control.setFaults({ gateHang: true }, { paymentId: 'order-10' });
    const controller = new AbortController();
    const pending = fetch(`${sandbox.url}/v2/payment/cup/qr/sale`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signedSale('order-10')),
      signal: controller.signal,
    });
    // The request reached Gate and is being held.
    await waitForLog(/sale order-10: hanging/);
    assert.equal(sandbox.control.saleRequests(), 1);
    controller.abort();
    await assert.rejects(pending, /abort/i);
    assert.equal(sandbox.control.payments().length, 0);
    // A hanging answer left open when the sandbox closes does not keep it alive.
    const second = rawPost(
      `${sandbox.url}/v2/payment/cup/qr/sale`,
      JSON.stringify(signedSale('order-10')),
    );
    await waitForLog(/sale order-10: hanging/, 2);
    assert.equal(sandbox.control.saleRequests(), 2);
    await sandbox.close();
    assert.match(await second, /socket hang up|ECONNRESET/);
  });

  it('gateHang after-accept: the payment is created and called back, only the answer is lost', async (t) => {
    const { sandbox, receiver } = await setup(t);
    sandbox.control.setFaults({ gateHang: 'after-accept', gateFaultTimes: 1 });
    const controller = new AbortController();
    const pending = fetch(`${sandbox.url}/v2/payment/cup/qr/sale`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signedSale('order-11')),
      signal: controller.signal,
    });
    await receiver.waitFor((r) => r.length === 1, 'the awaiting callback of the unanswered sale');
    controller.abort();
    await assert.rejects(pending);
    assert.equal(
      sandbox.control.payment(PROJECT_ID, 'order-11')!.status,
      'awaiting customer action',
    );
    const again = await postJson(`${sandbox.url}/v2/payment/cup/qr/sale`, signedSale('order-11'));
    assert.equal(again.status, 409, 'the retry learns the payment_id is taken');
  });

  it('gateDelayMs: Gate answers late (platform time)', async (t) => {
    const { sandbox, sale } = await setup(t, { timeScale: 0.01 });
    sandbox.control.setFaults({ gateDelayMs: 10_000 }, { paymentId: 'order-12' });
    const started = Date.now();
    assert.equal((await sale('order-12')).status, 200);
    assert.ok(Date.now() - started >= 95);
  });

  it('faults are checked: an unknown or wrong one is refused', async (t) => {
    const { sandbox } = await setup(t);
    assert.throws(() => sandbox.control.setFaults({ duplicate: 1 } as any), /unknown fault/);
    assert.throws(() => sandbox.control.setFaults({ gateError: 404 }), /500 to 599/);
    assert.throws(() => sandbox.control.setFaults({ failDeliveries: -1 }), /whole number/);
  });

  it('a payment scope wins over the project scope, which wins over the global one', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    sandbox.control.setFaults({ duplicateCallbacks: 1, corruptSignature: true });
    sandbox.control.setFaults({ corruptSignature: false }, { projectId: PROJECT_ID });
    sandbox.control.setFaults(
      { duplicateCallbacks: 0 },
      { projectId: PROJECT_ID, paymentId: 'order-13' },
    );
    await sale('order-13');
    await sale('order-14');
    await sandbox.control.settled();
    assert.equal(callbacksOf(receiver.received, 'order-13').length, 1);
    assert.equal(callbacksOf(receiver.received, 'order-14').length, 2);
    assert.ok(receiver.received.every((c) => c.verified));
  });
});

/** A POST whose outcome is its status code, or the error that ended it. */
function rawPost(url: string, body: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/json' } },
      (res) => {
        res.resume();
        resolve(String(res.statusCode));
      },
    );
    req.on('error', (error) => resolve(error.message));
    req.end(body);
  });
}
