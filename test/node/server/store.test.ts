// The store contract (server/store.ts), run against every store: memory, SQLite and Redis.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { GateDisagreement, Store } from '../../../src/server/store.js';
import { MemoryStore } from '../../../src/server/stores/memory.js';
import { openSqliteStore } from '../../../src/server/stores/sqlite.js';
import { openRedisStore } from '../../../src/server/stores/redis.js';
import { startRedis } from '../../helpers/redis.js';
import { record, received } from '../../helpers/records.js';
import { tempDir } from '../../helpers/temp-dir.js';

const stores: [string, (t: TestContext) => Promise<Store>][] = [
  ['memory', async () => new MemoryStore()],
  [
    'sqlite',
    async (t) => {
      const store = await openSqliteStore({ file: join(tempDir(t), 'db.sqlite') });
      t.after(() => store.close());
      return store;
    },
  ],
  [
    'redis',
    async (t) => {
      const store = await openRedisStore({ url: (await startRedis(t)).url });
      t.after(() => store.close());
      return store;
    },
  ],
];

for (const [name, open] of stores) {
  describe(`${name} store`, () => {
    it('creates once, reads copies, finds the latest attempt', async (t) => {
      const store = await open(t);
      assert.equal(await store.createPayment(record('A')), true);
      assert.equal(await store.createPayment(record('A')), false);
      assert.equal(
        await store.createPayment(record('A~2', { attempt: 2, createdAt: 2_000 })),
        true,
      );
      const read = await store.getPayment('A');
      assert.deepEqual(read, record('A'));
      read!.status = 'success';
      assert.equal((await store.getPayment('A'))!.status, 'pending', 'a copy');
      assert.equal((await store.latestAttempt('A'))!.paymentId, 'A~2');
      assert.equal(await store.latestAttempt('B'), undefined);
      assert.equal(await store.getPayment('B'), undefined);
    });

    it('updates only from the expected seq, and keeps every state with its time', async (t) => {
      const store = await open(t);
      await store.createPayment(record('A'));
      const qr = { data: 'https://qr.example/1', timeoutSeconds: 600, receivedAt: 1_500 };
      const next = record('A', { status: 'awaiting-customer', seq: 1, qr, updatedAt: 1_500 });
      assert.equal(await store.updatePayment(next, 0), true);
      assert.equal(await store.updatePayment({ ...next, seq: 2 }, 0), false, 'stale seq');
      const done = record('A', {
        status: 'decline',
        seq: 2,
        code: '20602',
        message: 'Time-out',
        updatedAt: 2_000,
      });
      assert.equal(await store.updatePayment(done, 1), true);
      assert.deepEqual(await store.getPayment('A'), done);
      assert.deepEqual(await store.listTransitions('A'), [
        { paymentId: 'A', seq: 0, status: 'pending', at: 1_000 },
        { paymentId: 'A', seq: 1, status: 'awaiting-customer', at: 1_500 },
        {
          paymentId: 'A',
          seq: 2,
          status: 'decline',
          code: '20602',
          message: 'Time-out',
          at: 2_000,
        },
      ]);
    });

    it('keeps the newest token hashes, never one in use, and refuses past the rules', async (t) => {
      const store = await open(t);
      const rules = { kept: 3, perWindow: 3, windowMs: 1_000, inUseMs: 5_000 };
      await store.createPayment(record('A'));
      const hashes = async (): Promise<string[]> => (await store.getPayment('A'))!.tokenHashes;
      for (const hash of ['bb', 'cc', 'dd']) {
        assert.deepEqual(await store.issueToken('A', hash, 3_000, rules), { ok: true });
      }
      assert.deepEqual(await hashes(), ['bb', 'cc', 'dd'], 'the oldest dropped for the newest');
      // Three issued in this window already: a fourth waits until the first leaves it.
      assert.deepEqual(await store.issueToken('A', 'xx', 3_500, rules), {
        ok: false,
        reason: 'rate',
        retryAfterMs: 500,
      });
      assert.deepEqual(await hashes(), ['bb', 'cc', 'dd'], 'a refusal changes nothing');

      await store.touchToken('A', 'bb', 9_000);
      await store.touchToken('A', 'gone', 9_000);
      assert.deepEqual((await store.getPayment('A'))!.tokenUse, { bb: 9_000 });
      // bb is in use: the oldest tokens that are not go first.
      assert.deepEqual(await store.issueToken('A', 'ee', 10_000, rules), { ok: true });
      assert.deepEqual(await store.issueToken('A', 'ff', 10_500, rules), { ok: true });
      assert.deepEqual(await hashes(), ['bb', 'ee', 'ff']);
      // Nothing left to drop: bb in use, ee and ff issued within the window.
      assert.deepEqual(await store.issueToken('A', 'gg', 10_900, rules), {
        ok: false,
        reason: 'full',
        retryAfterMs: 100,
      });
      // Once ee has left the window it may go; bb stays until it has not been used for 5 s.
      assert.deepEqual(await store.issueToken('A', 'gg', 11_000, rules), { ok: true });
      assert.deepEqual(await hashes(), ['bb', 'ff', 'gg']);
      assert.deepEqual((await store.getPayment('A'))!.tokenUse, { bb: 9_000 });

      // Tokens live apart from the record: an update from an older read keeps them.
      assert.equal(await store.updatePayment(record('A', { seq: 1, tokenHashes: [] }), 0), true);
      assert.deepEqual(await hashes(), ['bb', 'ff', 'gg']);
      assert.deepEqual(await store.issueToken('missing', 'zz', 11_000, rules), {
        ok: false,
        reason: 'unknown-payment',
      });
      assert.equal(await store.getPayment('missing'), undefined);
    });

    it('records callbacks and lists payments and callbacks of a period', async (t) => {
      const store = await open(t);
      await store.createPayment(record('A', { createdAt: 1_000 }));
      await store.createPayment(record('B', { createdAt: 5_000 }));
      await store.recordCallback(
        received(1_100, 'A', 'applied', undefined, { projectId: 1, platformStatus: 'success' }),
      );
      await store.recordCallback(received(6_000, 'Z', 'unknown-payment'));
      assert.deepEqual(
        (await store.listPayments({ from: 0, to: 5_000 })).map((p) => p.paymentId),
        ['A'],
      );
      assert.deepEqual(
        (await store.listPayments({ from: 0, to: 5_001 })).map((p) => p.paymentId),
        ['A', 'B'],
      );
      const callbacks = await store.listCallbacks({ from: 1_100, to: 7_000 });
      assert.deepEqual(
        callbacks.map((c) => [c.paymentId, c.outcome]),
        [
          ['A', 'applied'],
          ['Z', 'unknown-payment'],
        ],
      );
      assert.equal(callbacks[1].projectId, undefined);
      assert.deepEqual(callbacks[0], {
        ...received(1_100, 'A', 'applied', undefined, { projectId: 1, platformStatus: 'success' }),
        count: 1,
        lastReceivedAt: 1_100,
      });
    });

    it('counts an identical body for the same payment on its first record', async (t) => {
      const store = await open(t);
      const other = '{"payment":{"id":"A","status":"decline"}}';
      assert.equal(await store.recordCallback(received(1_100, 'A', 'duplicate')), true);
      assert.equal(await store.recordCallback(received(1_300, 'A', 'ignored')), false);
      // A copy handled at once may be recorded after the one that lost the race: its outcome
      // wins when it changed the payment, and a late arrival time does not go back.
      assert.equal(await store.recordCallback(received(1_200, 'A', 'applied')), false);
      assert.equal(await store.recordCallback(received(1_400, 'A', 'ignored')), false);
      assert.equal(await store.recordCallback(received(1_500, 'B', 'duplicate')), true);
      assert.equal(await store.recordCallback(received(1_600, 'A', 'applied', other)), true);
      const list = await store.listCallbacks({ from: 0, to: 10_000 });
      assert.deepEqual(
        list.map((c) => [c.paymentId, c.receivedAt, c.count, c.lastReceivedAt, c.outcome]),
        [
          ['A', 1_100, 4, 1_400, 'applied'],
          ['B', 1_500, 1, 1_500, 'duplicate'],
          ['A', 1_600, 1, 1_600, 'applied'],
        ],
      );
      assert.deepEqual(
        (await store.listCallbacks({ from: 1_200, to: 10_000 })).map((c) => c.receivedAt),
        [1_500, 1_600],
        'a period holds the records first received in it',
      );
    });

    it("keeps a payment's Gate disagreement apart from its updates", async (t) => {
      const store = await open(t);
      const disagreement: GateDisagreement = {
        platformStatus: 'awaiting customer action',
        status: 'awaiting-customer',
        signed: true,
        at: 2_000,
      };
      await store.createPayment(record('A'));
      await store.setGateDisagreement('A', disagreement);
      assert.deepEqual((await store.getPayment('A'))!.gateDisagreement, disagreement);
      // An update made from a read without it does not drop it; one with another does not set it.
      const next = record('A', { status: 'success', seq: 1 });
      assert.equal(
        await store.updatePayment(
          { ...next, gateDisagreement: { ...disagreement, signed: false } },
          0,
        ),
        true,
      );
      assert.deepEqual(await store.getPayment('A'), { ...next, gateDisagreement: disagreement });
      assert.deepEqual(
        (await store.listPayments({ from: 0, to: 5_000 }))[0].gateDisagreement,
        disagreement,
      );
      await store.setGateDisagreement('A', undefined);
      assert.deepEqual(await store.getPayment('A'), next);
      await store.setGateDisagreement('missing', disagreement);
      assert.equal(await store.getPayment('missing'), undefined);
    });
  });
}
