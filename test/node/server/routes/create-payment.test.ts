// Issue #13, item 2: the Payment Page mode is the merchant's decision, signed into the payload,
// never the request body's; and a live attempt is resumed only as it was started (its mode,
// its customer details), or answered 409 attempt-conflict. Over real HTTP, with the sandbox.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPayload } from '../../../../src/wire/payload.js';
import { createPayload } from '../../../../src/server/payload.js';
import { TEST_CUSTOMER } from '../../../helpers/customer.js';
import {
  foreignPayload,
  order,
  orderFields,
  PROJECT_ID,
  SECRET_KEY,
  startShop,
  type Created,
  type Shop,
  untilStatus,
} from '../../../helpers/toolkit.js';

const { id: _id, ...SHOPPER } = TEST_CUSTOMER;

/** What a refused request must leave as it was: the order's attempts and the Gate sales. */
async function stateOf(shop: Shop, ref: string): Promise<string> {
  const payments = await shop.store.listPayments({ from: 0, to: Date.now() + 3600_000 });
  return JSON.stringify({
    attempts: payments
      .filter((p) => p.orderRef === ref)
      .map(({ tokenHashes: _t, ...rest }) => rest),
    sales: shop.sandbox.control.saleRequests(),
  });
}

describe('the mode is the payload’s', () => {
  it('createPayload signs it; the page reads it; an unknown one is refused', () => {
    const payload = createPayload(order('mode-read', { mode: 'payment-page' }), {
      secretKey: SECRET_KEY,
    });
    const read = readPayload(payload);
    assert.ok(read.ok);
    assert.equal(read.value.mode, 'payment-page');
    const plain = readPayload(createPayload(order('mode-none'), { secretKey: SECRET_KEY }));
    assert.ok(plain.ok);
    assert.equal(plain.value.mode, undefined, 'absent: gate');
    assert.throws(
      () =>
        createPayload(order('mode-bad', { mode: 'popup' as 'gate' }), { secretKey: SECRET_KEY }),
      (error: unknown) => error instanceof TypeError && /mode: "gate"/.test(error.message),
    );
  });

  it('a body mode that disagrees with the payload is 400 field-fixed, nothing stored or sent', async (t) => {
    const shop = await startShop(t);
    const qr = shop.payload('mode-qr');
    const page = shop.payload('mode-page', { mode: 'payment-page' });
    for (const [payload, mode, ref] of [
      [qr, 'payment-page', 'mode-qr'],
      [page, 'gate', 'mode-page'],
    ] as const) {
      const before = await stateOf(shop, ref);
      const refused = await shop.post('/payments', { payload, mode });
      assert.equal(refused.status, 400, `${ref} as ${mode}`);
      assert.equal(refused.body.error.code, 'field-fixed');
      assert.deepEqual(refused.body.error.fields, [
        {
          path: 'mode',
          message: `fixed by the signed payload: "${mode === 'gate' ? 'payment-page' : 'gate'}"`,
          rule: 'fixed',
        },
      ]);
      assert.equal(await stateOf(shop, ref), before);
    }
    // A payload signed elsewhere with a mode that does not exist is not one to follow.
    const bogus = foreignPayload(orderFields('mode-bogus', { mode: 'popup' }));
    const invalid = await shop.post('/payments', { payload: bogus });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'payload-invalid');
    assert.match(invalid.body.error.message, /mode/);

    // The payload's own mode, repeated by the body or not: the same attempt.
    const started = await shop.post('/payments', { payload: page });
    assert.equal(started.status, 201);
    assert.equal((await shop.store.getPayment('mode-page'))!.channel, 'payment-page');
    const repeated = await shop.post('/payments', { payload: page, mode: 'payment-page' });
    assert.equal(repeated.status, 200);
    assert.equal(repeated.body.paymentId, 'mode-page');
    assert.equal(shop.sandbox.control.saleRequests(), 0, 'a Payment Page payment has no sale');
  });
});

