// Event streams under load and at their limits, over real HTTP (server/sse.ts,
// server/payment-stream.ts): 1,000 streams opened and closed leave no listener, timer or row
// behind; heartbeats; caps.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { eventually } from '../../helpers/eventually.js';
import { openSse, type SseClient } from '../../helpers/sse-client.js';
import { eventsUrl, startShop, type Created, type Shop } from '../../helpers/toolkit.js';

/** Payment Page mode: payments without Gate calls or callbacks, so only streams are at work. */
async function pagePayment(shop: Shop, ref: string): Promise<Created> {
  const answer = await shop.post('/payments', {
    payload: shop.payload(ref, { mode: 'payment-page' }),
  });
  assert.equal(answer.status, 201);
  return answer.body as Created;
}

/**
 * Counts the intervals started and not cleared while it is installed (heartbeats are unref'd,
 * so `process.getActiveResourcesInfo()` would not list them).
 */
function trackIntervals(t: TestContext): { live: () => number } {
  const live = new Set<unknown>();
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
    const handle = realSet(...args);
    live.add(handle);
    return handle;
  }) as typeof setInterval;
  globalThis.clearInterval = ((handle?: Parameters<typeof clearInterval>[0]) => {
    live.delete(handle);
    realClear(handle);
  }) as typeof clearInterval;
  t.after(() => {
    globalThis.setInterval = realSet;
    globalThis.clearInterval = realClear;
  });
  return { live: () => live.size };
}
describe('event streams', () => {
  it('1,000 streams opened and closed: no listeners, timers or rows left behind', async (t) => {
    // 125 payments and 1,000 streams from one address in a moment: over the default rate limit
    // and stream cap per client, which are not tested here.
    const shop = await startShop(t, {
      checkout: { streams: { maxTotal: 2000, maxPerClient: 2000 }, rateLimit: false },
    });
    const payments: Created[] = [];
    for (let i = 0; i < 125; i++) payments.push(await pagePayment(shop, `order-load-${i}`));
    const rowsBefore = (await shop.store.listPayments({ from: 0, to: Date.now() + 1000 })).length;
    const intervals = trackIntervals(t);

    const clients: SseClient[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const opened = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          openSse(eventsUrl(shop, payments[(batch * 100 + i) % payments.length])),
        ),
      );
      clients.push(...opened);
    }
    assert.ok(clients.every((c) => c.status === 200));
    await Promise.all(clients.map((c) => c.next()));
    assert.equal(shop.checkout.stats.streams, 1000);
    assert.equal(shop.checkout.stats.timers, 1000);
    assert.equal(intervals.live(), 1000, 'one heartbeat per stream');
    assert.equal(shop.hub.listenerCount, 1000);

    await Promise.all(clients.map((c) => c.close()));
    await eventually(() => shop.checkout.stats.streams === 0, 'every stream closed on the server');
    await eventually(() => shop.hub.listenerCount === 0, 'every hub listener removed');
    assert.deepEqual(shop.checkout.stats, { streams: 0, timers: 0, payments: 0 });
    assert.equal(intervals.live(), 0, 'every heartbeat cleared');
    const rowsAfter = await shop.store.listPayments({ from: 0, to: Date.now() + 1000 });
    assert.equal(rowsAfter.length, rowsBefore, 'streams write no rows');
    assert.ok(rowsAfter.every((p) => p.seq === 0));
    assert.equal((await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 })).length, 0);
  });

  it('sends heartbeat comments, and closes every stream on close()', async (t) => {
    const shop = await startShop(t, { checkout: { streams: { heartbeatMs: 20, retryMs: 1234 } } });
    const created = await pagePayment(shop, 'order-beat');
    const client = await openSse(eventsUrl(shop, created));
    assert.equal(JSON.parse((await client.next()).data).status, 'pending', 'the state on connect');
    assert.equal(client.retry, 1234);
    await client.waitForComments(2);
    assert.deepEqual(client.comments.slice(0, 2), ['ping', 'ping']);
    await shop.checkout.close();
    await client.ended;
    assert.equal(shop.checkout.stats.streams, 0);
  });

  it('caps streams per payment and in all: 429 too-many-streams, room again after a close', async (t) => {
    const shop = await startShop(t, { checkout: { streams: { maxPerPayment: 2, maxTotal: 3 } } });
    const a = await pagePayment(shop, 'order-cap-a');
    const b = await pagePayment(shop, 'order-cap-b');
    const a1 = await openSse(eventsUrl(shop, a));
    const a2 = await openSse(eventsUrl(shop, a));
    const a3 = await fetch(eventsUrl(shop, a));
    assert.equal(a3.status, 429);
    assert.equal((await a3.json()).error.code, 'too-many-streams');
    assert.equal(a3.headers.get('retry-after'), '5');
    const b1 = await openSse(eventsUrl(shop, b));
    const b2 = await fetch(eventsUrl(shop, b));
    assert.equal(b2.status, 429, 'the total cap');
    await b2.body?.cancel();
    await a1.close();
    await eventually(() => shop.checkout.stats.streams === 2, 'the closed stream released');
    const again = await openSse(eventsUrl(shop, a));
    assert.equal(again.status, 200);
    await Promise.all([a2.close(), b1.close(), again.close()]);
  });
});
