// The SQLite store's file (server/stores/sqlite.ts): WAL, schema migrations, and a server
// restart mid-payment on the same file.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CALLBACK_BODY_KEPT_BYTES } from '../../../../src/server/callback-record.js';
import { openSqliteStore, SQLITE_SCHEMA_VERSION } from '../../../../src/server/stores/sqlite.js';
import { openSse } from '../../../helpers/sse-client.js';
import { eventsUrl, PROJECT_ID, startShop } from '../../../helpers/toolkit.js';
import { record, received } from '../../../helpers/records.js';
import { tempDir } from '../../../helpers/temp-dir.js';

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

  it("makes the file's folder when it is missing (a fresh project has no ./data)", async (t) => {
    const file = join(tempDir(t), 'data', 'nested', 'payments.sqlite');
    const store = await openSqliteStore({ file });
    await store.createPayment(record('o-folder'));
    await store.close();
    const again = await openSqliteStore({ file, readonly: true });
    assert.equal((await again.getPayment('o-folder'))?.orderRef, 'o-folder');
    await again.close();
    // Read-only needs the file: no folder is made for it.
    const missing = join(tempDir(t), 'absent', 'payments.sqlite');
    await assert.rejects(openSqliteStore({ file: missing, readonly: true }));
    assert.equal(existsSync(join(missing, '..')), false);
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
