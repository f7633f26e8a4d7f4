// The stores (memory, SQLite and Redis, one contract), the SQLite file across a server restart
// mid-payment, and the reconciliation report over a real database file.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { CALLBACK_BODY_KEPT_BYTES, keptCallback } from '../../../../src/server/callback-record.js';
import type {
  CallbackOutcome,
  GateDisagreement,
  PaymentRecord,
  ReceivedCallback,
  Store,
} from '../../../../src/server/store.js';
import { MemoryStore } from '../../../../src/server/stores/memory.js';
import { openSqliteStore, SQLITE_SCHEMA_VERSION } from '../../../../src/server/stores/sqlite.js';
import { openRedisStore } from '../../../../src/server/stores/redis.js';
import { startRedis } from '../../../helpers/redis.js';
import { reportCommand } from '../../../../src/cli/commands/report.js';
import { toCsv } from '../../../../src/server/report.js';
import { openSse } from '../../../helpers/sse-client.js';
import { eventsUrl, PROJECT_ID, startShop } from '../../../helpers/toolkit.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cup-qr-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function record(paymentId: string, overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId,
    orderRef: paymentId.split('~')[0],
    attempt: 1,
    projectId: 1,
    channel: 'gate',
    status: 'pending',
    seq: 0,
    amount: 100,
    currency: 'CNY',
    description: '描述',
    customer: { id: 'c', ip_address: '1.2.3.4' },
    returnUrl: 'https://shop.example/thanks',
    tokenHashes: ['aa'],
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

/** A callback as the receiver hands it to the store: `text` kept as callback-record.ts keeps it. */
function received(
  receivedAt: number,
  paymentId: string,
  outcome: CallbackOutcome,
  text = `{"payment":{"id":"${paymentId}","status":"success"}}`,
  extra: Partial<ReceivedCallback> = {},
): ReceivedCallback {
  return { receivedAt, paymentId, outcome, ...keptCallback(text, JSON.parse(text)), ...extra };
}

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

