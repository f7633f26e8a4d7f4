// The fault suite (issue #8): every fault the sandbox injects, and the restarts a shop lives
// through, each on payments that go the whole way: POST /payments on a real merchant server,
// the sandbox's Gate and callbacks over HTTP, and for each payment an SSE follower that
// behaves as the element does (reconnects with Last-Event-ID, drops what its seq says it has).
// Every payment must end in exactly one final state in the store, delivered to its element
// exactly once, never contradicted. The suite prints one line of figures at the end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { PaymentStatus } from '../../src/wire/status.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { Store } from '../../src/server/store.js';
import { openRedisStore } from '../../src/server/stores/redis.js';
import { openSqliteStore } from '../../src/server/stores/sqlite.js';
import { account, countDeliveryFaults, Tally } from '../helpers/ledger.js';
import {
  eventsOf,
  startInstance,
  startPayment,
  startPlatform,
  startRedis,
} from '../helpers/redis.js';
import { followPayment, type Follower } from '../helpers/sse-client.js';
import { eventsUrl, PROJECT_ID, startShop, type Created, type Shop } from '../helpers/toolkit.js';

type Outcome = 'approve' | 'decline' | 'expire';
const OUTCOMES: readonly Outcome[] = ['approve', 'decline', 'expire'];
const EXPECTED: Record<Outcome, PaymentStatus> = {
  approve: 'success',
  decline: 'decline',
  expire: 'expired',
};

/** One payment under watch: its follower and what the test made of it. */
interface Tracked {
  paymentId: string;
  follower: Follower;
  expected: PaymentStatus;
}

// The suite's figures, printed once at the end.
const injected = new Tally();
const figures = { payments: 0, final: 0, deliveredOnce: 0, duplicates: 0, lost: 0 };

after(() => {
  console.log(
    `faults: ${figures.payments} payments, ${injected.total} faults injected (${injected}), ` +
      `${figures.final} terminal, ${figures.deliveredOnce} pushes delivered once, ` +
      `${figures.duplicates} duplicate pushes, ${figures.lost} lost`,
  );
});

/** A gate the followers wait at before reconnecting: shut while a server is down. */
function reconnectGate(): { wait: () => Promise<void>; shut(): void; open(): void } {
  let opened = Promise.resolve();
  let release = (): void => {};
  return {
    wait: () => opened,
    shut() {
      opened = new Promise((resolve) => (release = resolve));
    },
    open: () => release(),
  };
}

function follow(
  url: string,
  created: Created,
  expected: PaymentStatus,
  reconnectWhen?: () => Promise<void>,
): Tracked {
  const follower = followPayment(url, {
    initial: { seq: created.state.seq, status: created.state.status },
    ...(reconnectWhen ? { reconnectWhen } : {}),
  });
  return { paymentId: created.paymentId, follower, expected };
}

async function drive(sandbox: Sandbox, paymentId: string, outcome: Outcome): Promise<void> {
  if (outcome === 'approve') await sandbox.control.approve(PROJECT_ID, paymentId);
  else if (outcome === 'decline') await sandbox.control.decline(PROJECT_ID, paymentId);
  else await sandbox.control.expire(PROJECT_ID, paymentId);
}

/**
 * Waits for every follower to stop (the guard only ends a hung wait: a payment whose follower
 * has no final state by then counts as lost), then checks each payment in `store` and adds it
 * to the suite's figures.
 */
async function settle(
  t: TestContext,
  store: Store,
  tracked: readonly Tracked[],
  guardMs = 30_000,
): Promise<void> {
  let guard: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(tracked.map((p) => p.follower.stopped)),
    new Promise<void>((resolve) => (guard = setTimeout(resolve, guardMs))),
  ]);
  clearTimeout(guard);
  const problems: string[] = [];
  for (const payment of tracked) {
    const lost = payment.follower.final === undefined;
    if (lost) await payment.follower.close();
    const verdict = account({
      paymentId: payment.paymentId,
      history: await store.listTransitions(payment.paymentId),
      received: payment.follower.received,
      expected: payment.expected,
    });
    figures.payments++;
    if (verdict.final) figures.final++;
    if (verdict.finalsAccepted === 1 && verdict.duplicateFinals === 0) figures.deliveredOnce++;
    figures.duplicates += verdict.duplicateFinals;
    if (lost) figures.lost++;
    problems.push(...verdict.problems);
    if (lost) problems.push(`${payment.paymentId}: lost (its element never got a final state)`);
  }
  t.diagnostic(`${tracked.length} payments accounted for`);
  assert.deepEqual(problems, []);
}

