// The checkout handler through the wire protocol, end to end: a real merchant server on a real
// port, the sandbox as ECommPay (its Gate and its signed callbacks over HTTP), and a real SSE
// client. Every wait is on an event (an SSE message, a stored state), never a timer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePaymentState } from '../../../src/wire/payment-state.js';
import { readPayload } from '../../../src/wire/payload.js';
import { createPayload } from '../../../src/server/payload.js';
import { sign, verify } from '../../../src/ecommpay/signature.js';
import { openSse, type SseClient } from '../../helpers/sse-client.js';
import {
  eventsUrl,
  order,
  PROJECT_ID,
  SECRET_KEY,
  signedCallback,
  startShop,
  statusPath,
  type Shop,
} from '../../helpers/toolkit.js';
import { TEST_CUSTOMER } from '../../helpers/customer.js';

/** The states a stream delivered, parsed as the element parses them. */
function states(client: SseClient): any[] {
  return client.events.map((e) => {
    assert.equal(e.event, 'status');
    const parsed = parsePaymentState(JSON.parse(e.data));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(e.id, String(parsed.value.seq), 'the SSE id is the seq');
    return parsed.value;
  });
}

async function streamUntil(client: SseClient, status: string): Promise<any[]> {
  await client.waitFor(
    (events) => events.some((e) => JSON.parse(e.data).status === status),
    status,
  );
  return states(client);
}

/** Opens the payment's stream and waits for the awaiting-customer state with its QR code. */
async function awaitQr(
  shop: Shop,
  created: { paymentId: string; token: string },
): Promise<SseClient> {
  const client = await openSse(eventsUrl(shop, created));
  await streamUntil(client, 'awaiting-customer');
  return client;
}

