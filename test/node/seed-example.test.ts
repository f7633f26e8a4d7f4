/**
 * The seed's own "correct payment request" (test/fixtures/sale-request.json: a Latin `city`
 * and `street`, country `CH`, project 200) passes everywhere, as it is: through the Gate
 * client and the real sandbox to a verified `success` callback, and through a real checkout
 * (payload, `POST /payments`, the Gate client inside, the sandbox's callbacks back over HTTP)
 * to a `success` the checkout applied, its sale byte for byte the seed's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCallback } from '../../src/ecommpay/callback.js';
import { GateClient, type SaleInput } from '../../src/server/gate/client.js';
import * as platform from '../helpers/sandbox.js';
import * as toolkit from '../helpers/toolkit.js';

/** The seed's sale, read afresh for each test (never changed by one for another). */
function seedSale(): SaleInput & { general: { project_id: number; payment_id: string } } {
  return JSON.parse(
    readFileSync(new URL('../fixtures/sale-request.json', import.meta.url), 'utf8'),
  );
}

const statusOf = (body: Record<string, unknown>): unknown =>
  (body.payment as { status?: unknown } | undefined)?.status;

describe("the seed's example sale", () => {
  it('goes through the Gate client and the sandbox to a verified success callback', async (t) => {
    const sale = seedSale();
    const projectId = sale.general.project_id;
    assert.equal(projectId, platform.PROJECT_ID);
    const { sandbox, receiver } = await platform.setup(t);
    const gate = new GateClient({
      projectId,
      secretKey: platform.SECRET_KEY,
      gateUrl: sandbox.url,
    });

    const accepted = await gate.sale(sale);
    assert.equal(accepted.payment_id, sale.general.payment_id);
    assert.equal(
      sandbox.control.payment(projectId, sale.general.payment_id)?.status,
      'awaiting customer action',
    );
    await receiver.waitFor((all) => all.length >= 1, 'the awaiting customer action callback');
    await sandbox.control.approve(projectId, sale.general.payment_id);
    const received = await receiver.waitFor(
      (all) => all.some((c) => statusOf(c.body) === 'success'),
      'the success callback',
    );
    assert.ok(
      received.every((c) => c.verified),
      'every callback is signed with the project key',
    );
    const parsed = parseCallback(received.find((c) => statusOf(c.body) === 'success')!.body);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.status, 'success');
    assert.equal(parsed.value.paymentId, sale.general.payment_id);
    assert.deepEqual(parsed.value.sum, { amount: 1000, currency: 'CNY' });
  });

  it('is read by the sandbox as the platform reads it: Latin text and 24 digits in, "+" out', async (t) => {
    const { sandbox } = await platform.setup(t);
    const post = (
      paymentId: string,
      customer: Record<string, string>,
    ): Promise<platform.JsonReply> => {
      const sale = seedSale();
      sale.general.payment_id = paymentId;
      Object.assign(sale.customer, customer);
      return platform.postJson(`${sandbox.url}/v2/payment/cup/qr/sale`, platform.signed(sale));
    };
    const accepted: Record<string, string>[] = [
      {},
      { first_name: 'San', last_name: 'Zhang', city: 'Zürich', street: 'Bahnhofstrasse 1, 3/F' },
      { phone: '1'.repeat(24) },
      { phone: '2233' },
    ];
    for (const [n, customer] of accepted.entries()) {
      const reply = await post(`seed-ok-${n}`, customer);
      assert.equal(reply.status, 200, `${JSON.stringify(customer)}: ${JSON.stringify(reply.body)}`);
    }
    // The platform takes digits only: tidying is the merchant side's job, never the sandbox's.
    const refused: [Record<string, string>, string][] = [
      [{ phone: '+8613632264147' }, 'customer.phone'],
      [{ phone: '136 3226 4147' }, 'customer.phone'],
      [{ phone: '1'.repeat(25) }, 'customer.phone'],
      [{ first_name: 'San3' }, 'customer.first_name'],
      [{ city: 'Zürich\u202e' }, 'customer.city'],
      [{ street: '1234' }, 'customer.street'],
    ];
    for (const [n, [customer, field]] of refused.entries()) {
      const reply = await post(`seed-refused-${n}`, customer);
      assert.equal(reply.status, 400, JSON.stringify(customer));
      assert.deepEqual(
        reply.body.errors.map((e: { field: string }) => e.field),
        [field],
        JSON.stringify(customer),
      );
      assert.equal(sandbox.control.payment(platform.PROJECT_ID, `seed-refused-${n}`), undefined);
    }
  });

  it('goes through a real checkout, as it is, to a success the checkout applied', async (t) => {
    const sale = seedSale();
    const projectId = sale.general.project_id;
    const sent: Record<string, any>[] = [];
    const shop = await toolkit.startShop(t, {
      sandbox: {
        projects: [{ id: projectId, secretKey: toolkit.SECRET_KEY, allowAnyCallbackUrl: true }],
      },
      checkout: {
        projectId,
        // The shopper's address of the seed's sale, as a proxy in front of the shop says it.
        trustProxy: { header: 'x-client-ip' },
        fetch: async (input, init) => {
          if (String(input).endsWith('/v2/payment/cup/qr/sale') && typeof init?.body === 'string') {
            sent.push(JSON.parse(init.body));
          }
          return fetch(input, init);
        },
      },
    });
    const { ip_address: ip, ...customer } = sale.customer;
    const created = await shop.post(
      '/payments',
      {
        payload: shop.payload(sale.general.payment_id, {
          amount: sale.payment.amount,
          description: sale.payment.description,
          customer,
          returnUrl: sale.return_url.success,
        }),
      },
      { 'x-client-ip': ip },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));

    // The sale Gate received is the seed's, with only what the checkout adds to every sale.
    assert.equal(sent.length, 1);
    const { signature, merchant_callback_url: callbackUrl, ...general } = sent[0].general;
    assert.ok(signature);
    assert.equal(callbackUrl, `${shop.url}/cup-qr/callback`);
    assert.deepEqual({ ...sent[0], general }, sale);

    await toolkit.untilStatus(shop, created.body, 'awaiting-customer');
    await shop.sandbox.control.approve(projectId, sale.general.payment_id);
    await toolkit.untilStatus(shop, created.body, 'success');
    const state = await shop.get(toolkit.statusPath(created.body));
    assert.equal(state.body.status, 'success');
    assert.equal(state.body.amount, 1000);
    const stored = await shop.store.getPayment(sale.general.payment_id);
    assert.deepEqual(stored?.customer, sale.customer);
  });
});
