// Issue #13: no signing oracle. A shopper, with a browser's powers only (POST /payments,
// POST /payment-page, POST /callback), tries to make the merchant's server sign a Payment
// Page link whose city or street carries `;`-separated lines, then re-cuts the link into a
// callback with the same signed string (test/helpers/oracle.ts) and posts it. Against a real
// checkout and the real sandbox: each forged callback is refused, nothing changes, and the
// figure line says how many were tried. Then every other door a `;` could come in by.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkCustomerField, SHOPPER_FIELDS } from '../../src/wire/customer.js';
import { GateClient } from '../../src/server/gate/client.js';
import { GateError } from '../../src/server/gate/errors.js';
import { createPayload } from '../../src/server/payload.js';
import { canonicalString } from '../../src/ecommpay/signature.js';
import type { PaymentRecord } from '../../src/server/store.js';
import { hashToken, newToken } from '../../src/server/tokens.js';
import { TEST_CUSTOMER, TEST_IP } from '../helpers/customer.js';
import {
  forgeCallback,
  oracleText,
  paymentLeaves,
  withLeaves,
  type ForgedLeaf,
} from '../helpers/oracle.js';
import {
  foreignPayload,
  order,
  orderFields,
  PROJECT_ID,
  SECRET_KEY,
  signedCallback,
  startShop,
  type Created,
  type Reply,
  type Shop,
  untilStatus,
} from '../helpers/toolkit.js';

const figures = { tried: 0, accepted: 0, vias: new Set<string>() };

after(() => {
  console.log(
    `security (signing oracle): ${figures.tried} forged callbacks tried (via ${[...figures.vias].join(', ')}), ` +
      `${figures.accepted} accepted`,
  );
});

const { id: _id, ...SHOPPER } = TEST_CUSTOMER;
const SUM = (amount: number): ForgedLeaf[] => [
  [['payment', 'sum', 'amount'], amount],
  [['payment', 'sum', 'currency'], 'CNY'],
];

interface Attempt {
  /** How the shopper tried to get a Payment Page link signed. */
  start: Reply;
  link?: Reply;
}

/** The shopper asks for a Payment Page attempt (whatever the shop decided) and its link. */
async function askForLink(shop: Shop, payload: string, customer?: object): Promise<Attempt> {
  const start = await shop.post('/payments', {
    payload,
    mode: 'payment-page',
    ...(customer ? { customer } : {}),
  });
  if (start.status !== 201 && start.status !== 200) return { start };
  const { paymentId, token } = start.body as Created;
  return { start, link: await shop.post('/payment-page', { paymentId, token }) };
}

/**
 * Posts the callback the shopper wants: re-cut from the link when one was signed, else the same
 * document with the only signature the shopper has (none). Counts it; resolves to the answer.
 */
async function postForged(
  shop: Shop,
  via: string,
  link: Reply | undefined,
  field: string,
  leaves: ForgedLeaf[],
): Promise<Reply> {
  let body: Record<string, unknown>;
  if (link?.status === 200) {
    body = forgeCallback(link.body.url, field, leaves);
    // The ambiguity itself: the forged callback signs the very bytes of the link.
    const { signature: _s, ...params } = Object.fromEntries(new URL(link.body.url).searchParams);
    const { signature: _f, ...forged } = body;
    assert.equal(canonicalString(forged), canonicalString(params));
  } else {
    body = withLeaves({}, leaves);
  }
  figures.tried++;
  figures.vias.add(via);
  const answer = await shop.post('/callback', body);
  if (answer.status === 200) figures.accepted++;
  return answer;
}

