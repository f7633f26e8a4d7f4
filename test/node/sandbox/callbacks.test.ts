// The sandbox's callbacks, received by a real HTTP receiver that verifies each one with the
// foundation's `verify`: their shape (the seed's), approve, decline, time-out, where they go,
// and delivery with retries until HTTP 200.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { parseCallback } from '../../../src/ecommpay/callback.js';
import { crc16ccitt } from '../../../src/sandbox/emv-qr.js';
import { SandboxError, startSandbox } from '../../../src/sandbox/index.js';
import { startReceiver, statusOf } from '../../helpers/receiver.js';
import { PROJECT_ID, saleBody, SECRET_KEY, setup, signed } from '../../helpers/sandbox.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

/** The keys (in order) and value types of a JSON value, as a comparable string. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).map(([key, child]) => [key, shape(child)]);
  }
  return typeof value;
}

function assertSameShape(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  const { signature, ...unsigned } = actual;
  assert.equal(typeof signature, 'string', 'a top-level signature');
  assert.equal(JSON.stringify(shape(unsigned)), JSON.stringify(shape(expected)));
}

describe('sandbox callbacks', () => {
  it('approve: awaiting customer action (QR, timeout) then success, signed, shaped as the seed', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    const accepted = await sale('order-1');
    const [awaiting] = await receiver.waitFor((r) => r.length === 1, 'the awaiting callback');
    assert.ok(awaiting.verified, 'verify() accepts the awaiting callback');
    assertSameShape(awaiting.body, fixture('callback-awaiting-customer'));
    const body = awaiting.body as any;
    assert.equal(body.project_id, PROJECT_ID);
    assert.equal(body.payment.id, 'order-1');
    assert.equal(body.payment.status, 'awaiting customer action');
    assert.deepEqual(body.payment.sum, { amount: 30000, currency: 'CNY' });
    assert.equal(body.payment.description, '机械键盘 keyboard');
    assert.equal(body.operation.request_id, accepted.body.request_id);
    assert.match(body.payment.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    const payment = sandbox.control.payment(PROJECT_ID, 'order-1')!;
    assert.deepEqual(body.display_data, [
      { type: 'qr_data', title: 'QR Code', data: payment.qrUrl },
      { type: 'add_info', title: 'QR Code Timeout', data: '600' },
    ]);
    assert.ok(payment.qrUrl.startsWith(`${sandbox.url}/bank/`));
    const parsed = parseCallback(body);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.status, 'awaiting-customer');
    assert.equal(parsed.value.qr?.timeoutSeconds, 600);

    const approved = await sandbox.control.approve(PROJECT_ID, 'order-1');
    assert.equal(approved.status, 'success');
    const all = await receiver.waitFor((r) => r.length === 2, 'the success callback');
    assert.ok(all[1].verified);
    assertSameShape(all[1].body, fixture('callback-success'));
    const success = all[1].body as any;
    assert.equal(success.payment.status, 'success');
    assert.equal(success.operation.status, 'success');
    assert.equal(success.operation.code, '0');
    assert.equal(success.operation.message, 'Success');
    assert.equal(success.operation.id, body.operation.id, 'the same operation');
    assert.equal(parseCallback(success).ok, true);
    await sandbox.control.settled();
    assert.deepEqual(
      sandbox.control
        .payment(PROJECT_ID, 'order-1')!
        .deliveries.map((d) => [d.callbackStatus, d.delivered]),
      [
        ['awaiting customer action', true],
        ['success', true],
      ],
    );
  });

  it('decline: with the given code and message, or 20000 General decline', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    await sale('order-2');
    await sale('order-3');
    await sandbox.control.decline(PROJECT_ID, 'order-2', {
      code: '20105',
      message: 'Declined by issuer',
    });
    await sandbox.control.decline(PROJECT_ID, 'order-3');
    const all = await receiver.waitFor((r) => r.length === 4, 'four callbacks');
    assert.ok(all.every((c) => c.verified));
    const finals = all.filter((c) => statusOf(c.body) === 'decline').map((c) => c.body as any);
    assert.deepEqual(
      finals
        .map((b) => [b.payment.id, b.operation.status, b.operation.code, b.operation.message])
        .sort(),
      [
        ['order-2', 'decline', '20105', 'Declined by issuer'],
        ['order-3', 'decline', '20000', 'General decline'],
      ],
    );
    assertSameShape(finals[0], fixture('callback-decline-timeout'));
    for (const body of finals) {
      const parsed = parseCallback(body);
      assert.ok(parsed.ok && parsed.value.status === 'decline');
    }
  });

  it('general format: the callbacks of the seed, project_id and signature under general', async (t) => {
    const { sandbox, receiver, sale } = await setup(t, {}, { callbackFormat: 'general' });
    sandbox.control.setFaults({ duplicateCallbacks: 1 });
    await sale('order-general');
    await sandbox.control.approve(PROJECT_ID, 'order-general');
    const all = await receiver.waitFor((r) => r.length === 4, 'two callbacks, twice each');
    for (const { body, verified } of all) {
      assert.ok(verified, 'verify() finds general.signature');
      const { general, ...rest } = body as Record<string, any>;
      assert.deepEqual(Object.keys(general), ['project_id', 'signature']);
      assert.equal(general.project_id, PROJECT_ID);
      assert.equal(rest.project_id, undefined);
      assert.equal(rest.signature, undefined);
      const seed = fixture(
        statusOf(body) === 'success' ? 'callback-success' : 'callback-awaiting-customer',
      );
      const { project_id: _project, ...seedRest } = seed;
      assert.equal(JSON.stringify(shape(rest)), JSON.stringify(shape(seedRest)));
      const parsed = parseCallback(body);
      assert.ok(parsed.ok && parsed.value.projectId === PROJECT_ID);
    }
    const project = { id: 1, secretKey: 'k' };
    await assert.rejects(
      startSandbox({ port: 0, projects: [{ ...project, callbackFormat: 'flat' as 'general' }] }),
      /callbackFormat must be "top-level" or "general" \(got "flat"\)/,
    );
    await assert.rejects(
      startSandbox({ port: 0, projects: [project], retrySchedule: 'fast' as 'ecommpay' }),
      /retrySchedule must be "ecommpay"/,
    );
    await assert.rejects(
      startSandbox({
        port: 0,
        projects: [project],
        retrySchedule: 'ecommpay',
        retryDelaysMs: [10],
      }),
      /not both/,
    );
  });

  it('awaiting customer: a payment the shopper left, final with that status', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    await sale('order-left');
    const reply = await fetch(`${sandbox.url}/sandbox/payments/${PROJECT_ID}/order-left/decline`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'awaiting customer' }),
    });
    assert.equal(reply.status, 200);
    assert.equal((await reply.json()).status, 'awaiting customer');
    const all = await receiver.waitFor((r) => r.length === 2, 'the final callback');
    const body = all[1].body as any;
    assert.ok(all[1].verified);
    assert.equal(body.payment.status, 'awaiting customer');
    assert.equal(body.operation.status, 'awaiting customer');
    assert.equal(body.display_data, undefined, 'no QR code to show');
    await assert.rejects(
      sandbox.control.approve(PROJECT_ID, 'order-left'),
      (error: unknown) => error instanceof SandboxError && error.kind === 'conflict',
    );
    const bad = await fetch(`${sandbox.url}/sandbox/payments/${PROJECT_ID}/order-left/decline`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'success' }),
    });
    assert.equal(bad.status, 400);
  });

  it('time-out: unpaid past the QR timeout (fast clock), decline 20602 Time-out', async (t) => {
    const { sandbox, receiver, sale } = await setup(t, { qrTimeoutSeconds: 5, timeScale: 0.01 });
    await sale('order-4');
    const all = await receiver.waitFor((r) => r.length === 2, 'the time-out callback');
    const [awaiting, timeout] = all.map((c) => c.body as any);
    assert.equal(awaiting.display_data[1].data, '5');
    assert.ok(all[1].verified);
    assertSameShape(timeout, fixture('callback-decline-timeout'));
    assert.equal(timeout.payment.status, 'decline');
    assert.equal(timeout.operation.code, '20602');
    assert.equal(timeout.operation.message, 'Time-out');
    const parsed = parseCallback(timeout);
    assert.ok(parsed.ok && parsed.value.status === 'expired');
    assert.equal(sandbox.control.payment(PROJECT_ID, 'order-4')!.code, '20602');
    await assert.rejects(sandbox.control.approve(PROJECT_ID, 'order-4'), /already final/);
  });

  it('expire (control): decline 20602 Time-out at once', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    await sale('order-5');
    const expired = await sandbox.control.expire(PROJECT_ID, 'order-5');
    assert.deepEqual(
      [expired.status, expired.code, expired.message],
      ['decline', '20602', 'Time-out'],
    );
    const all = await receiver.waitFor((r) => r.length === 2, 'two callbacks');
    assert.deepEqual(
      all.map((c) => statusOf(c.body)),
      ['awaiting customer action', 'decline'],
    );
    assert.equal((all[1].body as any).operation.code, '20602');
  });

  it('control refuses an unknown payment and a second outcome (payment unchanged)', async (t) => {
    const { sandbox, sale } = await setup(t);
    await assert.rejects(sandbox.control.approve(PROJECT_ID, 'nope'), (error: unknown) => {
      assert.ok(error instanceof SandboxError);
      assert.equal(error.kind, 'not-found');
      return true;
    });
    await sale('order-6');
    await sandbox.control.approve(PROJECT_ID, 'order-6');
    for (const second of [
      () => sandbox.control.decline(PROJECT_ID, 'order-6'),
      () => sandbox.control.expire(PROJECT_ID, 'order-6'),
      () => sandbox.control.approve(PROJECT_ID, 'order-6'),
    ]) {
      await assert.rejects(
        second(),
        (error: unknown) => error instanceof SandboxError && error.kind === 'conflict',
      );
    }
    assert.equal(sandbox.control.payment(PROJECT_ID, 'order-6')!.status, 'success');
    await assert.rejects(
      sandbox.control.decline(PROJECT_ID, 'order-6', { code: 'x1' }),
      /digits|final/,
    );
  });

  it('sends to general.merchant_callback_url when the request has one', async (t) => {
    const other = await startReceiver(SECRET_KEY);
    t.after(() => other.close());
    // Another origin than the project's callbackUrl: the project lists it.
    const { sandbox, receiver } = await setup(t, {}, { callbackOrigins: [other.url] });
    const body = saleBody('order-7');
    body.general.merchant_callback_url = `${other.url}/per-payment`;
    const reply = await fetch(`${sandbox.url}/v2/payment/cup/qr/sale`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signed(body)),
    });
    assert.equal(reply.status, 200);
    await sandbox.control.approve(PROJECT_ID, 'order-7');
    const got = await other.waitFor((r) => r.length === 2, 'both callbacks at the request URL');
    assert.ok(got.every((c) => c.verified && c.path === '/per-payment'));
    await sandbox.control.settled();
    assert.equal(receiver.received.length, 0, 'nothing to the project URL');
    assert.equal(
      sandbox.control.payment(PROJECT_ID, 'order-7')!.callbackUrl,
      `${other.url}/per-payment`,
    );
  });

  it('retries anything but HTTP 200 with backing-off waits until it is delivered', async (t) => {
    const { sandbox, receiver, sale } = await setup(t, { retryDelaysMs: [10, 30, 60] });
    receiver.answer = ({ index }) => (index < 2 ? 500 : 200);
    await sale('order-8');
    await sandbox.control.settled();
    assert.deepEqual(
      receiver.received.map((c) => c.answered),
      [500, 500, 200],
    );
    assert.ok(receiver.received.every((c) => c.verified && c.text === receiver.received[0].text));
    const log = sandbox.control.payment(PROJECT_ID, 'order-8')!.deliveries;
    assert.deepEqual(
      log.map((d) => [d.attempt, d.httpStatus, d.delivered, d.retryInMs]),
      [
        [1, 500, false, 10],
        [2, 500, false, 30],
        [3, 200, true, undefined],
      ],
    );
    assert.ok(
      log.every((d) => d.deliveryId === log[0].deliveryId && d.url === receiver.callbackUrl),
    );
    assert.match(log[0].error ?? '', /HTTP 500/);
    const gaps = log.slice(1).map((d, i) => Date.parse(d.at) - Date.parse(log[i].at));
    assert.ok(gaps[0] >= 10 && gaps[1] >= 30, `backing off: ${gaps}`);
    assert.deepEqual(sandbox.control.deliveries(), log);
  });

  it('gives up after the last retry; settled() resolves', async (t) => {
    const { sandbox, receiver, sale } = await setup(t, { retryDelaysMs: [5, 5] });
    receiver.answer = () => 503;
    await sale('order-9');
    await sandbox.control.settled();
    const log = sandbox.control.payment(PROJECT_ID, 'order-9')!.deliveries;
    assert.deepEqual(
      log.map((d) => [d.attempt, d.gaveUp ?? false]),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
    assert.equal(receiver.received.length, 3);
  });

  it('logs a refused connection as a failed attempt and retries it', async (t) => {
    const closed = await startReceiver(SECRET_KEY);
    const deadUrl = closed.callbackUrl;
    await closed.close();
    const { sandbox, sale } = await setup(
      t,
      { retryDelaysMs: [5] },
      { callbackOrigins: [closed.url] },
    );
    const body = saleBody('order-10');
    body.general.merchant_callback_url = deadUrl;
    await sale('order-10', signed(body));
    await sandbox.control.settled();
    const log = sandbox.control.payment(PROJECT_ID, 'order-10')!.deliveries;
    assert.equal(log.length, 2);
    assert.ok(
      log.every(
        (d) => !d.delivered && d.httpStatus === undefined && /ECONNREFUSED/.test(d.error ?? ''),
      ),
    );
    assert.equal(log[1].gaveUp, true);
  });

  it('counts a merchant that never answers as a failed attempt after deliveryTimeoutMs', async (t) => {
    const silent = createServer(() => {}); // reads the callback, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const { sandbox, sale } = await setup(
      t,
      { retryDelaysMs: [5], deliveryTimeoutMs: 50 },
      { callbackOrigins: [silentUrl] },
    );
    const body = saleBody('order-12');
    body.general.merchant_callback_url = `${silentUrl}/cb`;
    await sale('order-12', signed(body));
    await sandbox.control.settled();
    const log = sandbox.control.payment(PROJECT_ID, 'order-12')!.deliveries;
    assert.deepEqual(
      log.map((d) => [d.delivered, d.error]),
      [
        [false, 'no answer within 50 ms'],
        [false, 'no answer within 50 ms'],
      ],
    );
  });

  it('logs a payment with no callback URL at all, without retrying', async (t) => {
    const { startSandbox } = await import('../../../src/sandbox/index.js');
    const sandbox = await startSandbox({
      port: 0,
      projects: [{ id: PROJECT_ID, secretKey: SECRET_KEY }],
    });
    t.after(() => sandbox.close());
    const reply = await fetch(`${sandbox.url}/v2/payment/cup/qr/sale`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signed(saleBody('order-11'))),
    });
    assert.equal(reply.status, 200);
    await sandbox.control.settled();
    const [attempt] = sandbox.control.payment(PROJECT_ID, 'order-11')!.deliveries;
    assert.equal(attempt.delivered, false);
    assert.equal(attempt.gaveUp, true);
    assert.match(attempt.error ?? '', /no callback URL/);
  });
});

/** The data objects of an EMVCo payload, ID -> value, checked to fill it exactly. */
function emvObjects(payload: string): Map<string, string> {
  const chars = [...payload];
  const objects = new Map<string, string>();
  let at = 0;
  while (at < chars.length) {
    const id = chars.slice(at, at + 2).join('');
    const length = chars.slice(at + 2, at + 4).join('');
    assert.match(`${id}${length}`, /^\d{4}$/, `an ID and a length at ${at}`);
    objects.set(id, chars.slice(at + 4, at + 4 + Number(length)).join(''));
    at += 4 + Number(length);
  }
  assert.equal(at, chars.length, 'the data objects fill the payload exactly');
  return objects;
}

