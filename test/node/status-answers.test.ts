// Gate's status answers as ECommPay documents them (issue #14 items 1, 5, 9), through the
// toolkit's recovery paths against the real sandbox: refresh() of a payment whose time-out
// callback was lost comes back `expired` with 20602 (it was a bare `decline` while the answer
// was read as a callback); `awaiting customer` is a decline the shopper may start again; a shop
// that lost its store meets ECommPay's 3041 and asks Gate instead of opening a second payment.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { AWAITING_CUSTOMER_CODE } from '../../src/ecommpay/platform-statuses.js';
import { MemoryStore } from '../../src/server/stores/memory.js';
import { openSse, type SseClient } from '../helpers/sse-client.js';
import { eventsUrl, PROJECT_ID, startShop, type Created, type Shop } from '../helpers/toolkit.js';

/** The payment's stream, once it shows `status`. */
async function streamUntil(shop: Shop, created: Created, status: string): Promise<SseClient> {
  const client = await openSse(eventsUrl(shop, created));
  await client.waitFor(
    (events) => events.some((e) => JSON.parse(e.data).status === status),
    status,
  );
  return client;
}

/**
 * POSTs JSON on a connection of its own: after a server restart on the same port, `fetch` may
 * pick a pooled socket the old server has closed before the client has seen it close.
 */
function postOnNewConnection(url: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The last state the stream sent. */
function lastState(client: SseClient): any {
  return JSON.parse(client.events.at(-1)!.data);
}

/** A started payment showing its QR code, whose later callbacks are all lost. */
async function awaitingWithLostCallbacks(shop: Shop, ref: string): Promise<Created> {
  const created = await shop.start(ref);
  await (await streamUntil(shop, created, 'awaiting-customer')).close();
  shop.sandbox.control.setFaults({ failDeliveries: 99 }, { paymentId: ref });
  return created;
}

describe('status answers: refresh() against the sandbox', () => {
  it('a lost 20602 time-out callback is recovered as expired, with its code and message', async (t) => {
    const shop = await startShop(t, { sandbox: { retryDelaysMs: [60_000] } });
    const created = await awaitingWithLostCallbacks(shop, 'order-timeout');
    await shop.sandbox.control.expire(PROJECT_ID, 'order-timeout');
    assert.equal((await shop.store.getPayment('order-timeout'))!.status, 'awaiting-customer');

    const result = await shop.checkout.refresh('order-timeout');
    assert.equal(result!.status, 'expired', 'not "declined": the shopper gets a new code');
    assert.equal(result!.code, '20602');
    assert.equal(result!.message, 'Time-out');
    assert.deepEqual(result!.gate, {
      platformStatus: 'decline',
      status: 'expired',
      signed: true,
      applied: true,
    });
    const stream = await streamUntil(shop, created, 'expired');
    assert.equal(lastState(stream).code, '20602');
    await stream.close();
  });

  it('a lost decline keeps the platform code of the last operation', async (t) => {
    const shop = await startShop(t, { sandbox: { retryDelaysMs: [60_000] } });
    await awaitingWithLostCallbacks(shop, 'order-declined');
    await shop.sandbox.control.decline(PROJECT_ID, 'order-declined', {
      code: '20105',
      message: 'Insufficient funds on customer account',
    });
    const result = await shop.checkout.refresh('order-declined');
    assert.equal(result!.status, 'decline');
    assert.equal(result!.code, '20105');
    assert.equal(result!.message, 'Insufficient funds on customer account');
  });
});

describe('status answers: awaiting customer (without "action")', () => {
  it('is a decline with its own code, never a QR code; the same payload starts attempt 2', async (t) => {
    const shop = await startShop(t);
    const payload = shop.payload('order-left');
    const first = await shop.post('/payments', { payload });
    const stream = await streamUntil(shop, first.body, 'awaiting-customer');
    await shop.sandbox.control.decline(PROJECT_ID, 'order-left', { status: 'awaiting customer' });
    await stream.waitFor(
      (events) => events.some((e) => JSON.parse(e.data).status === 'decline'),
      'decline',
    );
    const last = lastState(stream);
    assert.equal(last.code, AWAITING_CUSTOMER_CODE);
    assert.equal(last.message, 'The payment was not completed (ECommPay: awaiting customer)');
    assert.equal(last.qr, undefined);
    await stream.close();
    const stored = await shop.store.getPayment('order-left');
    assert.equal(stored!.platformStatus, 'awaiting customer');

    const second = await shop.post('/payments', { payload });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.equal(second.body.paymentId, 'order-left~2');
    assert.equal(shop.sandbox.control.saleRequests(), 2);
  });

  it('is a decline when refresh() finds it in a status answer too', async (t) => {
    const shop = await startShop(t, { sandbox: { retryDelaysMs: [60_000] } });
    await awaitingWithLostCallbacks(shop, 'order-left-lost');
    await shop.sandbox.control.decline(PROJECT_ID, 'order-left-lost', {
      status: 'awaiting customer',
    });
    const result = await shop.checkout.refresh('order-left-lost');
    assert.equal(result!.status, 'decline');
    assert.equal(result!.code, AWAITING_CUSTOMER_CODE);
    assert.equal(result!.gate.platformStatus, 'awaiting customer');
  });
});

describe('status answers: a duplicate payment_id (ECommPay 3041)', () => {
  it('a shop that lost its store asks Gate and goes on with the payment, no second one', async (t) => {
    const shop = await startShop(t);
    const payload = shop.payload('order-restored');
    const first = await shop.post('/payments', { payload });
    assert.equal(first.status, 201);
    await shop.sandbox.control.settled();
    assert.equal((await shop.store.getPayment('order-restored'))!.status, 'awaiting-customer');

    // The shop comes back with an empty store (an old backup): it knows nothing of the payment.
    await shop.stopServer();
    await shop.restartServer(new MemoryStore());
    const again = await postOnNewConnection(`${shop.api}/payments`, { payload });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal(again.body.paymentId, 'order-restored', 'the same payment, not attempt 2');
    assert.equal(again.body.state.status, 'awaiting-customer');
    assert.ok(again.body.state.qr?.data, "the QR code from Gate's status answer");
    assert.equal(shop.sandbox.control.saleRequests(), 2, 'the second sale was refused (3041)');
    assert.equal(shop.sandbox.control.payments().length, 1, 'one payment at the platform');

    await shop.sandbox.control.approve(PROJECT_ID, 'order-restored');
    await shop.sandbox.control.settled();
    assert.equal((await shop.store.getPayment('order-restored'))!.status, 'success');
  });
});