/** Resolves once some delivery attempt satisfies `check` (re-checked on each sandbox log line). */
function attemptWatcher(): {
  log: (line: string) => void;
  attach(sandbox: Sandbox): void;
  waitFor(
    check: (a: ReturnType<Sandbox['control']['deliveries']>[number]) => boolean,
  ): Promise<void>;
} {
  let sandbox: Sandbox | undefined;
  const listeners = new Set<() => void>();
  return {
    log: () => {
      for (const listener of [...listeners]) listener();
    },
    attach: (s) => (sandbox = s),
    waitFor: (check) =>
      new Promise((resolve, reject) => {
        const listener = (): void => {
          if (!sandbox?.control.deliveries().some(check)) return;
          listeners.delete(listener);
          clearTimeout(guard);
          resolve();
        };
        const guard = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error('no such delivery attempt'));
        }, 20_000);
        listeners.add(listener);
        listener();
      }),
  };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cup-qr-faults-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts one payment per outcome, follows each, waits for its QR code unless told not to. */
async function startAll(
  shop: Shop,
  prefix: string,
  options: { waitForQr?: boolean; reconnectWhen?: () => Promise<void> } = {},
): Promise<Tracked[]> {
  const tracked: Tracked[] = [];
  for (const [i, outcome] of OUTCOMES.entries()) {
    const created = await shop.start(`${prefix}-${i}`);
    tracked.push(
      follow(eventsUrl(shop, created), created, EXPECTED[outcome], options.reconnectWhen),
    );
  }
  if (options.waitForQr !== false) {
    await Promise.all(tracked.map((p) => p.follower.waitForStatus('awaiting-customer')));
  }
  return tracked;
}

async function finishAll(shop: Shop, tracked: readonly Tracked[]): Promise<void> {
  for (const [i, payment] of tracked.entries()) {
    await drive(shop.sandbox, payment.paymentId, OUTCOMES[i % OUTCOMES.length]);
  }
}

/** One payment per outcome under `faults`, from POST to the final state; then the books. */
async function underFaults(
  t: TestContext,
  prefix: string,
  faults: Parameters<Sandbox['control']['setFaults']>[0],
  options: { waitForQr?: boolean; timeScale?: number } = {},
): Promise<{ shop: Shop; tracked: Tracked[] }> {
  const shop = await startShop(t, {
    sandbox: { retryDelaysMs: [20, 40, 80, 160, 320], timeScale: options.timeScale ?? 1 },
  });
  shop.sandbox.control.setFaults(faults, { projectId: PROJECT_ID });
  const tracked = await startAll(shop, prefix, options);
  await finishAll(shop, tracked);
  await settle(t, shop.store, tracked);
  await shop.sandbox.control.settled();
  countDeliveryFaults(
    injected,
    shop.sandbox,
    tracked.map((p) => p.paymentId),
  );
  // Late copies changed nothing after the books were taken.
  for (const payment of tracked) {
    assert.equal(
      (await shop.store.listTransitions(payment.paymentId)).at(-1)!.status,
      payment.expected,
    );
  }
  assert.deepEqual(shop.checkout.stats, { streams: 0, timers: 0, payments: 0 }, 'no stream left');
  return { shop, tracked };
}