// In each case the forged callback is posted first and its effect checked (what an attacker
// is after), then how the server refused to sign anything for it.
describe('the signing oracle: forged callbacks from a signed Payment Page link', () => {
  it('A. the city: own order success without a platform payment', async (t) => {
    const shop = await startShop(t, { checkout: { rateLimit: false } });
    const ref = 'oracle-a';
    const leaves = paymentLeaves(PROJECT_ID, ref, 'success', SUM(30000));
    const payload = shop.payload(ref, { customer: { id: 'c-a' }, mode: 'payment-page' });
    const attempt = await askForLink(shop, payload, { city: oracleText('北京', leaves) });
    const answer = await postForged(shop, 'city', attempt.link, 'customer_city', leaves);
    assert.equal(answer.status, 403);
    assert.equal(await shop.store.latestAttempt(ref), undefined, 'nothing was stored');
    assert.equal(shop.sandbox.control.saleRequests(), 0);
    assert.equal(attempt.start.status, 422, JSON.stringify(attempt.start.body));
    assert.equal(attempt.start.body.error.code, 'customer-incomplete');
    assert.deepEqual(
      attempt.start.body.error.fields.map((f: { path: string; rule: string }) => [f.path, f.rule]),
      [['customer.city', 'invalid-character']],
    );
  });

  it('B. the city: a 9,999.00 order success while Gate says awaiting', async (t) => {
    const shop = await startShop(t, { checkout: { rateLimit: false } });
    const big = await shop.start('oracle-big', { amount: 999_900 });
    await untilStatus(shop, big, 'awaiting-customer');
    // A QR shop (the quick start: only the customer's id fixed); the shopper asks for a link.
    const leaves = paymentLeaves(PROJECT_ID, 'oracle-big', 'success', SUM(999_900));
    const attempt = await askForLink(
      shop,
      shop.payload('oracle-b-link', { customer: { id: 'c-b' } }),
      { ...SHOPPER, city: oracleText('北京', leaves) },
    );
    const answer = await postForged(shop, 'city', attempt.link, 'customer_city', leaves);
    assert.equal((await shop.store.getPayment('oracle-big'))!.status, 'awaiting-customer');
    assert.equal(
      shop.sandbox.control.payment(PROJECT_ID, 'oracle-big')!.status,
      'awaiting customer action',
    );
    assert.equal(answer.status, 403);
    assert.equal(await shop.store.latestAttempt('oracle-b-link'), undefined);
    assert.equal(attempt.start.status, 400, JSON.stringify(attempt.start.body));
    assert.equal(attempt.start.body.error.code, 'field-fixed');
    assert.equal(attempt.start.body.error.fields[0].path, 'mode');
  });

  it("C. the city: another shopper's payment declined with the attacker's message", async (t) => {
    const shop = await startShop(t, { checkout: { rateLimit: false } });
    const victim = await shop.start('oracle-victim-c');
    await untilStatus(shop, victim, 'awaiting-customer');
    const before = await shop.store.getPayment('oracle-victim-c');
    const leaves = paymentLeaves(PROJECT_ID, 'oracle-victim-c', 'decline', [
      [['operation', 'code'], '20100'],
      [['operation', 'message'], '请致电 400-000-0000 付款'],
    ]);
    const attempt = await askForLink(
      shop,
      shop.payload('oracle-c-link', { customer: { id: 'c-c' }, mode: 'payment-page' }),
      { city: oracleText('上海', leaves) },
    );
    const answer = await postForged(shop, 'city', attempt.link, 'customer_city', leaves);
    assert.deepEqual(await shop.store.getPayment('oracle-victim-c'), before, 'untouched');
    assert.equal(answer.status, 403);
    assert.equal(attempt.start.status, 422);
  });

  it("D. the city: another shopper's QR code replaced by the attacker's", async (t) => {
    const shop = await startShop(t, { checkout: { rateLimit: false } });
    const victim = await shop.start('oracle-victim-d');
    await untilStatus(shop, victim, 'awaiting-customer');
    const genuine = (await shop.store.getPayment('oracle-victim-d'))!;
    const leaves = paymentLeaves(PROJECT_ID, 'oracle-victim-d', 'awaiting customer action', [
      [['display_data', '0', 'type'], 'qr_data'],
      [['display_data', '0', 'data'], 'https://evil.example/pay'],
    ]);
    const attempt = await askForLink(
      shop,
      shop.payload('oracle-d-link', { customer: { id: 'c-d' } }),
      { ...SHOPPER, city: oracleText('北京', leaves) },
    );
    const answer = await postForged(shop, 'city', attempt.link, 'customer_city', leaves);
    const after = (await shop.store.getPayment('oracle-victim-d'))!;
    assert.equal(after.qr!.data, genuine.qr!.data);
    assert.equal(after.seq, genuine.seq);
    assert.equal(answer.status, 403);
    assert.equal(attempt.start.status, 400);
  });

  it('E. the street, when the shop fixes the city', async (t) => {
    const shop = await startShop(t, { checkout: { rateLimit: false } });
    const ref = 'oracle-e';
    const leaves = paymentLeaves(PROJECT_ID, ref, 'success', SUM(30000));
    const payload = shop.payload(ref, {
      customer: { id: 'c-e', city: '北京' },
      mode: 'payment-page',
    });
    const attempt = await askForLink(shop, payload, { street: oracleText('建国路88号', leaves) });
    const answer = await postForged(shop, 'street', attempt.link, 'customer_street', leaves);
    assert.equal(await shop.store.latestAttempt(ref), undefined);
    assert.equal(answer.status, 403);
    assert.equal(attempt.start.status, 422);
    assert.equal(attempt.start.body.error.fields[0].path, 'customer.street');
    assert.equal(attempt.start.body.error.fields[0].rule, 'invalid-character');
  });

  it('F. a payload signed elsewhere that carries the shopper’s city', async (t) => {
    const shop = await startShop(t, { checkout: { rateLimit: false } });
    const ref = 'oracle-f';
    const leaves = paymentLeaves(PROJECT_ID, ref, 'success', SUM(30000));
    const payload = foreignPayload(
      orderFields(ref, {
        customer: { id: 'c-f', city: oracleText('北京', leaves) },
        mode: 'payment-page',
      }),
    );
    const attempt = await askForLink(shop, payload);
    const via = 'a payload signed elsewhere';
    const answer = await postForged(shop, via, attempt.link, 'customer_city', leaves);
    assert.equal(await shop.store.latestAttempt(ref), undefined);
    assert.equal(answer.status, 403);
    assert.equal(attempt.start.status, 400);
    assert.equal(attempt.start.body.error.code, 'payload-invalid');
    assert.match(attempt.start.body.error.message, /customer\.city: no ";"/);
  });

  it('G. an attempt stored before the rule existed: its link is never signed', async (t) => {
    const logs: string[] = [];
    const shop = await startShop(t, {
      checkout: { rateLimit: false, log: (line) => logs.push(line) },
    });
    const ref = 'oracle-g';
    const leaves = paymentLeaves(PROJECT_ID, ref, 'success', SUM(30000));
    const token = newToken();
    const now = Date.now();
    const stored: PaymentRecord = {
      paymentId: ref,
      orderRef: ref,
      attempt: 1,
      projectId: PROJECT_ID,
      channel: 'payment-page',
      status: 'pending',
      seq: 0,
      amount: 30000,
      currency: 'CNY',
      description: '机械键盘 keyboard',
      customer: { id: 'c-g', city: oracleText('北京', leaves), ip_address: TEST_IP },
      returnUrl: 'https://shop.example.com/thanks',
      tokenHashes: [hashToken(token)],
      createdAt: now,
      updatedAt: now,
    };
    assert.equal(await shop.store.createPayment(stored), true);
    const link = await shop.post('/payment-page', { paymentId: ref, token });
    const via = 'an attempt stored before the fix';
    const answer = await postForged(shop, via, link, 'customer_city', leaves);
    assert.equal((await shop.store.getPayment(ref))!.status, 'pending');
    assert.equal(answer.status, 403);
    assert.equal(link.status, 422, JSON.stringify(link.body));
    assert.equal(link.body.error.code, 'invalid-request');
    assert.equal(link.body.error.fields[0].path, 'customer_city');
    assert.ok(logs.some((line) => line.includes('not signed: customer_city')));
    assert.ok(!logs.some((line) => line.includes('payment:status')), 'no value in the log');
  });
});

