// Redis for several server instances: the store's compare-and-set across connections, the hub
// across instances, two real checkout servers sharing one real Redis (the callback lands on
// one, the shopper's stream is held by the other) and an instance killed mid-payment. A Redis
// restart mid-payment is in faults.test.ts, with the other faults; the shared store contract
// runs against Redis in store.test.ts.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { openRedisHub, type RedisHub } from '../../../src/server/hubs/redis.js';
import { keptCallback } from '../../../src/server/callback-record.js';
import type { PaymentUpdate } from '../../../src/server/store.js';
import { openRedisStore, type RedisStore } from '../../../src/server/stores/redis.js';
import { DEFAULT_TOKEN_RULES } from '../../../src/server/tokens.js';
import {
  eventsOf,
  startInstance,
  startPayment,
  startPlatform,
  startRedis,
} from '../../helpers/redis.js';
import { openSse, type SseEvent } from '../../helpers/sse-client.js';
import { PROJECT_ID } from '../../helpers/toolkit.js';
import { record } from '../../helpers/records.js';

async function store(t: TestContext, url: string): Promise<RedisStore> {
  const opened = await openRedisStore({ url });
  t.after(() => opened.close());
  return opened;
}

async function hub(t: TestContext, url: string): Promise<RedisHub> {
  const opened = await openRedisHub({ url });
  t.after(() => opened.close());
  return opened;
}

/** Resolves with the first update a listener gets. */
function nextUpdate(h: RedisHub, paymentId: string): Promise<PaymentUpdate> {
  return new Promise((resolve, reject) => {
    h.subscribe(paymentId, resolve).catch(reject);
  });
}

const statusOf = (e: SseEvent): string => JSON.parse(e.data).status;
const has = (status: string) => (events: SseEvent[]) => events.some((e) => statusOf(e) === status);