describe('faults: callbacks', () => {
  it('duplicateCallbacks: every callback three times', async (t) => {
    const { shop } = await underFaults(t, 'dup', { duplicateCallbacks: 2 });
    const outcomes = (await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 })).map(
      (c) => c.outcome,
    );
    assert.equal(outcomes.length, 18, 'two callbacks of three payments, three times each');
    assert.equal(outcomes.filter((o) => o === 'applied').length, 6);
  });

  it('finalBeforeAwaiting: the final callback first, the QR code after it', async (t) => {
    const { shop, tracked } = await underFaults(
      t,
      'reorder',
      { finalBeforeAwaiting: true },
      { waitForQr: false },
    );
    for (const payment of tracked) {
      // The element never saw a QR code after the result.
      assert.ok(!payment.follower.received.some((s) => s.status === 'awaiting-customer'));
      const outcomes = (await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 }))
        .filter((c) => c.paymentId === payment.paymentId)
        .map((c) => c.outcome);
      assert.deepEqual(outcomes, ['applied', 'ignored']);
    }
  });

  it('callbackDelayMs: every callback late (platform time, scaled)', async (t) => {
    const { shop, tracked } = await underFaults(
      t,
      'delay',
      { callbackDelayMs: 20_000 },
      { timeScale: 0.01 },
    );
    for (const payment of tracked) {
      const deliveries = shop.sandbox.control.payment(PROJECT_ID, payment.paymentId)!.deliveries;
      injected.add('delayed', new Set(deliveries.map((d) => d.deliveryId)).size);
    }
  });

  it('failDeliveries, unreachable: the first two attempts of each callback refused', async (t) => {
    const { shop } = await underFaults(t, 'refused', { failDeliveries: 2 });
    const refused = shop.sandbox.control.deliveries().filter((d) => d.simulated === 'unreachable');
    assert.equal(refused.length, 12);
  });

  it('failDeliveries, answer-lost: each callback received three times', async (t) => {
    const { shop } = await underFaults(t, 'lost-answer', {
      failDeliveries: 2,
      failMode: 'answer-lost',
    });
    const received = await shop.store.listCallbacks({ from: 0, to: Date.now() + 1000 });
    // The same bytes three times: kept once each, counted.
    assert.equal(received.length, 6);
    assert.equal(
      received.reduce((n, c) => n + c.count, 0),
      18,
    );
  });

  it('corruptSignature: refused with 403; lifted, the retry (or refresh()) ends the payment', async (t) => {
    const watcher = attemptWatcher();
    const shop = await startShop(t, {
      sandbox: { retryDelaysMs: [50, 100, 200, 400], log: watcher.log },
    });
    watcher.attach(shop.sandbox);
    const [retried, refreshed] = await Promise.all([
      shop.start('sig-retry'),
      shop.start('sig-refresh'),
    ]);
    const tracked = [
      follow(eventsUrl(shop, retried), retried, 'success'),
      follow(eventsUrl(shop, refreshed), refreshed, 'decline'),
    ];
    await Promise.all(tracked.map((p) => p.follower.waitForStatus('awaiting-customer')));
    await shop.sandbox.control.settled();

    // The result callbacks carry a bad signature: the shop refuses them, nothing changes.
    shop.sandbox.control.setFaults({ corruptSignature: true }, { paymentId: 'sig-retry' });
    shop.sandbox.control.setFaults({ corruptSignature: true }, { paymentId: 'sig-refresh' });
    await shop.sandbox.control.approve(PROJECT_ID, 'sig-retry');
    await shop.sandbox.control.decline(PROJECT_ID, 'sig-refresh');
    await watcher.waitFor((a) => a.paymentId === 'sig-retry' && a.httpStatus === 403);
    assert.equal((await shop.store.getPayment('sig-retry'))!.status, 'awaiting-customer');

    // Lifted while the platform still retries: the next attempt verifies.
    shop.sandbox.control.setFaults({}, { paymentId: 'sig-retry' });
    // The other gives up refused; the shop asks Gate instead.
    await shop.sandbox.control.settled();
    const refusedAll = shop.sandbox.control
      .payment(PROJECT_ID, 'sig-refresh')!
      .deliveries.filter((d) => d.callbackStatus === 'decline');
    assert.ok(refusedAll.every((d) => d.httpStatus === 403) && refusedAll.at(-1)!.gaveUp);
    assert.equal((await shop.store.getPayment('sig-refresh'))!.status, 'awaiting-customer');
    shop.sandbox.control.setFaults({}, { paymentId: 'sig-refresh' });
    assert.equal((await shop.checkout.refresh('sig-refresh'))!.status, 'decline');

    await settle(t, shop.store, tracked);
    const last = shop.sandbox.control.payment(PROJECT_ID, 'sig-retry')!.deliveries.at(-1)!;
    assert.ok(last.delivered && last.attempt > 1, 'a retry of the refused callback got through');
    countDeliveryFaults(injected, shop.sandbox, ['sig-retry', 'sig-refresh']);
  });
});

