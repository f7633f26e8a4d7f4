// The sandbox's Gate: what it accepts and how it answers (PROTOCOL.md §2), and every bad
// request refused with its documented error (ECommPay's code where its list has one), leaving
// nothing behind. Status answers in their own structure (payment + operations + errors), by
// payment id and by request id, in the project's callback format.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { parseCallback, parseStatusAnswer } from '../../../src/ecommpay/callback.js';
import { parseGateAnswer } from '../../../src/ecommpay/gate-answer.js';
import { GATE_ERRORS, STATUS_BY_REQUEST_PATH } from '../../../src/sandbox/index.js';
import type { SaleInput } from '../../../src/server/gate/client.js';
import { GateClient } from '../../../src/server/gate/client.js';
import { GateError } from '../../../src/server/gate/errors.js';
import { sign, verify } from '../../../src/ecommpay/signature.js';
import {
  postJson,
  PROJECT_ID,
  saleBody,
  SECRET_KEY,
  setup,
  signed,
  signedSale,
} from '../../helpers/sandbox.js';

describe('sandbox Gate: sale', () => {
  it('accepts a signed CUP QR sale with 200 {status, request_id, project_id, payment_id}', async (t) => {
    const { sandbox, sale } = await setup(t);
    const reply = await sale('order-1');
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.body), ['status', 'request_id', 'project_id', 'payment_id']);
    assert.equal(reply.body.status, 'success');
    assert.equal(reply.body.project_id, PROJECT_ID);
    assert.equal(reply.body.payment_id, 'order-1');
    assert.match(reply.body.request_id, /^[0-9a-f]{24}-\d{8}$/);
    const parsed = parseGateAnswer(reply.body);
    assert.ok(parsed.ok && parsed.value.accepted, 'the foundation reads it as accepted');
    const payment = sandbox.control.payment(PROJECT_ID, 'order-1');
    assert.equal(payment?.status, 'awaiting customer action');
    assert.equal(payment?.requestId, reply.body.request_id);
    assert.equal(payment?.amount, 30000);
    assert.equal(sandbox.control.saleRequests(), 1);
  });

  it('answers the Gate client of the toolkit (sale, then status)', async (t) => {
    const { sandbox } = await setup(t);
    const client = new GateClient({
      projectId: PROJECT_ID,
      secretKey: SECRET_KEY,
      gateUrl: sandbox.url,
    });
    const input = saleBody('order-client') as SaleInput;
    const accepted = await client.sale(input);
    assert.equal(accepted.payment_id, 'order-client');
    const status = await client.status('order-client');
    assert.equal(status.status, 'awaiting-customer');
    assert.match(status.qr?.data ?? '', /^http:\/\/127\.0\.0\.1:\d+\/bank\/[A-Za-z0-9_-]{22}$/);
    assert.equal(status.qr?.timeoutSeconds, 600);
    await sandbox.control.approve(PROJECT_ID, 'order-client');
    assert.equal((await client.status('order-client')).status, 'success');
    const refused = await client.sale(input).catch((e) => e);
    assert.ok(refused instanceof GateError);
    // ECommPay's 3041: the first sale got through (the client says so: ask status()).
    assert.equal(refused.kind, 'duplicate');
    assert.equal(refused.code, '3041');
    assert.equal(GATE_ERRORS.paymentIdUsed.code, '3041');
    assert.match(refused.message, /earlier sale with it got through/);
  });

  /** A bad request: its HTTP status, code, the field errors' fields; and nothing created. */
  async function refused(
    t: Parameters<typeof setup>[0],
    body: unknown,
    expected: { http: number; code: string; fields?: string[]; messageIncludes?: string },
    prepare?: (s: Awaited<ReturnType<typeof setup>>) => Promise<void>,
  ): Promise<void> {
    const s = await setup(t);
    if (prepare) await prepare(s);
    const before = s.sandbox.control.payments().length;
    const reply = await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, body);
    assert.equal(reply.status, expected.http, JSON.stringify(reply.body));
    assert.equal(reply.body.status, 'error');
    assert.equal(reply.body.code, expected.code);
    assert.equal(typeof reply.body.message, 'string');
    assert.equal(typeof reply.body.request_id, 'string');
    if (expected.messageIncludes)
      assert.ok(reply.body.message.includes(expected.messageIncludes), reply.body.message);
    const parsed = parseGateAnswer(reply.body);
    assert.ok(parsed.ok && !parsed.value.accepted, 'the foundation reads it as a refusal');
    if (expected.fields) {
      assert.deepEqual(
        reply.body.errors.map((e: { field: string }) => e.field),
        expected.fields,
      );
      for (const error of reply.body.errors) {
        assert.deepEqual(Object.keys(error), ['code', 'message', 'field', 'description']);
      }
    } else {
      assert.equal(reply.body.errors, undefined);
    }
    assert.equal(s.sandbox.control.payments().length, before, 'no payment created');
    await s.sandbox.control.settled();
    const extra = s.receiver.received.length - (prepare ? 1 : 0);
    assert.ok(extra <= 0, 'no callback for the refused request');
  }

  it('refuses a bad signature: 401 3261', async (t) => {
    const body = signedSale('order-2');
    body.payment.amount = 1; // changed after signing
    await refused(t, body, { http: 401, code: '3261', messageIncludes: 'Invalid signature' });
  });

  it('refuses a request signed with another key: 401 3261', async (t) => {
    await refused(t, signed(saleBody('order-2'), 'wrong-key'), { http: 401, code: '3261' });
  });

  it('refuses a request without a signature: 401 3262 Empty signature', async (t) => {
    await refused(t, saleBody('order-3'), {
      http: 401,
      code: '3262',
      messageIncludes: 'Empty signature',
    });
    const blank = saleBody('order-3');
    blank.general.signature = '';
    await refused(t, blank, { http: 401, code: '3262' });
    // A callback's place for it is no Gate request's.
    const { general, ...rest } = signedSale('order-3');
    const { signature, ...unsignedGeneral } = general;
    await refused(t, { ...rest, general: unsignedGeneral, signature }, { http: 401, code: '3262' });
  });

  it('checks the fields before the signature: a missing field is 400 2004', async (t) => {
    const body = saleBody('order-3');
    delete body.customer.email;
    await refused(t, body, { http: 400, code: '2004', fields: ['customer.email'] });
  });

  it('gives each field error the code ECommPay has for that field, else 702', async (t) => {
    const body = saleBody('order-3');
    body.general.payment_id = '';
    body.customer.email = 'not-an-email';
    body.customer.country = 'XX';
    body.customer.phone = 'call me';
    const s = await setup(t);
    const reply = await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, signed(body));
    assert.equal(reply.status, 400);
    const codes = Object.fromEntries(
      reply.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]),
    );
    assert.deepEqual(codes, {
      'general.payment_id': '2004',
      'customer.email': '2426',
      'customer.country': '2610',
      'customer.phone': '702',
    });
    // The answer's own code and message are its first field error's.
    assert.equal(reply.body.code, reply.body.errors[0].code);
    assert.equal(reply.body.message, reply.body.errors[0].message);
  });

  it('refuses a missing field of a signed request, code 2004 for the field', async (t) => {
    const body = saleBody('order-3');
    delete body.return_url;
    const s = await setup(t);
    const reply = await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, signed(body));
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body.errors, [
      {
        code: '2004',
        message: 'Required field not provided',
        field: 'return_url',
        description: 'required',
      },
    ]);
    assert.equal(s.sandbox.control.payments().length, 0);
  });

  it('refuses USD: 400 3121 on payment.currency', async (t) => {
    const body = saleBody('order-4');
    body.payment.currency = 'USD';
    const s = await setup(t);
    const reply = await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, signed(body));
    assert.equal(reply.status, 400);
    assert.equal(reply.body.code, '3121');
    assert.equal(reply.body.errors[0].field, 'payment.currency');
    assert.equal(reply.body.errors[0].code, '3121');
    assert.match(reply.body.errors[0].description, /CNY only/);
    assert.equal(s.sandbox.control.payments().length, 0);
  });

  it('refuses a float amount: 400 702 on payment.amount', async (t) => {
    const body = signedSale('order-5');
    body.payment.amount = 300.5; // the sale rules refuse it before the signature is checked
    await refused(t, body, { http: 400, code: '702', fields: ['payment.amount'] });
  });

  it('refuses a reused payment_id: 409 3041, the first payment unchanged', async (t) => {
    await refused(t, signedSale('order-6'), { http: 409, code: '3041' }, async (s) => {
      assert.equal((await s.sale('order-6')).status, 200);
      await s.receiver.waitFor((r) => r.length === 1, 'the first awaiting callback');
    });
  });

  it('refuses a body that is not JSON: 400 2003', async (t) => {
    await refused(t, '{"general": {"project_id": 200,', { http: 400, code: '2003' });
  });

  it('refuses JSON that is not an object: 400 2003', async (t) => {
    await refused(t, '[1, 2]', { http: 400, code: '2003' });
  });

  it('refuses an oversized body: 413, a sandbox-only code (90001)', async (t) => {
    const body = signedSale('order-7');
    body.padding = 'x'.repeat(70 * 1024);
    await refused(t, body, { http: 413, code: '90001' });
  });

  it('refuses a far oversized body without reading it all (413 or a cut connection)', async (t) => {
    const s = await setup(t, { maxBodyBytes: 1024 });
    const outcome = await new Promise<number | string>((resolve) => {
      const req = request(
        `${s.sandbox.url}/v2/payment/cup/qr/sale`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (error) => resolve(error.message));
      req.end('x'.repeat(64 * 1024));
    });
    assert.ok(outcome === 413 || typeof outcome === 'string', String(outcome));
    assert.equal(s.sandbox.control.payments().length, 0);
  });

  it('refuses an unknown project: 401 2442', async (t) => {
    await refused(t, signed(saleBody('order-8', 999)), { http: 401, code: '2442' });
  });

  it('counts every sale request that reached it, accepted or not', async (t) => {
    const s = await setup(t);
    await s.sale('order-9');
    await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, 'not json');
    await s.sale('order-9');
    assert.equal(s.sandbox.control.saleRequests(), 3);
    const get = await fetch(`${s.sandbox.url}/v2/payment/cup/qr/sale`);
    assert.equal(get.status, 405);
    assert.equal((await get.json()).code, '90006');
  });

  it('answers an unknown path with a Gate-shaped 404', async (t) => {
    const s = await setup(t);
    const reply = await postJson(`${s.sandbox.url}/v2/payment/card/sale`, {});
    assert.equal(reply.status, 404);
    assert.equal(reply.body.code, '90005');
  });

  it('uses the codes of ECommPay, and its own only outside every range of that list', () => {
    const ecommpay = (code: number): boolean =>
      code <= 3999 || code === 9999 || (code >= 10000 && code <= 30401);
    for (const [name, entry] of Object.entries(GATE_ERRORS)) {
      const own = Number(entry.code) >= 90000 && Number(entry.code) <= 90099;
      assert.ok(own !== ecommpay(Number(entry.code)), `${name} ${entry.code}`);
    }
    assert.deepEqual(
      [
        'malformed',
        'unknownProject',
        'emptySignature',
        'invalidSignature',
        'paymentIdUsed',
        'paymentNotFound',
      ].map((name) => GATE_ERRORS[name as keyof typeof GATE_ERRORS].code),
      ['2003', '2442', '3262', '3261', '3041', '3061'],
    );
  });
});

