// The sandbox's Gate: what it accepts and how it answers (PROTOCOL.md §2), and every bad
// request refused with its documented error, leaving nothing behind.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { parseGateAnswer } from '../../src/protocol/gate-answer.js';
import { GATE_ERRORS } from '../../src/sandbox/index.js';
import type { SaleInput } from '../../src/server/gate-client.js';
import { GateClient, GateError } from '../../src/server/gate-client.js';
import { sign, verify } from '../../src/server/signature.js';
import {
  postJson,
  PROJECT_ID,
  saleBody,
  SECRET_KEY,
  setup,
  signed,
  signedSale,
} from '../helpers/sandbox.js';

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
    assert.equal(refused.kind, 'refused');
    assert.equal(refused.code, GATE_ERRORS.paymentIdUsed.code);
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

  it('refuses a bad signature: 401 1201', async (t) => {
    const body = signedSale('order-2');
    body.payment.amount = 1; // changed after signing
    await refused(t, body, { http: 401, code: '1201', messageIncludes: 'Invalid signature' });
  });

  it('refuses a request signed with another key: 401 1201', async (t) => {
    await refused(t, signed(saleBody('order-2'), 'wrong-key'), { http: 401, code: '1201' });
  });

  it('refuses a missing signature and a missing field: 400 1100 with field errors', async (t) => {
    const body = saleBody('order-3');
    delete body.customer.email;
    await refused(t, body, {
      http: 400,
      code: '1100',
      fields: ['general.signature', 'customer.email'],
    });
  });

  it('refuses a missing field of a signed request, code 1102 for the field', async (t) => {
    const body = saleBody('order-3');
    delete body.return_url;
    const s = await setup(t);
    const reply = await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, signed(body));
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body.errors, [
      {
        code: '1102',
        message: 'Required parameter missing',
        field: 'return_url',
        description: 'required',
      },
    ]);
    assert.equal(s.sandbox.control.payments().length, 0);
  });

  it('refuses USD: 400 1100, payment.currency 1103', async (t) => {
    const body = saleBody('order-4');
    body.payment.currency = 'USD';
    const s = await setup(t);
    const reply = await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, signed(body));
    assert.equal(reply.status, 400);
    assert.equal(reply.body.code, '1100');
    assert.equal(reply.body.errors[0].field, 'payment.currency');
    assert.equal(reply.body.errors[0].code, '1103');
    assert.match(reply.body.errors[0].description, /CNY only/);
    assert.equal(s.sandbox.control.payments().length, 0);
  });

  it('refuses a float amount: 400 1100 on payment.amount', async (t) => {
    const body = signedSale('order-5');
    body.payment.amount = 300.5; // the sale rules refuse it before the signature is checked
    await refused(t, body, { http: 400, code: '1100', fields: ['payment.amount'] });
  });

  it('refuses a reused payment_id: 409 1301, the first payment unchanged', async (t) => {
    await refused(t, signedSale('order-6'), { http: 409, code: '1301' }, async (s) => {
      assert.equal((await s.sale('order-6')).status, 200);
      await s.receiver.waitFor((r) => r.length === 1, 'the first awaiting callback');
    });
  });

  it('refuses a body that is not JSON: 400 1001', async (t) => {
    await refused(t, '{"general": {"project_id": 200,', { http: 400, code: '1001' });
  });

  it('refuses JSON that is not an object: 400 1001', async (t) => {
    await refused(t, '[1, 2]', { http: 400, code: '1001' });
  });

  it('refuses an oversized body: 413 1002', async (t) => {
    const body = signedSale('order-7');
    body.padding = 'x'.repeat(70 * 1024);
    await refused(t, body, { http: 413, code: '1002' });
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

  it('refuses an unknown project: 401 1202', async (t) => {
    await refused(t, signed(saleBody('order-8', 999)), { http: 401, code: '1202' });
  });

  it('counts every sale request that reached it, accepted or not', async (t) => {
    const s = await setup(t);
    await s.sale('order-9');
    await postJson(`${s.sandbox.url}/v2/payment/cup/qr/sale`, 'not json');
    await s.sale('order-9');
    assert.equal(s.sandbox.control.saleRequests(), 3);
    const get = await fetch(`${s.sandbox.url}/v2/payment/cup/qr/sale`);
    assert.equal(get.status, 405);
    assert.equal((await get.json()).code, '1405');
  });

  it('answers an unknown path with a Gate-shaped 404', async (t) => {
    const s = await setup(t);
    const reply = await postJson(`${s.sandbox.url}/v2/payment/card/sale`, {});
    assert.equal(reply.status, 404);
    assert.equal(reply.body.code, '1404');
  });
});

describe('sandbox Gate: status', () => {
  const statusRequest = (paymentId: string, key = SECRET_KEY): Record<string, unknown> => {
    const body = { general: { project_id: PROJECT_ID, payment_id: paymentId } };
    return { general: { ...body.general, signature: sign(body, key) } };
  };

  it('answers the current state as a signed callback, display_data while awaiting', async (t) => {
    const s = await setup(t);
    await s.sale('order-20');
    const url = `${s.sandbox.url}/v2/payment/status`;
    const awaiting = await postJson(url, statusRequest('order-20'));
    assert.equal(awaiting.status, 200);
    assert.ok(verify(awaiting.body, SECRET_KEY));
    assert.equal(awaiting.body.payment.status, 'awaiting customer action');
    assert.equal(awaiting.body.display_data[0].type, 'qr_data');
    await s.sandbox.control.decline(PROJECT_ID, 'order-20', {
      code: '20105',
      message: 'Declined by issuer',
    });
    const declined = await postJson(url, statusRequest('order-20'));
    assert.equal(declined.body.payment.status, 'decline');
    assert.equal(declined.body.operation.code, '20105');
    assert.equal(declined.body.display_data, undefined);
  });

  it('refuses a bad signature (401 1201) and an unknown payment (404 1401)', async (t) => {
    const s = await setup(t);
    const url = `${s.sandbox.url}/v2/payment/status`;
    await s.sale('order-21');
    const bad = await postJson(url, statusRequest('order-21', 'wrong-key'));
    assert.equal(bad.status, 401);
    assert.equal(bad.body.code, '1201');
    const unknown = await postJson(url, statusRequest('order-nope'));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, '1401');
    const missing = await postJson(url, { general: { project_id: PROJECT_ID } });
    assert.equal(missing.status, 400);
    assert.deepEqual(
      missing.body.errors.map((e: { field: string }) => e.field),
      ['general.payment_id', 'general.signature'],
    );
  });
});
