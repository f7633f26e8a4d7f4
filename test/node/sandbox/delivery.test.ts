// Callbacks as ECommPay's projects may receive them (issue #14 item 10), sent by the real
// sandbox to the toolkit's receiver: the `general` format (project_id and signature under
// `general`, a project option) applied like the seed's; and ECommPay's retry schedule (an
// option, compressed by timeScale), which brings a callback to a receiver that was down for a
// while on a later retry, every attempt in the delivery log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signAsPlatform } from '../../../src/sandbox/callbacks.js';
import { ECOMMPAY_RETRY_DELAYS_MS } from '../../../src/sandbox/index.js';
import { buildReport } from '../../../src/server/report.js';
import { PROJECT_ID, SECRET_KEY, signedCallback, startShop } from '../../helpers/toolkit.js';

const ALL_TIME = { from: 0, to: 8.64e15 };
const SECOND = 1000;
const HOUR = 3600 * SECOND;

describe('callbacks in the general format', () => {
  it('are sent with project_id and signature under general, and applied by the receiver', async (t) => {
    const shop = await startShop(t, {
      sandbox: {
        projects: [
          {
            id: PROJECT_ID,
            secretKey: SECRET_KEY,
            allowAnyCallbackUrl: true,
            callbackFormat: 'general',
          },
        ],
      },
    });
    await shop.start('order-general');
    await shop.sandbox.control.settled();
    const stored = await shop.store.getPayment('order-general');
    assert.equal(stored!.status, 'awaiting-customer');
    assert.ok(stored!.qr?.data, 'the QR code of a general-format callback');

    await shop.sandbox.control.approve(PROJECT_ID, 'order-general');
    await shop.sandbox.control.settled();
    assert.equal((await shop.store.getPayment('order-general'))!.status, 'success');

    const sent = shop.sandbox.control.payment(PROJECT_ID, 'order-general')!;
    assert.equal(sent.callbacks.length, 2);
    for (const callback of sent.callbacks as Record<string, any>[]) {
      assert.equal(callback.signature, undefined, 'no top-level signature');
      assert.equal(callback.project_id, undefined, 'no top-level project_id');
      assert.equal(callback.general.project_id, PROJECT_ID);
      assert.match(callback.general.signature, /^[A-Za-z0-9+/]{86}==$/);
    }
    assert.ok(sent.deliveries.every((attempt) => attempt.delivered && attempt.httpStatus === 200));
    const operations = (await buildReport(shop.store, ALL_TIME)).operations;
    assert.deepEqual(
      operations.map((row) => [row.project_id, row['payment.status'], row.outcome]),
      [
        [PROJECT_ID, 'awaiting customer action', 'applied'],
        [PROJECT_ID, 'success', 'applied'],
      ],
    );
  });

  it('keeps the project of a general-format callback it cannot read, for the report', async (t) => {
    const shop = await startShop(t);
    await shop.start('order-unreadable');
    const {
      project_id: _top,
      signature: _signature,
      ...rest
    } = signedCallback('order-unreadable', 'paid maybe');
    const unsigned = { general: { project_id: PROJECT_ID }, ...rest };
    const body = {
      ...unsigned,
      general: { ...unsigned.general, signature: signAsPlatform(unsigned, SECRET_KEY) },
    };
    assert.equal((await shop.post('/callback', body)).status, 200);
    const rows = (await buildReport(shop.store, ALL_TIME)).operations;
    const row = rows.find((r) => r.outcome === 'unreadable');
    assert.ok(row, JSON.stringify(rows));
    assert.equal(row.project_id, PROJECT_ID);
  });
});

describe("ECommPay's retry schedule", () => {
  it('is 6 retries 10 s apart, then doubling waits up to 4 h, within 11 days (81 attempts)', () => {
    const delays = ECOMMPAY_RETRY_DELAYS_MS;
    assert.deepEqual(delays.slice(0, 6), Array(6).fill(10 * SECOND));
    assert.deepEqual(
      delays.slice(6, 12),
      [20, 40, 80, 160, 320, 640].map((s) => s * SECOND),
    );
    assert.equal(Math.max(...delays), 4 * HOUR);
    assert.equal(delays.length + 1, 81);
    const total = delays.reduce((sum, ms) => sum + ms, 0);
    assert.ok(total <= 11 * 24 * HOUR, String(total));
    assert.ok(delays.length + 1 <= 120);
  });

  it('brings a callback to a receiver that was down for a while, on a later retry', async (t) => {
    const timeScale = 0.001;
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    const shop = await startShop(t, {
      sandbox: {
        retryDelaysMs: undefined,
        retrySchedule: 'ecommpay',
        timeScale,
        // A day of platform time is 86 s here: the code does not time out meanwhile.
        qrTimeoutSeconds: 86_400,
        log: (line) => {
          lines.push(line);
          for (const wake of waiters.splice(0)) wake();
        },
      },
    });
    const failures = (): number =>
      lines.filter((line) => /^callback success .* failed/.test(line)).length;
    const failed = (count: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`never ${count} failed attempts`)), 60_000);
        const check = (): void => {
          if (failures() >= count) {
            clearTimeout(guard);
            resolve();
          } else waiters.push(check);
        };
        check();
      });

    await shop.start('order-retried');
    await shop.sandbox.control.settled();
    assert.equal((await shop.store.getPayment('order-retried'))!.status, 'awaiting-customer');

    // The shop goes down; the shopper pays meanwhile.
    await shop.stopServer();
    await shop.sandbox.control.approve(PROJECT_ID, 'order-retried');
    // Past the six 10 s retries, into the growing waits.
    await failed(8);
    await shop.restartServer(shop.store);
    await shop.sandbox.control.settled();
    assert.equal((await shop.store.getPayment('order-retried'))!.status, 'success');

    const attempts = shop.sandbox.control
      .payment(PROJECT_ID, 'order-retried')!
      .deliveries.filter((attempt) => attempt.callbackStatus === 'success');
    const last = attempts.at(-1)!;
    assert.ok(last.delivered, 'delivered in the end');
    assert.ok(last.attempt > 8, `on a later retry (attempt ${last.attempt})`);
    assert.deepEqual(
      attempts.map((attempt) => attempt.attempt),
      attempts.map((_, index) => index + 1),
    );
    // The log shows ECommPay's schedule, in the sandbox's time.
    assert.deepEqual(
      attempts.slice(0, -1).map((attempt) => attempt.retryInMs),
      ECOMMPAY_RETRY_DELAYS_MS.slice(0, attempts.length - 1).map((ms) =>
        Math.round(ms * timeScale),
      ),
    );
    assert.ok(attempts.slice(0, -1).every((attempt) => !attempt.delivered && attempt.error));
  });
});