describe('checkout: payments through the sandbox', () => {
  it('success: pending, then the QR code over SSE, then success; the stream ends', async (t) => {
    const shop = await startShop(t);
    const created = await shop.post('/payments', { payload: shop.payload('order-ok') });
    assert.equal(created.status, 201);
    assert.equal(created.body.paymentId, 'order-ok');
    assert.ok(Buffer.from(created.body.token, 'base64url').length >= 16, '>= 128 bits');
    assert.ok(parsePaymentState(created.body.state).ok);

    const client = await awaitQr(shop, created.body);
    assert.equal(client.status, 200);
    assert.match(client.headers.get('content-type')!, /^text\/event-stream/);
    assert.equal(client.headers.get('cache-control'), 'no-cache, no-transform');
    assert.equal(client.headers.get('x-accel-buffering'), 'no');
    assert.equal(client.retry, 3000);
    const awaiting = states(client).at(-1);
    const sandboxPayment = shop.sandbox.control.payment(PROJECT_ID, 'order-ok')!;
    assert.equal(awaiting.qr.data, sandboxPayment.qrUrl);
    assert.equal(awaiting.qr.timeoutSeconds, 600);
    assert.ok(awaiting.qr.expiresInSeconds > 590 && awaiting.qr.expiresInSeconds <= 600);
    assert.equal(awaiting.amount, 30000);

    await shop.sandbox.control.approve(PROJECT_ID, 'order-ok');
    const all = await streamUntil(client, 'success');
    await client.ended;
    assert.deepEqual(all.map((s) => s.status).slice(-2), ['awaiting-customer', 'success']);
    assert.equal(all.at(-1).qr, undefined, 'no QR code after the result');
    assert.equal(all.at(-1).code, '0');

    const status = await shop.get(statusPath(created.body));
    assert.equal(status.status, 200);
    assert.equal(status.body.status, 'success');
    assert.equal(status.headers.get('cache-control'), 'no-store');
    // Paid: the same order again is that payment, never a second sale.
    const again = await shop.post('/payments', { payload: shop.payload('order-ok') });
    assert.equal(again.status, 200);
    assert.equal(again.body.state.status, 'success');
    assert.equal(shop.sandbox.control.saleRequests(), 1);
    const history = await shop.store.listTransitions('order-ok');
    assert.deepEqual(
      history.map((h) => [h.seq, h.status]),
      [
        [0, 'pending'],
        [1, 'awaiting-customer'],
        [2, 'success'],
      ],
    );
  });

  it('an EMVCo payload as qr_data is applied: the stream carries it as it came, then success', async (t) => {
    const shop = await startShop(t, { project: { qrFormat: 'emv' } });
    const created = await shop.post('/payments', { payload: shop.payload('order-emv') });
    assert.equal(created.status, 201);
    const client = await awaitQr(shop, created.body);
    const sandboxPayment = shop.sandbox.control.payment(PROJECT_ID, 'order-emv')!;
    assert.match(sandboxPayment.qrData, /^000201010212.+6304[0-9A-F]{4}$/u);
    const awaiting = states(client).at(-1);
    assert.equal(awaiting.status, 'awaiting-customer');
    assert.equal(awaiting.qr.data, sandboxPayment.qrData);
    await shop.sandbox.control.settled();
    const [recorded] = await shop.store.listCallbacks({ from: 0, to: Date.now() + 1 });
    assert.equal(recorded.outcome, 'applied', 'read, not "unreadable"');
    assert.deepEqual((await shop.store.getPayment('order-emv'))!.qr?.data, sandboxPayment.qrData);

    await shop.sandbox.control.approve(PROJECT_ID, 'order-emv');
    const all = await streamUntil(client, 'success');
    await client.ended;
    assert.deepEqual(all.map((s) => s.status).slice(-2), ['awaiting-customer', 'success']);
  });

  it('decline: the platform code and message reach the element', async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('order-decline');
    const client = await awaitQr(shop, created);
    await shop.sandbox.control.decline(PROJECT_ID, 'order-decline', {
      code: '20105',
      message: 'Insufficient funds',
    });
    const last = (await streamUntil(client, 'decline')).at(-1);
    assert.equal(last.code, '20105');
    assert.equal(last.message, 'Insufficient funds');
    await client.ended;
  });

  it('time-out: decline 20602 is expired; the same payload then starts attempt 2', async (t) => {
    const shop = await startShop(t);
    const payload = shop.payload('order-late');
    const first = await shop.post('/payments', { payload });
    const client = await awaitQr(shop, first.body);
    await shop.sandbox.control.expire(PROJECT_ID, 'order-late');
    const last = (await streamUntil(client, 'expired')).at(-1);
    assert.equal(last.code, '20602');
    await client.close();

    const second = await shop.post('/payments', { payload });
    assert.equal(second.status, 201, 'a new attempt');
    assert.equal(second.body.paymentId, 'order-late~2');
    assert.notEqual(second.body.token, first.body.token);
    assert.equal(shop.sandbox.control.saleRequests(), 2);
    const again = await awaitQr(shop, second.body);
    await again.close();
  });

  it('a lost time-out callback: a new code once the old one ran out asks Gate, then starts attempt 2', async (t) => {
    let skewMs = 0;
    const shop = await startShop(t, { checkout: { now: () => Date.now() + skewMs } });
    const payload = shop.payload('order-lost');
    const first = await shop.post('/payments', { payload });
    const client = await awaitQr(shop, first.body);
    // Every later callback of this payment is lost (the retries give up), then the code times out.
    shop.sandbox.control.setFaults({ failDeliveries: 99 }, { paymentId: 'order-lost' });
    await shop.sandbox.control.expire(PROJECT_ID, 'order-lost');
    await shop.sandbox.control.settled();
    assert.equal((await shop.store.getPayment('order-lost'))?.status, 'awaiting-customer');

    // While the code is valid by the shop's clock, the same payload resumes it.
    const resumed = await shop.post('/payments', { payload });
    assert.equal(resumed.status, 200);
    assert.equal(resumed.body.paymentId, 'order-lost');

    // Past its time-out, the shop asks Gate instead of waiting for the lost callback.
    skewMs = (first.body.state.qr?.timeoutSeconds ?? 600) * 1000 + 1000;
    const second = await shop.post('/payments', { payload });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.equal(second.body.paymentId, 'order-lost~2');
    const settled = await shop.store.getPayment('order-lost');
    assert.equal(settled?.status, 'expired');
    assert.equal(settled?.code, '20602');
    // The open stream of the old code heard it too (the element waiting on it moves on).
    assert.equal((await streamUntil(client, 'expired')).at(-1).code, '20602');
    await client.close();
    assert.equal(shop.sandbox.control.saleRequests(), 2);
  });

  it('the same payload again: the same payment, a working token, no second Gate call', async (t) => {
    const shop = await startShop(t);
    const payload = shop.payload('order-twice');
    const first = await shop.post('/payments', { payload });
    const second = await shop.post('/payments', { payload });
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(second.body.paymentId, first.body.paymentId);
    assert.equal(shop.sandbox.control.saleRequests(), 1);
    for (const token of [first.body.token, second.body.token]) {
      const status = await shop.get(statusPath({ paymentId: 'order-twice', token }));
      assert.equal(status.status, 200);
    }
    // Even re-signed (a reload after the payload expired), the order is the same order.
    const third = await shop.post('/payments', { payload: shop.payload('order-twice') });
    assert.equal(third.status, 200);
    assert.equal(shop.sandbox.control.saleRequests(), 1);
    // Another amount for the same order reference is refused.
    const conflict = await shop.post('/payments', {
      payload: shop.payload('order-twice', { amount: 1 }),
    });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.error.code, 'order-conflict');
  });

  it('attempts stop at maxAttempts', async (t) => {
    const shop = await startShop(t, { checkout: { maxAttempts: 2 } });
    const payload = shop.payload('order-limit');
    for (const paymentId of ['order-limit', 'order-limit~2']) {
      const created = await shop.post('/payments', { payload });
      assert.equal(created.body.paymentId, paymentId);
      const client = await awaitQr(shop, created.body);
      await shop.sandbox.control.decline(PROJECT_ID, paymentId);
      await streamUntil(client, 'decline');
      await client.close();
    }
    const refused = await shop.post('/payments', { payload });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'attempts-exhausted');
    assert.equal(shop.sandbox.control.saleRequests(), 2);
  });

  it('the first callback arrives before Gate answers: the answer already shows the QR code', async (t) => {
    // `shop` is set before the first sale: the fetch below runs only then.
    const shop: Shop = await startShop(t, {
      checkout: {
        // Gate's answer is held until the awaiting callback has been stored and published.
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          const paymentId = 'order-race';
          const stored = await shop.store.getPayment(paymentId);
          if (stored?.status !== 'awaiting-customer') {
            await new Promise<void>((resolve) => {
              void shop.hub.subscribe(paymentId, (p) => {
                if (p.status === 'awaiting-customer') resolve();
              });
            });
          }
          return response;
        },
      },
    });
    const created = await shop.start('order-race');
    assert.equal(created.state.status, 'awaiting-customer');
    assert.equal(created.state.seq, 1);
    assert.ok(created.state.qr.data);
    const client = await openSse(eventsUrl(shop, created));
    const onConnect = await client.next();
    assert.equal(onConnect.id, '1', 'the stream starts where the answer was');
    await shop.sandbox.control.approve(PROJECT_ID, 'order-race');
    await streamUntil(client, 'success');
    await client.close();
  });

  it('duplicate and reordered callbacks: one terminal state, published once', async (t) => {
    const shop = await startShop(t);
    shop.sandbox.control.setFaults(
      { duplicateCallbacks: 2, finalBeforeAwaiting: true },
      { projectId: PROJECT_ID, paymentId: 'order-dup' },
    );
    const published: string[] = [];
    const carried = new Set<string>();
    await shop.hub.subscribe('order-dup', (p) => {
      published.push(p.status);
      for (const key of Object.keys(p)) carried.add(key);
    });
    const created = await shop.start('order-dup');
    const client = await openSse(eventsUrl(shop, created));
    // The awaiting callback is held back until the final one has gone out.
    await shop.sandbox.control.approve(PROJECT_ID, 'order-dup');
    await streamUntil(client, 'success');
    await shop.sandbox.control.settled();
    await client.ended;

    assert.deepEqual(published, ['success'], 'published once, nothing after it');
    assert.ok(!carried.has('tokenHashes') && !carried.has('customer'), 'no secrets on the hub');
    assert.deepEqual(
      states(client).map((s) => s.status),
      created.state.status === 'pending' ? ['pending', 'success'] : ['success'],
    );
    const received = await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 });
    const mine = received.filter((c) => c.paymentId === 'order-dup');
    assert.equal(mine.length, 6, 'every copy recorded (success x3, awaiting x3)');
    assert.deepEqual(mine.map((c) => c.outcome).sort(), [
      'applied',
      'ignored',
      'ignored',
      'ignored',
      'ignored',
      'ignored',
    ]);
    const payment = await shop.store.getPayment('order-dup');
    assert.equal(payment!.status, 'success');
    assert.equal(payment!.seq, 1);
  });

  it('a callback delivered again after a lost answer changes nothing', async (t) => {
    const shop = await startShop(t);
    shop.sandbox.control.setFaults(
      { failDeliveries: 2, failMode: 'answer-lost' },
      { paymentId: 'order-lost' },
    );
    const created = await shop.start('order-lost');
    const client = await awaitQr(shop, created);
    await shop.sandbox.control.approve(PROJECT_ID, 'order-lost');
    await streamUntil(client, 'success');
    await shop.sandbox.control.settled();
    const payment = await shop.store.getPayment('order-lost');
    assert.equal(payment!.seq, 2);
    const kept = await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 });
    // Each callback 3 times, the very same bytes: kept once, counted three times, with what the
    // copy that changed the payment did (the copies may come before or after the success).
    assert.deepEqual(
      kept.map((c) => [c.platformStatus, c.count, c.outcome]),
      [
        ['awaiting customer action', 3, 'applied'],
        ['success', 3, 'applied'],
      ],
    );
  });

  it('ten copies of a callback at once: one change, published once', async (t) => {
    const shop = await startShop(t);
    // Payment Page mode: no Gate sale, so no callback of the sandbox's own joins in.
    const created = await shop.post('/payments', {
      payload: shop.payload('order-burst', { mode: 'payment-page' }),
      mode: 'payment-page',
    });
    const published: number[] = [];
    await shop.hub.subscribe('order-burst', (p) => published.push(p.seq));
    const body = signedCallback('order-burst', 'success');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => shop.post('/callback', body)),
    );
    assert.ok(answers.every((a) => a.status === 200));
    const payment = await shop.store.getPayment('order-burst');
    assert.equal(payment!.status, 'success');
    assert.equal(published.length, 1);
    assert.equal(published[0], payment!.seq);
    // Ten copies of the same bytes: one record, counted ten times, saying one of them applied.
    const kept = (await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 })).filter(
      (c) => c.paymentId === 'order-burst' && c.platformStatus === 'success',
    );
    assert.deepEqual(
      kept.map((c) => [c.count, c.outcome]),
      [[10, 'applied']],
    );
    assert.equal(created.status, 201);
  });

  it('a bad callback signature: 403 and nothing changed (sandbox fault and a forged post)', async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('order-sig');
    const client = await awaitQr(shop, created);

    const forged = signedCallback('order-sig', 'success');
    forged.payment.sum.amount = 1;
    const refused = await shop.post('/callback', forged);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'bad-signature');

    shop.sandbox.control.setFaults({ corruptSignature: true }, { paymentId: 'order-sig' });
    await shop.sandbox.control.approve(PROJECT_ID, 'order-sig');
    await shop.sandbox.control.settled();
    const attempts = shop.sandbox.control
      .deliveries()
      .filter((d) => d.callbackStatus === 'success');
    assert.ok(attempts.length > 0 && attempts.every((d) => d.httpStatus === 403));
    const payment = await shop.store.getPayment('order-sig');
    assert.equal(payment!.status, 'awaiting-customer');
    assert.equal(payment!.seq, 1);
    const recorded = await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 });
    assert.equal(recorded.length, 1, 'only the genuine awaiting callback is kept');
    assert.equal(states(client).at(-1).status, 'awaiting-customer');
    await client.close();
  });

  it('signature in general.signature is accepted too', async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('order-general');
    const { signature: _top, ...unsigned } = signedCallback('order-general', 'decline');
    const body = { ...unsigned, general: { project_id: PROJECT_ID, payment_id: 'order-general' } };
    const withGeneral = {
      ...body,
      general: { ...body.general, signature: sign(body, SECRET_KEY) },
    };
    assert.ok(verify(withGeneral, SECRET_KEY));
    const answer = await shop.post('/callback', withGeneral);
    assert.equal(answer.status, 200);
    const status = await shop.get(statusPath(created));
    assert.equal(status.body.status, 'decline');
  });

  it('an amount that differs from the order is never success', async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('order-sum');
    const body = signedCallback('order-sum', 'success');
    const { signature: _s, ...unsigned } = body;
    unsigned.payment.sum = { amount: 100, currency: 'CNY' };
    const answer = await shop.post('/callback', {
      ...unsigned,
      signature: sign(unsigned, SECRET_KEY),
    });
    assert.equal(answer.status, 200, 'answered 200: the platform must not retry it');
    const status = await shop.get(statusPath(created));
    assert.equal(status.body.status, 'error');
    assert.equal(status.body.code, 'amount-mismatch');
    const [recorded] = (await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 })).filter(
      (c) => c.paymentId === 'order-sum' && c.outcome === 'amount-mismatch',
    );
    assert.ok(recorded);
  });

  it('a callback for an unknown payment is kept; one of another project refused', async (t) => {
    const shop = await startShop(t);
    const unknown = await shop.post('/callback', signedCallback('not-ours', 'success'));
    assert.equal(unknown.status, 200);
    const other = signedCallback('not-ours', 'success');
    const { signature: _s, ...unsigned } = other;
    unsigned.project_id = 9;
    const wrong = await shop.post('/callback', {
      ...unsigned,
      signature: sign(unsigned, SECRET_KEY),
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'wrong-project');
    const kept = await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 });
    assert.deepEqual(
      kept.map((c) => [c.paymentId, c.outcome]),
      [
        ['not-ours', 'unknown-payment'],
        ['not-ours', 'wrong-project'],
      ],
    );
    const tooBig = await shop.post('/callback', 'x'.repeat(70 * 1024));
    assert.equal(tooBig.status, 413);
    const notJson = await shop.post('/callback', '{');
    assert.equal(notJson.status, 400);
  });

  it('a tampered or expired payload: 4xx and no Gate call', async (t) => {
    const shop = await startShop(t);
    const payload = shop.payload('order-tamper');
    const [body, mac] = payload.split('.');
    const json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    json.amount = 1;
    const tampered = `${Buffer.from(JSON.stringify(json)).toString('base64url')}.${mac}`;
    assert.equal(readPayload(tampered).ok, true, 'still readable by the page');
    const otherMac = mac.startsWith('A') ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
    for (const candidate of [tampered, `${body}.${otherMac}`, body, '', 42, null]) {
      const answer = await shop.post('/payments', { payload: candidate });
      assert.equal(answer.status, 400, String(candidate));
      assert.equal(answer.body.error.code, 'payload-invalid');
      assert.equal(typeof answer.body.error.message, 'string');
    }
    // Expired: signed an hour and more ago.
    const old = createPayload(order('order-old'), {
      secretKey: SECRET_KEY,
      ttlSeconds: 60,
      now: Date.now() - 3600_000,
    });
    const expired = await shop.post('/payments', { payload: old });
    assert.equal(expired.status, 410);
    assert.equal(expired.body.error.code, 'payload-expired');
    // Signed with another key.
    const foreign = createPayload(order('order-x'), { secretKey: 'another-key' });
    assert.equal((await shop.post('/payments', { payload: foreign })).status, 400);
    assert.equal(shop.sandbox.control.saleRequests(), 0);
    // Not JSON at all, or the wrong content type.
    assert.equal((await shop.post('/payments', '{')).body.error.code, 'bad-request');
    const text = await shop.post('/payments', 'payload', { 'Content-Type': 'text/plain' });
    assert.equal(text.status, 415);
  });

  it('a wrong token: 401/403 on the stream and the status, the same for unknown payments', async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('order-token');
    const wrong = { paymentId: created.paymentId, token: `${created.token.slice(0, -2)}xx` };
    for (const target of [wrong, { paymentId: 'nobody', token: created.token }]) {
      const status = await shop.get(statusPath(target));
      assert.equal(status.status, 403);
      assert.equal(status.body.error.code, 'forbidden');
      const stream = await fetch(eventsUrl(shop, target));
      assert.equal(stream.status, 403);
      assert.equal((await stream.json()).error.code, 'forbidden');
    }
    const none = await shop.get(`/payments/${created.paymentId}`);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'token-required');
    // The token works as a bearer token too.
    const bearer = await shop.get(`/payments/${created.paymentId}`, {
      Authorization: `Bearer ${created.token}`,
    });
    assert.equal(bearer.status, 200);
  });

  it('a stream that reconnects with Last-Event-ID after the result gets the result', async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('order-resume');
    const first = await awaitQr(shop, created);
    const seen = states(first).at(-1).seq;
    await first.close();
    await shop.sandbox.control.approve(PROJECT_ID, 'order-resume');
    await shop.sandbox.control.settled();

    const again = await openSse(eventsUrl(shop, created), { 'Last-Event-ID': String(seen) });
    const result = await again.next();
    assert.equal(JSON.parse(result.data).status, 'success');
    assert.equal(result.id, String(seen + 1));
    await again.ended;
    // With the final id already seen: 204, which stops EventSource from reconnecting.
    const done = await fetch(eventsUrl(shop, created), {
      headers: { 'Last-Event-ID': result.id! },
    });
    assert.equal(done.status, 204);
    // With an id it already has and a live payment, nothing is repeated.
    const live = await shop.start('order-live');
    const quiet = await openSse(eventsUrl(shop, live), { 'Last-Event-ID': String(live.state.seq) });
    await shop.sandbox.control.settled();
    const payment = await shop.store.getPayment('order-live');
    await quiet.waitFor((events) => events.length === (payment!.seq > live.state.seq ? 1 : 0));
    assert.ok(quiet.events.every((e) => Number(e.id) > live.state.seq));
    await quiet.close();
  });

  it('Gate refusals map to JSON errors and leave the attempt in error', async (t) => {
    const shop = await startShop(t);
    shop.sandbox.control.setFaults({ gateError: 503, gateFaultTimes: 1 });
    const payload = shop.payload('order-gate');
    const failed = await shop.post('/payments', { payload });
    assert.equal(failed.status, 503);
    assert.equal(failed.body.error.code, 'gate-unavailable');
    assert.equal(failed.headers.get('retry-after'), '5');
    assert.equal((await shop.store.getPayment('order-gate'))!.status, 'error');
    // The shopper retries: a fresh payment_id, and Gate is back.
    const retried = await shop.post('/payments', { payload });
    assert.equal(retried.status, 201);
    assert.equal(retried.body.paymentId, 'order-gate~2');

    // Customer details Gate needs but neither the payload nor the page gave.
    const partial = await shop.post('/payments', {
      payload: shop.payload('order-partial', { customer: { id: 'c1' } }),
    });
    assert.equal(partial.status, 422);
    assert.equal(partial.body.error.code, 'customer-incomplete');
    assert.ok(partial.body.error.fields.some((f: any) => f.path === 'customer.phone'));
    // ...which the page may add (overriding the payload's own is refused: customer*.test.ts).
    const completed = await shop.post('/payments', {
      payload: shop.payload('order-partial', { customer: { id: 'c1' } }),
      customer: (({ id: _fixedByPayload, ...asked }) => asked)(TEST_CUSTOMER),
    });
    assert.equal(completed.status, 201);
    assert.equal((await shop.store.getPayment('order-partial'))!.customer.id, 'c1');
    assert.equal((await shop.store.getPayment('order-partial'))!.customer.ip_address, '127.0.0.1');
  });

  it('Payment Page mode: no Gate call; a signed link the sandbox Payment Page accepts', async (t) => {
    const shop = await startShop(t, { checkout: {} });
    const created = await shop.post('/payments', {
      payload: shop.payload('order-page', { locale: 'zh-CN', mode: 'payment-page' }),
    });
    assert.equal(created.status, 201);
    assert.equal(shop.sandbox.control.saleRequests(), 0);
    const link = await shop.post('/payment-page', {
      paymentId: created.body.paymentId,
      token: created.body.token,
    });
    assert.equal(link.status, 200);
    const url = new URL(link.body.url);
    assert.equal(`${url.origin}${url.pathname}`, 'https://paymentpage.ecommpay.com/payment');
    const params = Object.fromEntries(url.searchParams);
    assert.equal(params.force_payment_method, 'cup-qr');
    assert.equal(params.payment_amount, '30000');
    assert.equal(params.language_code, 'zh');
    assert.equal(params.merchant_callback_url, `${shop.url}/cup-qr/callback`);
    assert.ok(verify(params, SECRET_KEY), 'signed with the project algorithm');
    const wrongToken = await shop.post('/payment-page', { paymentId: 'order-page', token: 'x' });
    assert.equal(wrongToken.status, 403);
    const gatePayment = await shop.start('order-qr');
    const wrongMode = await shop.post('/payment-page', gatePayment);
    assert.equal(wrongMode.status, 409);
    assert.equal(wrongMode.body.error.code, 'wrong-mode');
  });

  it('Payment Page link opens on the sandbox Payment Page, whose callbacks finish the payment', async (t) => {
    const shop = await startShop(t, {
      checkout: (sandbox) => ({ paymentPageUrl: `${sandbox.url}/payment` }),
    });
    const created = await shop.post('/payments', {
      payload: shop.payload('order-hosted', { mode: 'payment-page' }),
    });
    const link = await shop.post('/payment-page', created.body);
    const page = await fetch(link.body.url);
    assert.equal(page.status, 200, await page.text());
  });

  it('refresh(): a payment whose callbacks never arrive is finished by asking Gate', async (t) => {
    const shop = await startShop(t, { sandbox: { retryDelaysMs: [60_000] } });
    shop.sandbox.control.setFaults({ failDeliveries: 10 }, { paymentId: 'order-quiet' });
    const created = await shop.start('order-quiet');
    const client = await openSse(eventsUrl(shop, created));
    await client.next();
    await shop.sandbox.control.approve(PROJECT_ID, 'order-quiet');
    assert.equal((await shop.store.getPayment('order-quiet'))!.status, 'pending', 'nothing came');

    const state = await shop.checkout.refresh('order-quiet');
    assert.equal(state!.status, 'success');
    await streamUntil(client, 'success');
    await client.ended;
    assert.equal(await shop.checkout.refresh('order-unknown'), undefined);
    // Asked again: nothing changes, nothing is published.
    assert.equal((await shop.checkout.refresh('order-quiet'))!.seq, state!.seq);
  });

  it('the shopper IP: the connection, or a trusted proxy header when configured', async (t) => {
    const direct = await startShop(t);
    const headers = { 'X-Forwarded-For': '203.0.113.7' };
    const one = await direct.post('/payments', { payload: direct.payload('order-ip') }, headers);
    assert.equal(one.status, 201);
    assert.equal((await direct.store.getPayment('order-ip'))!.customer.ip_address, '127.0.0.1');
    const proxied = await startShop(t, { checkout: { trustProxy: true } });
    await proxied.post('/payments', { payload: proxied.payload('order-ip') }, headers);
    assert.equal((await proxied.store.getPayment('order-ip'))!.customer.ip_address, '203.0.113.7');
    const bad = await proxied.post('/payments', { payload: proxied.payload('order-m'), mode: 'x' });
    assert.equal(bad.body.error.code, 'bad-request');
  });

  it('a signed callback it cannot read is kept and answered 200 (a retry would not help)', async (t) => {
    const shop = await startShop(t);
    const answer = await shop.post('/callback', signedCallback('order-odd', 'on hold'));
    assert.equal(answer.status, 200);
    const [kept] = await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 });
    assert.equal(kept.outcome, 'unreadable');
    assert.match(kept.body, /on hold/);
  });

  it('routes: 404 outside the protocol, 405 with Allow', async (t) => {
    const shop = await startShop(t);
    assert.equal((await shop.get('/nothing')).status, 404);
    const wrongMethod = await shop.get('/callback');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    assert.equal(wrongMethod.body.error.code, 'method-not-allowed');
  });
});