describe('sandbox QR codes as EMVCo payloads (qrFormat: emv)', () => {
  it('the CRC is CRC-16/CCITT-FALSE over UTF-8, as the EMVCo specification computes it', () => {
    assert.equal(crc16ccitt('123456789'), '29B1', 'the check value of CRC-16/CCITT-FALSE');
    // The specification's own example, with its Chinese template, ends in 6304A13A.
    const example =
      '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A';
    assert.equal(crc16ccitt(example.slice(0, -4)), 'A13A');
  });

  it('qr_data is a UnionPay merchant-presented payload of this payment; the bank-app page stays reachable', async (t) => {
    const { sandbox, receiver, sale } = await setup(t, {}, { qrFormat: 'emv' });
    await sale('order-emv-1');
    await sale('order-emv-2');
    const callbacks = await receiver.waitFor((r) => r.length === 2, 'two awaiting callbacks');
    const payloads = callbacks.map((c) => {
      assert.ok(c.verified, 'verify() accepts it');
      const body = c.body as any;
      assert.equal(body.display_data[0].type, 'qr_data');
      const payment = sandbox.control.payment(PROJECT_ID, body.payment.id)!;
      assert.equal(body.display_data[0].data, payment.qrData);
      assert.ok(payment.qrUrl.startsWith(`${sandbox.url}/bank/`), 'the bank app has its own URL');
      const parsed = parseCallback(body);
      assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.problems));
      assert.equal(parsed.value.qr?.data, payment.qrData, 'read, not "unreadable"');
      return payment.qrData;
    });
    for (const payload of payloads) {
      assert.match(payload, /^000201010212/);
      const objects = emvObjects(payload);
      assert.deepEqual(
        [...objects.keys()],
        ['00', '01', '15', '52', '53', '54', '58', '59', '60', '62', '64', '63'],
      );
      assert.equal(objects.get('53'), '156', 'CNY');
      assert.equal(objects.get('54'), '300.00', 'the amount, 30000 fen');
      assert.equal(objects.get('58'), 'CN');
      assert.match(objects.get('15')!, /^\d{31}$/, 'UnionPay: two IINs and a merchant id');
      assert.deepEqual(
        emvObjects(objects.get('64')!),
        new Map([
          ['00', 'ZH'],
          ['01', '沙盒商户'],
          ['02', '北京'],
        ]),
      );
      assert.equal(objects.get('63'), crc16ccitt(payload.slice(0, -4)));
    }
    const references = payloads.map((p) => emvObjects(emvObjects(p).get('62')!).get('05'));
    assert.notEqual(references[0], references[1], 'one code per payment');
    const page = await fetch(sandbox.control.payment(PROJECT_ID, 'order-emv-1')!.qrUrl);
    assert.equal(page.status, 200);
    await sandbox.control.approve(PROJECT_ID, 'order-emv-1');
    const all = await receiver.waitFor((r) => r.length === 3, 'the success callback');
    assert.equal((all[2].body as any).payment.status, 'success');
  });

  it('a project with another qrFormat is refused at start', async () => {
    await assert.rejects(
      startSandbox({
        port: 0,
        projects: [{ id: 7, secretKey: 'k', qrFormat: 'png' as never }],
      }),
      /project 7: qrFormat must be url or emv \(got "png"\)/,
    );
  });
});