describe('redis store across connections', () => {
  it('of many concurrent updates from the same seq, exactly one wins', async (t) => {
    const redis = await startRedis(t);
    const stores = await Promise.all([1, 2, 3, 4].map(() => store(t, redis.url)));
    await stores[0].createPayment(record('A'));
    const results = await Promise.all(
      stores.flatMap((s, i) =>
        [0, 1].map((j) =>
          s.updatePayment(
            record('A', { seq: 1, status: 'awaiting-customer', code: `${i}${j}` }),
            0,
          ),
        ),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const history = await stores[3].listTransitions('A');
    assert.deepEqual(
      history.map((h) => h.seq),
      [0, 1],
    );
    assert.equal((await stores[2].getPayment('A'))!.code, history[1].code);
  });

  it('refuses a second payment with the same order and attempt, keeps tokens across updates', async (t) => {
    const s = await store(t, (await startRedis(t)).url);
    assert.equal(await s.createPayment(record('A', { orderRef: 'order' })), true);
    assert.equal(await s.createPayment(record('B', { orderRef: 'order' })), false);
    assert.deepEqual(await s.issueToken('A', 'bb', 2_000, DEFAULT_TOKEN_RULES), { ok: true });
    // An update computed from a read made before the token was added keeps that token.
    assert.equal(await s.updatePayment(record('A', { orderRef: 'order', seq: 1 }), 0), true);
    assert.deepEqual((await s.getPayment('A'))!.tokenHashes, ['aa', 'bb']);
    await s.issueToken('missing', 'cc', 2_000, DEFAULT_TOKEN_RULES);
    assert.equal(await s.getPayment('missing'), undefined);
  });

  it('keeps callbacks of the same millisecond in arrival order, identical ones counted', async (t) => {
    const s = await store(t, (await startRedis(t)).url);
    const text = (n: number): string => `{"payment":{"id":"A","n":${n}}}`;
    const base = (n: number) => ({
      receivedAt: 5,
      paymentId: 'A',
      outcome: 'duplicate' as const,
      ...keptCallback(text(n), JSON.parse(text(n))),
    });
    await s.recordCallback({ ...base(1), outcome: 'applied' });
    await s.recordCallback(base(2));
    await s.recordCallback(base(1));
    await s.recordCallback(base(3));
    const list = await s.listCallbacks({ from: 5, to: 6 });
    assert.deepEqual(
      list.map((c) => [c.body, c.outcome, c.count]),
      [
        [text(1), 'applied', 2],
        [text(2), 'duplicate', 1],
        [text(3), 'duplicate', 1],
      ],
    );
  });

  it('reads the callbacks an earlier version wrote, one record each', async (t) => {
    const s = await store(t, (await startRedis(t)).url);
    const text = '{"payment":{"id":"A","status":"success"},"operation":{"code":"0"}}';
    // What 0.1.0 wrote: the whole record in the sorted set's member.
    const old = { receivedAt: 7, paymentId: 'A', outcome: 'applied', body: text };
    await s.redis.zadd('cup-qr:callbacks', 7, `${'1'.padStart(16, '0')}|${JSON.stringify(old)}`);
    await s.redis.set('cup-qr:callbacks:counter', 1);
    const again = { ...old, receivedAt: 8, outcome: 'duplicate' as const };
    await s.recordCallback({ ...again, ...keptCallback(text, JSON.parse(text)) });
    const list = await s.listCallbacks({ from: 0, to: 10 });
    assert.deepEqual(
      list.map((c) => [c.receivedAt, c.outcome, c.count, c.fields['operation.code'], c.bodySha256]),
      [
        [7, 'applied', 1, '0', list[1].bodySha256],
        // Not counted on the old one: the old member cannot be found by its hash.
        [8, 'duplicate', 1, '0', list[0].bodySha256],
      ],
    );
  });

  it('reads the QR code of a record an earlier version wrote (`qr.url`) as `qr.data`', async (t) => {
    const s = await store(t, (await startRedis(t)).url);
    const qr = { timeoutSeconds: 600, receivedAt: 1_500 };
    const waiting = record('A', { status: 'awaiting-customer', seq: 1, updatedAt: 1_500 });
    await s.createPayment(record('A'));
    // What versions before EMVCo payloads wrote: the record's JSON with the code's `url`.
    const { tokenHashes: _tokens, ...stored } = waiting;
    const url = 'https://qr.example/old';
    await s.redis.hset('cup-qr:payment:A', {
      seq: 1,
      json: JSON.stringify({ ...stored, qr: { url, ...qr } }),
    });
    const read = await s.getPayment('A');
    assert.deepEqual(read!.qr, { data: url, ...qr });
    assert.deepEqual((await s.listPayments({ from: 0, to: 2_000 }))[0].qr, { data: url, ...qr });
    // Written back by this version, it says `data`.
    assert.equal(await s.updatePayment({ ...read!, seq: 2 }, 1), true);
    const json = JSON.parse((await s.redis.hget('cup-qr:payment:A', 'json'))!);
    assert.deepEqual(json.qr, { data: url, ...qr });
  });
});

describe('redis hub', () => {
  it('a publish on one instance reaches the listeners of another, until they unsubscribe', async (t) => {
    const redis = await startRedis(t);
    const [a, b] = [await hub(t, redis.url), await hub(t, redis.url)];
    const heard = nextUpdate(b, 'P');
    const update: PaymentUpdate & { tokenHashes?: string[] } = {
      paymentId: 'P',
      status: 'success',
      seq: 2,
      amount: 100,
      currency: 'CNY',
      description: 'd',
      updatedAt: 7,
      tokenHashes: ['secret'],
    };
    await a.publish(update);
    const { tokenHashes: _secret, ...expected } = update;
    assert.deepEqual(await heard, expected, 'only the update fields travel');

    const seen: number[] = [];
    const stop = await b.subscribe('Q', (u) => seen.push(u.seq));
    assert.deepEqual(b.stats, { channels: 2, listeners: 2 });
    await stop();
    await a.publish({ ...update, paymentId: 'Q', seq: 3 });
    // A round trip through the same Redis after the publish: had it been delivered, it would be.
    const after = nextUpdate(b, 'R');
    await a.publish({ ...update, paymentId: 'R', seq: 4 });
    assert.equal((await after).seq, 4);
    assert.deepEqual(seen, []);
  });

  it('hands on the QR code of an instance not yet upgraded (`qr.url`) as `qr.data`', async (t) => {
    const redis = await startRedis(t);
    const b = await hub(t, redis.url);
    let hear!: (update: PaymentUpdate) => void;
    const heard = new Promise<PaymentUpdate>((resolve) => (hear = resolve));
    await b.subscribe('P', hear);
    const update = {
      paymentId: 'P',
      status: 'awaiting-customer',
      seq: 1,
      amount: 100,
      currency: 'CNY',
      description: 'd',
      updatedAt: 7,
    };
    const qr = { timeoutSeconds: 600, receivedAt: 7 };
    // What an older instance publishes, on the channel the hubs share.
    const publisher = (await store(t, redis.url)).redis;
    const message = JSON.stringify({ ...update, qr: { url: 'https://qr.example/1', ...qr } });
    await publisher.publish('cup-qr:updates:P', message);
    assert.deepEqual(await heard, { ...update, qr: { data: 'https://qr.example/1', ...qr } });
  });
});

describe('two checkout instances sharing one Redis', () => {
  it('the callback lands on A, the stream held by B shows the QR code, then the success', async (t) => {
    const redis = await startRedis(t);
    const sandbox = await startPlatform(t);
    const a = await startInstance(t, redis.url, sandbox);
    // B asks for callbacks at A's address: behind a load balancer they land anywhere.
    const b = await startInstance(t, redis.url, sandbox, a.url);
    const created = await startPayment(b, 'order-two');
    const stream = await openSse(eventsOf(b, created));
    t.after(() => stream.close());
    await stream.waitFor(has('awaiting-customer'), 'the QR code');
    await sandbox.control.approve(PROJECT_ID, 'order-two');
    const events = await stream.waitFor(has('success'), 'the success');
    await stream.ended;
    assert.deepEqual(
      events.map(statusOf),
      ['pending', 'awaiting-customer', 'success'].slice(-events.length),
    );
    await sandbox.control.settled();
    assert.ok(a.callbacks >= 2, `A received ${a.callbacks} callbacks`);
    assert.equal(b.callbacks, 0);
    assert.equal(b.checkout.stats.streams, 0, 'the stream closed after the final state');
    assert.deepEqual(b.hub.stats, { channels: 0, listeners: 0 }, 'and left no subscription');
  });

  it('the instance holding the stream dies mid-payment; the reconnect to the other gets the result', async (t) => {
    const redis = await startRedis(t);
    const sandbox = await startPlatform(t);
    const b = await startInstance(t, redis.url, sandbox);
    const a = await startInstance(t, redis.url, sandbox, b.url);
    const created = await startPayment(a, 'order-kill');
    const first = await openSse(eventsOf(a, created));
    const seen = await first.waitFor(has('awaiting-customer'), 'the QR code');
    const lastId = seen.at(-1)!.id!;
    await a.kill();
    await first.ended;
    await sandbox.control.approve(PROJECT_ID, 'order-kill');
    // The browser reconnects (to whichever instance the balancer picks) with Last-Event-ID.
    const again = await openSse(eventsOf(b, created), { 'Last-Event-ID': lastId });
    t.after(() => again.close());
    assert.equal(again.status, 200);
    const events = await again.waitFor(has('success'), 'the success');
    assert.ok(
      events.every((e) => Number(e.id) > Number(lastId)),
      'nothing the shopper had is sent again',
    );
    await again.ended;
  });
});