describe('a live attempt is resumed only as it was started: 409 attempt-conflict', () => {
  it('started on the Payment Page, resumed by a QR checkout (once pending forever)', async (t) => {
    const shop = await startShop(t);
    const ref = 'conflict-mode';
    const page = shop.payload(ref, { mode: 'payment-page', customer: { id: 'c-1' } });
    // The body's mode, as an older element sent it: it agrees with the payload.
    const first = await shop.post('/payments', { payload: page, mode: 'payment-page' });
    assert.equal(first.status, 201);
    const before = await stateOf(shop, ref);

    const qr = await shop.post('/payments', { payload: shop.payload(ref) });
    assert.equal(qr.status, 409, JSON.stringify(qr.body));
    assert.equal(qr.body.error.code, 'attempt-conflict');
    assert.deepEqual(
      qr.body.error.fields.map((f: { path: string }) => f.path),
      ['mode'],
    );
    assert.equal(await stateOf(shop, ref), before, 'no sale, no new token, nothing changed');

    // The other way round: a live QR code, then a Payment Page payload of the same order.
    const other = await shop.start('conflict-mode-2');
    await untilStatus(shop, other, 'awaiting-customer');
    const asPage = await shop.post('/payments', {
      payload: shop.payload('conflict-mode-2', { mode: 'payment-page' }),
    });
    assert.equal(asPage.status, 409);
    assert.equal(asPage.body.error.code, 'attempt-conflict');
  });

  it('other customer details are refused, naming them, not dropped silently', async (t) => {
    const shop = await startShop(t);
    const ref = 'conflict-details';
    const payload = shop.payload(ref, { customer: { id: 'c-2' } });
    const first = await shop.post('/payments', { payload, customer: SHOPPER });
    assert.equal(first.status, 201);
    await untilStatus(shop, first.body as Created, 'awaiting-customer');

    // A reload, a second tab with the same details (spaces around them as the form trims them).
    const same = await shop.post('/payments', {
      payload,
      customer: { ...SHOPPER, city: ` ${SHOPPER.city} ` },
    });
    assert.equal(same.status, 200);
    assert.equal(same.body.paymentId, ref);
    assert.equal((await shop.post('/payments', { payload })).status, 200, 'no details: a resume');

    const before = await stateOf(shop, ref);
    const other = await shop.post('/payments', {
      payload,
      customer: { ...SHOPPER, city: '上海', phone: '13800138000' },
    });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'attempt-conflict');
    assert.deepEqual(
      other.body.error.fields.map((f: { path: string }) => f.path),
      ['customer.phone', 'customer.city'],
    );
    assert.equal(await stateOf(shop, ref), before);
    assert.equal((await shop.store.getPayment(ref))!.customer.city, SHOPPER.city);

    // Once the attempt has ended, the new details start the next one.
    await shop.sandbox.control.decline(PROJECT_ID, ref);
    await untilStatus(shop, first.body as Created, 'decline');
    const next = await shop.post('/payments', {
      payload,
      customer: { ...SHOPPER, city: '上海' },
    });
    assert.equal(next.status, 201);
    assert.equal(next.body.paymentId, `${ref}~2`);
    assert.equal((await shop.store.getPayment(`${ref}~2`))!.customer.city, '上海');
  });

  it('details for a Payment Page attempt started without them: 409, never dropped', async (t) => {
    const shop = await startShop(t);
    const ref = 'conflict-page-details';
    const payload = shop.payload(ref, { mode: 'payment-page', customer: { id: 'c-3' } });
    assert.equal((await shop.post('/payments', { payload })).status, 201);
    const later = await shop.post('/payments', { payload, customer: { phone: '13632264147' } });
    assert.equal(later.status, 409);
    assert.deepEqual(later.body.error.fields, [
      { path: 'customer.phone', message: 'the attempt was started without it' },
    ]);
    assert.equal((await shop.store.getPayment(ref))!.customer.phone, undefined);
  });

  it('a paid order answers with its success, whatever the request asks', async (t) => {
    const shop = await startShop(t);
    const paid = await shop.start('conflict-paid');
    await untilStatus(shop, paid, 'awaiting-customer');
    await shop.sandbox.control.approve(PROJECT_ID, 'conflict-paid');
    await untilStatus(shop, paid, 'success');
    const again = await shop.post('/payments', {
      payload: shop.payload('conflict-paid', { mode: 'payment-page' }),
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.state.status, 'success');
  });
});