describe('every other door a ";" could come in by', () => {
  it('createPayload: a TypeError naming each field that carries one', () => {
    const cases: [string, Parameters<typeof order>[1]][] = [
      ['description', { description: '茶具;payment:status:success' }],
      ['returnUrl', { returnUrl: 'https://shop.example/thanks;jsessionid=1' }],
      ['ref', { ref: 'order;1' }],
      ['customer.id', { customer: { ...TEST_CUSTOMER, id: 'c;1' } }],
      ['customer.city', { customer: { ...TEST_CUSTOMER, city: '北京;x' } }],
      ['customer.street', { customer: { ...TEST_CUSTOMER, street: '建国路;88号' } }],
    ];
    for (const [path, overrides] of cases) {
      // The ref's own pattern has no ";" in it: that rule speaks first.
      const expected = path === 'ref' ? 'ref: letters, digits' : `${path}: no ";"`;
      assert.throws(
        () => createPayload(order('order-x', overrides), { secretKey: SECRET_KEY }),
        (error: unknown) => error instanceof TypeError && error.message.includes(expected),
        path,
      );
    }
    // The full-width semicolon of Chinese text is no separator: it is taken.
    assert.ok(
      createPayload(order('order-y', { description: '茶具；两件' }), { secretKey: SECRET_KEY }),
    );
  });

  it('the form and the server share the rule: invalid-character, in every shopper field', () => {
    for (const field of SHOPPER_FIELDS) {
      assert.equal(
        checkCustomerField(field, `${SHOPPER[field]};`)?.rule,
        'invalid-character',
        field,
      );
    }
    // The other refusals stay as they were.
    assert.equal(checkCustomerField('city', '北京\u202e')?.rule, 'invalid');
    assert.equal(checkCustomerField('city', '北京\ud800')?.rule, 'invalid');
    assert.equal(checkCustomerField('city', '北京；朝阳'), undefined, 'the full-width one is text');
  });

  it('a QR payment with a ";" in the street: 422 next to the field, nothing sent to Gate', async (t) => {
    const shop = await startShop(t);
    const answer = await shop.post('/payments', {
      payload: shop.payload('oracle-form', { customer: { id: 'c-form' } }),
      customer: { ...SHOPPER, street: '建国路88号;3层' },
    });
    assert.equal(answer.status, 422);
    assert.deepEqual(answer.body.error.fields, [
      {
        path: 'customer.street',
        message: 'no ";" (at 6): it separates the fields of ECommPay\'s signature',
        rule: 'invalid-character',
      },
    ]);
    assert.equal(shop.sandbox.control.saleRequests(), 0);
    assert.equal(await shop.store.latestAttempt('oracle-form'), undefined);
  });

  it('GateClient: a sale or a status request with a ";" is invalid-request, nothing sent', async () => {
    let sent = 0;
    const client = new GateClient({
      projectId: PROJECT_ID,
      secretKey: SECRET_KEY,
      fetch: async () => {
        sent++;
        return new Response('{}');
      },
    });
    const sale = {
      general: { payment_id: 'p-1' },
      customer: { ...TEST_CUSTOMER, ip_address: TEST_IP, city: '北京;x' },
      payment: { amount: 100, currency: 'CNY' as const, description: 'd' },
      return_url: { success: 'https://shop.example/ok' },
    };
    await assert.rejects(
      client.sale(sale),
      (error: unknown) =>
        error instanceof GateError &&
        error.kind === 'invalid-request' &&
        error.problems.some((p) => p.path === 'customer.city' && p.message.includes('";"')),
    );
    await assert.rejects(
      client.sale({ ...sale, customer: { ...sale.customer, city: '北京' }, extra: { 'a;b': 1 } }),
      (error: unknown) => error instanceof GateError && error.kind === 'invalid-request',
    );
    await assert.rejects(
      client.status('p-1;payment:status:success'),
      (error: unknown) =>
        error instanceof GateError &&
        error.kind === 'invalid-request' &&
        error.problems[0].path === 'payment_id',
    );
    assert.equal(sent, 0);
  });

  it('a verified callback replayed with frame_mode or signature padding below the top: 403', async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('oracle-padded');
    await untilStatus(shop, created, 'awaiting-customer');
    const before = await shop.store.getPayment('oracle-padded');
    const genuine = signedCallback('oracle-padded', 'decline');
    for (const padded of [
      { ...genuine, payment: { ...genuine.payment, frame_mode: 'x'.repeat(4000) } },
      { ...genuine, operation: { ...genuine.operation, signature: 'x' } },
      { ...genuine, pad: [{ frame_mode: 'x' }] },
    ]) {
      const answer = await shop.post('/callback', padded);
      assert.equal(answer.status, 403, JSON.stringify(padded).slice(0, 120));
      assert.equal(answer.body.error.code, 'bad-signature');
    }
    assert.deepEqual(await shop.store.getPayment('oracle-padded'), before);
    // Where the platform puts them, they are left out as ever: the same callback is applied.
    const topLevel = { ...genuine, frame_mode: 'popup' };
    assert.equal((await shop.post('/callback', topLevel)).status, 200);
    assert.equal((await shop.store.getPayment('oracle-padded'))!.status, 'decline');
  });

  it("a genuine callback whose texts carry ';' (the platform's message) is still applied", async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('oracle-genuine');
    await untilStatus(shop, created, 'awaiting-customer');
    const message = 'Insufficient funds; try another card';
    await shop.sandbox.control.decline(PROJECT_ID, 'oracle-genuine', { code: '20100', message });
    await untilStatus(shop, created, 'decline');
    const payment = (await shop.store.getPayment('oracle-genuine'))!;
    assert.equal(payment.status, 'decline');
    assert.equal(payment.message, message);
  });
});