describe('faults: Gate', () => {
  /**
   * A sale that fails (`fault`), the element's clear error, then the shopper's retry of the
   * same payload: a fresh payment_id, and of the order's payments at most one is charged.
   */
  async function saleFails(
    t: TestContext,
    ref: string,
    fault: Parameters<Sandbox['control']['setFaults']>[0],
    kind: string,
  ): Promise<void> {
    const shop = await startShop(t, { checkout: { gateTimeoutMs: 400 } });
    shop.sandbox.control.setFaults({ ...fault, gateFaultTimes: 1 });
    const payload = shop.payload(ref);
    const first = await shop.post('/payments', { payload });
    injected.add(kind);
    let created: Created;
    const acceptedAnyway = fault.gateHang === 'after-accept';
    if (acceptedAnyway) {
      // Gate took the sale but its answer was lost: the shop asks Gate's status, finds the
      // payment live and goes on with it (a retry would open a second payment at the platform).
      assert.equal(first.status, 201, JSON.stringify(first.body));
      created = first.body as Created;
      assert.equal(created.paymentId, ref);
      assert.equal(created.state.status, 'awaiting-customer');
    } else {
      assert.equal(first.status, 503);
      assert.equal(first.body.error.code, 'gate-unavailable');
      assert.match(first.body.error.message, /try again/);
      assert.equal(first.headers.get('retry-after'), '5');
      assert.equal((await shop.store.getPayment(ref))!.status, 'error');
      const retry = await shop.post('/payments', { payload });
      assert.equal(retry.status, 201, JSON.stringify(retry.body));
      created = retry.body as Created;
      assert.equal(created.paymentId, `${ref}~2`);
    }
    const tracked = [follow(eventsUrl(shop, created), created, 'success')];
    await tracked[0].follower.waitForStatus('awaiting-customer');
    await shop.sandbox.control.approve(PROJECT_ID, created.paymentId);
    await settle(t, shop.store, tracked);
    await shop.sandbox.control.settled();

    assert.equal(shop.sandbox.control.saleRequests(), acceptedAnyway ? 1 : 2);
    const atGate = shop.sandbox.control.payments();
    assert.equal(atGate.filter((p) => p.status === 'success').length, 1, 'charged once');
    assert.equal(atGate.length, 1, 'one payment at the platform');
    const stored = await shop.store.listPayments({ from: 0, to: Date.now() + 1000 });
    assert.deepEqual(
      stored.map((p) => p.status).sort(),
      acceptedAnyway ? ['success'] : ['error', 'success'],
    );
  }

  it('gateError 502 on the sale: a clear error, the retry charges once', (t) =>
    saleFails(t, 'gate-502', { gateError: 502 }, 'gate 5xx'));

  it('gateError 503 on the sale: a clear error, the retry charges once', (t) =>
    saleFails(t, 'gate-503', { gateError: 503 }, 'gate 5xx'));

  it('gateHang on the sale: the timeout is a clear error, the retry charges once', (t) =>
    saleFails(t, 'gate-hang', { gateHang: true }, 'gate hang'));

  it('gateHang after-accept: the answer lost, Gate status finds the payment; charged once', (t) =>
    saleFails(t, 'gate-accepted', { gateHang: 'after-accept' }, 'gate hang'));
});