describe('sqlite store file', () => {
  it('is WAL, migrated to the current schema version, and reopened as it was', async (t) => {
    const file = join(tempDir(t), 'db.sqlite');
    const store = await openSqliteStore({ file });
    assert.equal(store.database.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.database.pragma('user_version', { simple: true }), SQLITE_SCHEMA_VERSION);
    await store.createPayment(record('A'));
    await store.close();
    const again = await openSqliteStore({ file });
    assert.deepEqual(await again.getPayment('A'), record('A'));
    await again.close();
    const reader = await openSqliteStore({ file, readonly: true });
    assert.equal((await reader.getPayment('A'))!.paymentId, 'A');
    await reader.close();
  });

  it('two connections to one file: only one of two concurrent updates wins', async (t) => {
    const file = join(tempDir(t), 'db.sqlite');
    const one = await openSqliteStore({ file });
    const two = await openSqliteStore({ file });
    t.after(async () => {
      await one.close();
      await two.close();
    });
    await one.createPayment(record('A'));
    const next = record('A', { status: 'awaiting-customer', seq: 1 });
    const results = await Promise.all([
      one.updatePayment(next, 0),
      two.updatePayment({ ...next, status: 'decline' }, 0),
    ]);
    assert.deepEqual(results.sort(), [false, true]);
    assert.equal((await two.listTransitions('A')).length, 2);
    assert.equal(await two.createPayment(record('A')), false);
  });

  it('migrates a version 1 file: bodies cut and hashed, fields read, identical copies merged', async (t) => {
    const file = join(tempDir(t), 'v1.sqlite');
    const v1 = new Database(file);
    v1.exec(readFileSync(new URL('../../../fixtures/sqlite-v1.sql', import.meta.url), 'utf8'));
    v1.pragma('user_version = 1');
    const body = (status: string, pad = ''): string =>
      JSON.stringify({
        project_id: 843,
        payment: { id: 'A', status, sum: { amount: 100, currency: 'CNY' } },
        operation: { id: 5, code: '0', provider: { payment_id: 'cup-5' } },
        pad,
      });
    const insert = v1.prepare(
      'INSERT INTO callbacks (received_at, payment_id, project_id, platform_status, outcome, body) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const copy = body('success');
    const padded = body('decline', '填'.repeat(5000));
    insert.run(1_000, 'A', 843, 'success', 'duplicate', copy);
    insert.run(1_100, 'A', 843, 'success', 'applied', copy);
    insert.run(1_300, 'A', 843, 'success', 'ignored', copy);
    insert.run(1_200, 'A', 843, 'decline', 'ignored', padded);
    insert.run(1_400, '', null, null, 'unreadable', '{"hello":"world"}');
    v1.prepare(
      `INSERT INTO payments (payment_id, order_ref, attempt, project_id, channel, status, seq, amount,
         currency, description, customer, return_url, created_at, updated_at)
       VALUES ('A', 'A', 1, 843, 'gate', 'success', 1, 100, 'CNY', 'd', '{"id":"c"}', 'https://x.example', 1, 2)`,
    ).run();
    v1.close();

    const store = await openSqliteStore({ file });
    t.after(() => store.close());
    assert.equal(store.database.pragma('user_version', { simple: true }), SQLITE_SCHEMA_VERSION);
    const list = await store.listCallbacks({ from: 0, to: 10_000 });
    assert.deepEqual(
      list.map((c) => [c.receivedAt, c.count, c.lastReceivedAt, c.outcome]),
      [
        [1_000, 3, 1_300, 'applied'],
        [1_200, 1, 1_200, 'ignored'],
        [1_400, 1, 1_400, 'unreadable'],
      ],
    );
    assert.deepEqual(list[0], {
      ...received(1_000, 'A', 'applied', copy, { projectId: 843, platformStatus: 'success' }),
      count: 3,
      lastReceivedAt: 1_300,
    });
    assert.equal(list[0].fields['provider.payment_id'], 'cup-5');
    assert.equal(list[1].bodyBytes, Buffer.byteLength(padded));
    assert.ok(Buffer.byteLength(list[1].body) <= CALLBACK_BODY_KEPT_BYTES);
    assert.ok(padded.startsWith(list[1].body), 'cut on a character boundary');
    assert.equal(list[2].fields['payment.id'], undefined);
    assert.equal((await store.getPayment('A'))!.gateDisagreement, undefined);
    // The same body again after the migration is counted on its migrated record.
    assert.equal(await store.recordCallback(received(1_500, 'A', 'ignored', copy)), false);
    assert.equal((await store.listCallbacks({ from: 0, to: 1_001 }))[0].count, 4);
  });

  it('reads the QR code a version 1 file holds (any content, EMVCo too) as `qr.data`', async (t) => {
    const file = join(tempDir(t), 'v1-qr.sqlite');
    const v1 = new Database(file);
    v1.exec(readFileSync(new URL('../../../fixtures/sqlite-v1.sql', import.meta.url), 'utf8'));
    v1.pragma('user_version = 1');
    const emv = '00020101021215310001015600010156000000000000843520459995303156540310.006304ABCD';
    v1.prepare(
      `INSERT INTO payments (payment_id, order_ref, attempt, project_id, channel, status, seq, amount,
         currency, description, customer, return_url, qr_url, qr_timeout_seconds, qr_received_at,
         created_at, updated_at)
       VALUES ('Q', 'Q', 1, 843, 'gate', 'awaiting-customer', 1, 1000, 'CNY', 'd', '{"id":"c"}',
         'https://x.example', ?, 600, 1500, 1, 1500)`,
    ).run(emv);
    v1.close();
    const store = await openSqliteStore({ file });
    t.after(() => store.close());
    assert.deepEqual((await store.getPayment('Q'))!.qr, {
      data: emv,
      timeoutSeconds: 600,
      receivedAt: 1500,
    });
  });

  it('refuses a database from a newer toolkit', async (t) => {
    const file = join(tempDir(t), 'db.sqlite');
    const store = await openSqliteStore({ file });
    store.database.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    await store.close();
    await assert.rejects(openSqliteStore({ file }), /newer than this toolkit/);
  });
});

describe('server restart on SQLite', () => {
  it('restarted mid-payment, then the callback: the stream after restart shows the final state', async (t) => {
    const file = join(tempDir(t), 'shop.sqlite');
    // Resolves when the sandbox logs a failed delivery of the success callback.
    let failedWhileDown!: () => void;
    const downSeen = new Promise<void>((resolve) => (failedWhileDown = resolve));
    const shop = await startShop(t, {
      store: await openSqliteStore({ file }),
      sandbox: {
        retryDelaysMs: [50, 100, 200, 400, 800, 1600],
        log: (line) => {
          if (/callback success .* attempt \d+ failed/.test(line)) failedWhileDown();
        },
      },
    });
    const created = await shop.start('order-restart');
    const before = await openSse(eventsUrl(shop, created));
    await before.waitFor((events) =>
      events.some((e) => JSON.parse(e.data).status === 'awaiting-customer'),
    );
    await shop.sandbox.control.settled();

    await shop.stopServer();
    await shop.store.close();
    await before.ended;
    // The shopper pays while the shop is down: the platform's delivery fails, then retries.
    await shop.sandbox.control.approve(PROJECT_ID, 'order-restart');
    await downSeen;
    await shop.restartServer(await openSqliteStore({ file }));

    // As EventSource would, try again if the first attempt hits a pooled socket to the old server.
    const after = await openSse(eventsUrl(shop, created)).catch(() =>
      openSse(eventsUrl(shop, created)),
    );
    assert.equal(after.status, 200, 'the token still opens the stream');
    const events = await after.waitFor((list) =>
      list.some((e) => JSON.parse(e.data).status === 'success'),
    );
    const seqs = events.map((e) => Number(e.id));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    await after.ended;
    await shop.sandbox.control.settled();
    const delivered = shop.sandbox.control
      .deliveries()
      .filter((d) => d.callbackStatus === 'success');
    assert.ok(delivered.length >= 2, 'the first attempts failed while the shop was down');
    assert.ok(delivered.at(-1)!.delivered);
  });
});

describe('report', () => {
  it('reportCommand exports payments and operations as CSV and JSON', async (t) => {
    const file = join(tempDir(t), 'report.sqlite');
    const shop = await startShop(t, { store: await openSqliteStore({ file }) });
    const from = new Date(Date.now() - 1000).toISOString();
    const created = await shop.start('order-report');
    const stream = await openSse(eventsUrl(shop, created));
    await stream.waitFor((events) =>
      events.some((e) => JSON.parse(e.data).status === 'awaiting-customer'),
    );
    await shop.sandbox.control.approve(PROJECT_ID, 'order-report');
    await stream.ended;
    await shop.sandbox.control.settled();
    const to = new Date(Date.now() + 1000).toISOString();

    const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await reportCommand(
        args,
        {},
        {
          stdout: (text) => (out += text),
          stderr: (text) => (err += text),
        },
      );
      return { code, out, err };
    };
    const csv = await run(['--db', file, '--from', from, '--to', to, '--format', 'csv']);
    assert.equal(csv.code, 0, csv.err);
    const lines = csv.out.trimEnd().split('\r\n');
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^payment\.id,order\.ref,attempt,state,payment\.status,payment\.sum\.amount,payment\.sum\.currency/,
    );
    assert.match(
      lines[1],
      /^order-report,order-report,1,success,success,30000,CNY,机械键盘 keyboard,customer-7,/,
    );
    assert.match(lines[0], /,gate\.disagreement,gate\.signed,gate\.checked_at$/);
    assert.match(lines[1], /,,,$/, 'Gate was never asked: no disagreement');

    const ops = await run(['--db', file, '--from', from, '--to', to, '--rows', 'operations']);
    const opLines = ops.out.trimEnd().split('\r\n');
    assert.equal(opLines.length, 3, 'awaiting and success');
    assert.match(
      opLines[2],
      /,applied,843,order-report,success,30000,CNY,\d+,sale,success,[^,]+,0,Success,/,
    );
    assert.match(opLines[0], /,count,last_received_at,body\.bytes,body\.sha256$/);
    assert.match(opLines[2], /,1,[^,]+Z,\d+,[0-9a-f]{64}$/, 'received once, its size and hash');

    const json = await run(['--db', file, '--from', from, '--to', to, '--format=json']);
    const report = JSON.parse(json.out);
    assert.equal(report.payments[0]['payment.id'], 'order-report');
    assert.equal(report.operations.length, 2);
    assert.equal(report.operations[1]['operation.code'], '0');

    const empty = await run(['--db', file, '--from', '2000-01-01', '--to', '2000-01-02']);
    assert.equal(empty.out.trimEnd().split('\r\n').length, 1, 'the header only');
    assert.equal((await run(['--db', file, '--from', 'soon', '--to', to])).code, 2);
    assert.equal((await run(['--from', from, '--to', to])).code, 2);
    assert.equal(
      (await run(['--db', join(tempDir(t), 'none.sqlite'), '--from', from, '--to', to])).code,
      2,
    );
    assert.match((await run(['--help'])).out, /^Usage: cup-qr-checkout report/);
  });

  it('CSV quotes what needs quoting and defuses spreadsheet formulas', () => {
    const csv = toCsv(
      ['a', 'b', 'c'],
      [{ a: 'x,y', b: '=HYPERLINK("evil")', c: 5 }, { a: 'line\nbreak' }],
    );
    assert.equal(csv, 'a,b,c\r\n"x,y","\'=HYPERLINK(""evil"")",5\r\n"line\nbreak",,\r\n');
  });
});