describe('sandbox Gate: status', () => {
  const statusRequest = (paymentId: string, key = SECRET_KEY): Record<string, unknown> => {
    const body = { general: { project_id: PROJECT_ID, payment_id: paymentId } };
    return { general: { ...body.general, signature: sign(body, key) } };
  };
  const byRequest = (requestId: string, key = SECRET_KEY): Record<string, unknown> => {
    const body = { general: { project_id: PROJECT_ID }, request_id: requestId };
    return { ...body, general: { ...body.general, signature: sign(body, key) } };
  };

  it('answers in the documented shape: payment, operations, errors; signed as the platform', async (t) => {
    const s = await setup(t);
    await s.sale('order-20');
    const url = `${s.sandbox.url}/v2/payment/status`;
    const awaiting = await postJson(url, statusRequest('order-20'));
    assert.equal(awaiting.status, 200);
    assert.ok(verify(awaiting.body, SECRET_KEY));
    assert.equal(awaiting.body.operation, undefined, 'not shaped like a callback');
    assert.deepEqual(awaiting.body.errors, []);
    assert.equal(awaiting.body.project_id, PROJECT_ID);
    assert.equal(awaiting.body.payment.status, 'awaiting customer action');
    assert.equal(awaiting.body.operations.length, 1);
    assert.equal(awaiting.body.operations[0].status, 'awaiting customer action');
    assert.equal(awaiting.body.display_data[0].type, 'qr_data');
    await s.sandbox.control.decline(PROJECT_ID, 'order-20', {
      code: '20105',
      message: 'Declined by issuer',
    });
    const declined = await postJson(url, statusRequest('order-20'));
    assert.equal(declined.body.payment.status, 'decline');
    assert.equal(declined.body.operations.at(-1).code, '20105');
    assert.equal(declined.body.operations.at(-1).message, 'Declined by issuer');
    assert.equal(declined.body.display_data, undefined);
  });

  it('is read by the status parser: a 20602 time-out is expired, with its code', async (t) => {
    const s = await setup(t);
    await s.sale('order-expired');
    await s.sandbox.control.expire(PROJECT_ID, 'order-expired');
    const answer = await postJson(
      `${s.sandbox.url}/v2/payment/status`,
      statusRequest('order-expired'),
    );
    const parsed = parseStatusAnswer(answer.body);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.value.platformStatus, 'decline');
    assert.equal(parsed.value.status, 'expired');
    assert.equal(parsed.value.code, '20602');
    assert.equal(parsed.value.message, 'Time-out');
    // What the toolkit read before: a callback parser finds no operation, so no code.
    const asCallback = parseCallback(answer.body);
    assert.ok(asCallback.ok);
    assert.equal(asCallback.value.code, undefined);
  });

  it('signs under general for a project with the general callback format', async (t) => {
    const s = await setup(t, {}, { callbackFormat: 'general' });
    await s.sale('order-general');
    const answer = await postJson(
      `${s.sandbox.url}/v2/payment/status`,
      statusRequest('order-general'),
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.body.signature, undefined);
    assert.equal(answer.body.project_id, undefined);
    assert.equal(answer.body.general.project_id, PROJECT_ID);
    assert.ok(verify(answer.body, SECRET_KEY));
    const parsed = parseStatusAnswer(answer.body);
    assert.ok(parsed.ok && parsed.value.projectId === PROJECT_ID);
  });

  it('answers by request id: the payment of an accepted sale, the errors of a refused one', async (t) => {
    const s = await setup(t);
    const url = `${s.sandbox.url}${STATUS_BY_REQUEST_PATH}`;
    const accepted = await s.sale('order-by-request');
    const found = await postJson(url, byRequest(accepted.body.request_id));
    assert.equal(found.status, 200);
    assert.ok(verify(found.body, SECRET_KEY));
    assert.equal(found.body.payment.id, 'order-by-request');
    assert.equal(found.body.operations[0].request_id, accepted.body.request_id);

    const body = saleBody('order-refused');
    body.payment.currency = 'USD';
    const refusedSale = await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, signed(body));
    assert.equal(refusedSale.status, 400);
    const errors = await postJson(url, byRequest(refusedSale.body.request_id));
    assert.equal(errors.status, 200);
    assert.deepEqual(errors.body, refusedSale.body, 'the errors that kept the sale from starting');

    const unknown = await postJson(url, byRequest('no-such-request'));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, '3061');
    const wrongKey = await postJson(url, byRequest(accepted.body.request_id, 'wrong-key'));
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongKey.body.code, '3261');
  });

  it('refuses a bad signature (401 3261), none (401 3262) and an unknown payment (404 3061)', async (t) => {
    const s = await setup(t);
    const url = `${s.sandbox.url}/v2/payment/status`;
    await s.sale('order-21');
    const bad = await postJson(url, statusRequest('order-21', 'wrong-key'));
    assert.equal(bad.status, 401);
    assert.equal(bad.body.code, '3261');
    const unsigned = await postJson(url, {
      general: { project_id: PROJECT_ID, payment_id: 'order-21' },
    });
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.body.code, '3262');
    const unknown = await postJson(url, statusRequest('order-nope'));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, '3061');
    const missing = await postJson(url, { general: { project_id: PROJECT_ID } });
    assert.equal(missing.status, 400);
    assert.deepEqual(
      missing.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]),
      [['general.payment_id', '2004']],
    );
  });
});