describe('faults: restarts', () => {
  /**
   * Three payments awaiting the shopper; the shop stops (streams cut); two are finished while
   * it is down (the platform's deliveries fail and are retried); it starts again on the same
   * port over `reopen()`; the elements reconnect with Last-Event-ID; the third is finished.
   */
  async function shopRestart(
    t: TestContext,
    prefix: string,
    first: Store,
    reopen: () => Promise<Store>,
    kind: string,
  ): Promise<void> {
    const watcher = attemptWatcher();
    const shop = await startShop(t, {
      store: first,
      sandbox: { retryDelaysMs: [50, 100, 200, 400, 800, 1600, 3200], log: watcher.log },
    });
    watcher.attach(shop.sandbox);
    const gate = reconnectGate();
    const tracked = await startAll(shop, prefix, { reconnectWhen: gate.wait });
    await shop.sandbox.control.settled();

    gate.shut();
    await shop.stopServer();
    await shop.store.close();
    injected.add(kind);
    await drive(shop.sandbox, tracked[0].paymentId, 'approve');
    await drive(shop.sandbox, tracked[1].paymentId, 'decline');
    for (const payment of tracked.slice(0, 2)) {
      await watcher.waitFor(
        (a) =>
          a.paymentId === payment.paymentId &&
          a.callbackStatus !== 'awaiting customer action' &&
          !a.delivered,
      );
    }
    await shop.restartServer(await reopen());
    gate.open();
    await drive(shop.sandbox, tracked[2].paymentId, 'expire');
    await settle(t, shop.store, tracked);
    await shop.sandbox.control.settled();
    countDeliveryFaults(
      injected,
      shop.sandbox,
      tracked.map((p) => p.paymentId),
    );
    for (const payment of tracked) {
      assert.ok(payment.follower.connections >= 2, `${payment.paymentId} reconnected`);
    }
    assert.deepEqual(shop.checkout.stats, { streams: 0, timers: 0, payments: 0 });
  }

  it('the shop restarted mid-payment, SQLite store', async (t) => {
    const file = join(tempDir(t), 'shop.sqlite');
    await shopRestart(
      t,
      'restart-sqlite',
      await openSqliteStore({ file }),
      () => openSqliteStore({ file }),
      'shop restart (SQLite)',
    );
  });

  it('the shop restarted mid-payment, Redis store', async (t) => {
    const redis = await startRedis(t);
    await shopRestart(
      t,
      'restart-redis',
      await openRedisStore({ url: redis.url }),
      () => openRedisStore({ url: redis.url }),
      'shop restart (Redis)',
    );
  });

  it('Redis restarted mid-payment under two instances: streams held, nothing lost', async (t) => {
    const redis = await startRedis(t, { persistent: true });
    const sandbox = await startPlatform(t);
    const a = await startInstance(t, redis.url, sandbox);
    // B holds the streams and asks for callbacks at A: the change travels through Redis.
    const b = await startInstance(t, redis.url, sandbox, a.url);
    const tracked: Tracked[] = [];
    for (const [i, outcome] of OUTCOMES.entries()) {
      const created = await startPayment(b, `redis-restart-${i}`);
      tracked.push(follow(eventsOf(b, created), created, EXPECTED[outcome]));
    }
    await Promise.all(tracked.map((p) => p.follower.waitForStatus('awaiting-customer')));
    await sandbox.control.settled();

    await redis.stop();
    injected.add('Redis restart');
    // Finished while Redis is down: A cannot store the callbacks, the platform retries.
    await drive(sandbox, tracked[0].paymentId, 'approve');
    await drive(sandbox, tracked[1].paymentId, 'decline');
    await redis.start();
    await drive(sandbox, tracked[2].paymentId, 'expire');

    const check = await openRedisStore({ url: redis.url });
    t.after(() => check.close());
    await settle(t, check, tracked);
    await sandbox.control.settled();
    countDeliveryFaults(
      injected,
      sandbox,
      tracked.map((p) => p.paymentId),
      'delivery failed (Redis down)',
    );
    const outcomes = (await check.listCallbacks({ from: 0, to: Date.now() + 1000 })).map(
      (c) => c.outcome,
    );
    assert.equal(outcomes.filter((o) => o === 'applied').length, 6, 'every callback applied once');
    assert.deepEqual(b.checkout.stats, { streams: 0, timers: 0, payments: 0 });
    assert.deepEqual(b.hub.stats, { channels: 0, listeners: 0 });
  });
});
