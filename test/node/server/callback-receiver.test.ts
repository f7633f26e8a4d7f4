// The callback route under a forger's load (issue #13, item 3): the body limit, the cheap shape
// check before the HMAC, the optional allow-list and rate limit, what is stored of a callback
// (bounded, identical replays counted) and what its log lines may quote. A real merchant
// server, the real sandbox as ECommPay, real signatures; no timing is asserted (the costs are
// figures of `npm run bench`).
import assert from 'node:assert/strict';
import { REFUSALS_LOGGED_PER_WINDOW } from '../../../src/server/refusal-log.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { CALLBACK_BODY_KEPT_BYTES } from '../../../src/server/callback-record.js';
import { MAX_CALLBACK_LEAVES } from '../../../src/server/callback-shape.js';
import { createCheckout } from '../../../src/server/checkout.js';
import { ipAllowList } from '../../../src/server/ip-allow-list.js';
import { signAsPlatform } from '../../../src/sandbox/callbacks.js';
import type { CallbackRecord } from '../../../src/server/store.js';
import { MemoryStore } from '../../../src/server/stores/memory.js';
import { openSqliteStore } from '../../../src/server/stores/sqlite.js';
import {
  PROJECT_ID,
  SECRET_KEY,
  signedCallback,
  startShop,
  type Shop,
  type ShopOptions,
} from '../../helpers/toolkit.js';

const ALL_TIME = { from: 0, to: 8.64e15 };

/** A shop whose log lines are kept. */
async function loggedShop(
  t: TestContext,
  options: ShopOptions = {},
): Promise<{ shop: Shop; lines: string[] }> {
  const lines: string[] = [];
  const checkout = (typeof options.checkout === 'object' ? options.checkout : {}) ?? {};
  const shop = await startShop(t, {
    ...options,
    checkout: { ...checkout, log: (message: string) => lines.push(message) },
  });
  return { shop, lines };
}

/** A payment of the shop, its QR code delivered (the sandbox's first callback applied). */
async function awaiting(shop: Shop, ref: string): Promise<void> {
  await shop.start(ref);
  await shop.sandbox.control.settled();
  assert.equal((await shop.store.getPayment(ref))!.status, 'awaiting-customer');
}

/** `n` extra leaves of `size` characters each, as one signed field. */
const padding = (n: number, size = 50): Record<string, unknown> => ({
  pad: Array.from({ length: n }, (_, i) => `${i}`.padEnd(size, 'x')),
});

/** POSTs JSON text (not re-serialised) to the callback route. */
async function postText(shop: Shop, text: string, headers: Record<string, string> = {}) {
  return shop.post('/callback', text, headers);
}

const PLAUSIBLE_SIGNATURE = `${'A'.repeat(86)}==`;

describe('the callback body limit', () => {
  it('a callback over 16 KiB gets 413 before it is read; maxCallbackBytes sets the limit', async (t) => {
    const big = JSON.stringify(signedCallback('order-big', 'success', { extra: padding(200, 85) }));
    assert.ok(big.length > 16 * 1024 && big.length < 32 * 1024, `${big.length} bytes`);

    const { shop } = await loggedShop(t);
    await awaiting(shop, 'order-big');
    const refused = await postText(shop, big);
    assert.equal(refused.status, 413);
    assert.equal(refused.body.error.code, 'too-large');
    assert.equal(refused.headers.get('connection'), 'close');
    assert.equal((await shop.store.getPayment('order-big'))!.status, 'awaiting-customer');
    assert.equal((await shop.store.listCallbacks(ALL_TIME)).length, 1, 'the QR callback only');

    const { shop: roomy } = await loggedShop(t, { checkout: { maxCallbackBytes: 32 * 1024 } });
    await awaiting(roomy, 'order-big');
    assert.equal((await postText(roomy, big)).status, 200);
    assert.equal((await roomy.store.getPayment('order-big'))!.status, 'success');
  });

  it('maxCallbackBytes must be a whole number of bytes, at least 1 KiB', () => {
    for (const maxCallbackBytes of [0, 10, 1.5, -1, NaN, '16384' as unknown as number]) {
      assert.throws(
        () =>
          createCheckout({
            projectId: PROJECT_ID,
            secretKey: SECRET_KEY,
            publicUrl: 'https://shop.example',
            store: new MemoryStore(),
            maxCallbackBytes,
          }),
        (error: Error) => error instanceof TypeError && /maxCallbackBytes/.test(error.message),
      );
    }
  });
});

describe('the shape check before the signature', () => {
  it('refuses what cannot be a callback, naming why, storing nothing', async (t) => {
    const { shop } = await loggedShop(t);
    await awaiting(shop, 'order-shape');
    const before = await shop.store.listCallbacks(ALL_TIME);
    const signedWith = (extra: Record<string, unknown>): string =>
      JSON.stringify(signedCallback('order-shape', 'success', { extra }));
    const cases: [string, string, number, string, RegExp][] = [
      ['an array', '[]', 400, 'bad-request', /not a JSON object/],
      [
        'no payment object',
        JSON.stringify({ project_id: PROJECT_ID, signature: PLAUSIBLE_SIGNATURE }),
        400,
        'bad-request',
        /neither a payment nor a general object/,
      ],
      // Signed with the project's key: only the caps refuse them, before the HMAC could pass.
      [
        `${MAX_CALLBACK_LEAVES + 88} leaves, signed`,
        signedWith(padding(MAX_CALLBACK_LEAVES + 88, 8)),
        400,
        'bad-request',
        new RegExp(`more than ${MAX_CALLBACK_LEAVES} values`),
      ],
      [
        'a 200-character key, signed',
        signedWith({ ['k'.repeat(200)]: 1 }),
        400,
        'bad-request',
        /key over 128 characters/,
      ],
      [
        'a 5000-character value, signed',
        signedWith({ note: 'v'.repeat(5000) }),
        400,
        'bad-request',
        /value over 4096 characters/,
      ],
      [
        'no signature',
        JSON.stringify({ ...signedCallback('order-shape', 'success'), signature: undefined }),
        403,
        'bad-signature',
        /no ECommPay signature/,
      ],
      [
        'a signature too short for SHA-512',
        JSON.stringify({ ...signedCallback('order-shape', 'success'), signature: 'AAAA' }),
        403,
        'bad-signature',
        /no ECommPay signature/,
      ],
      [
        'a plausible signature that does not verify',
        JSON.stringify({
          ...signedCallback('order-shape', 'success'),
          signature: PLAUSIBLE_SIGNATURE,
        }),
        403,
        'bad-signature',
        /does not verify/,
      ],
    ];
    for (const [label, text, status, code, message] of cases) {
      const answer = await postText(shop, text);
      assert.equal(answer.status, status, `${label}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, code, label);
      assert.match(answer.body.error.message, message, label);
    }
    assert.deepEqual(await shop.store.listCallbacks(ALL_TIME), before, 'nothing stored');
    assert.equal((await shop.store.getPayment('order-shape'))!.status, 'awaiting-customer');
  });

  it('a genuine callback in the general format, with its extras, still passes', async (t) => {
    const { shop } = await loggedShop(t);
    await awaiting(shop, 'order-general');
    const { signature: _top, ...unsigned } = signedCallback('order-general', 'success', {
      extra: { customer: { phone: '13632264147', street: '建国路88号;东门' } },
    });
    const body = {
      ...unsigned,
      general: { project_id: PROJECT_ID, payment_id: 'order-general' },
    };
    const answer = await shop.post('/callback', {
      ...body,
      general: { ...body.general, signature: signAsPlatform(body, SECRET_KEY) },
    });
    assert.equal(answer.status, 200);
    assert.equal((await shop.store.getPayment('order-general'))!.status, 'success');
  });
});

describe('the callback route guards, off by default', () => {
  it('without them, a flood of forged callbacks is refused one by one, never rate-limited', async (t) => {
    const { shop } = await loggedShop(t);
    const forged = JSON.stringify({
      ...signedCallback('order-flood', 'success'),
      signature: PLAUSIBLE_SIGNATURE,
    });
    for (let i = 0; i < 40; i++) assert.equal((await postText(shop, forged)).status, 403);
  });

  it('callbackRateLimit: 429 with Retry-After past the budget, one log line', async (t) => {
    const { shop, lines } = await loggedShop(t, {
      checkout: { callbackRateLimit: { requests: 3, windowMs: 60_000 } },
    });
    const forged = JSON.stringify({
      ...signedCallback('order-limit', 'success'),
      signature: PLAUSIBLE_SIGNATURE,
    });
    for (let i = 0; i < 3; i++) assert.equal((await postText(shop, forged)).status, 403);
    for (let i = 0; i < 3; i++) {
      const limited = await postText(shop, forged);
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error.code, 'rate-limited');
      assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
    }
    assert.equal(lines.filter((l) => /rate limit: .*too many callbacks/.test(l)).length, 1);
    // Starting payments has its own budget.
    assert.equal((await shop.post('/payments', { payload: shop.payload('order-x') })).status, 201);
  });

  it('callbackAllowedIps: another address gets 403 address-refused, unread and unstored', async (t) => {
    const { shop: closed, lines } = await loggedShop(t, {
      checkout: { callbackAllowedIps: ['203.0.113.0/24', '2001:db8::/32'] },
    });
    await closed.start('order-ip');
    await closed.sandbox.control.settled();
    // The sandbox's own callback came from 127.0.0.1 too, and was refused.
    assert.equal((await closed.store.getPayment('order-ip'))!.status, 'pending');
    const refused = await closed.post('/callback', signedCallback('order-ip', 'success'));
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'address-refused');
    assert.deepEqual(await closed.store.listCallbacks(ALL_TIME), []);
    assert.ok(lines.some((l) => /127\.0\.0\.1 is not in callbackAllowedIps/.test(l)));

    const { shop: open } = await loggedShop(t, {
      checkout: { callbackAllowedIps: ['127.0.0.1'] },
    });
    await awaiting(open, 'order-ip');

    // Behind a proxy, trustProxy decides the address, as for the shopper's.
    const { shop: proxied } = await loggedShop(t, {
      checkout: { callbackAllowedIps: ['203.0.113.0/24'], trustProxy: true },
    });
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });
    const body = JSON.stringify(signedCallback('order-none', 'success'));
    assert.equal((await postText(proxied, body, from('203.0.113.9'))).status, 200);
    assert.equal((await postText(proxied, body, from('203.0.114.9'))).status, 403);
  });

  it('callbackAllowedIps entries are checked at start-up', () => {
    for (const entries of [
      [],
      ['x'],
      ['10.0.0.0/33'],
      ['10.0.0.1/8'],
      ['10.0.0.0/8/1'],
      ['10.0.0.0/a'],
      ['::/129'],
      ['fe80::1%eth0'],
      [5],
    ]) {
      assert.throws(
        () => ipAllowList(entries as string[]),
        (error: Error) => error instanceof TypeError && /callbackAllowedIps/.test(error.message),
        JSON.stringify(entries),
      );
    }
    const allowed = ipAllowList(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7', '::1']);
    for (const ip of ['203.0.113.0', '203.0.113.255', '198.51.100.7', '2001:db8:1::5', '::1']) {
      assert.equal(allowed(ip), true, ip);
    }
    for (const ip of ['203.0.114.0', '198.51.100.8', '2001:db9::1', '::2', 'nope', undefined]) {
      assert.equal(allowed(ip), false, String(ip));
    }
    assert.equal(ipAllowList(['0.0.0.0/0'])('8.8.8.8'), true);
  });
});

describe('what is kept of a callback', () => {
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
  const ofPayment = async (shop: Shop, paymentId: string): Promise<CallbackRecord[]> =>
    (await shop.store.listCallbacks(ALL_TIME)).filter((c) => c.paymentId === paymentId);

  for (const kind of ['memory', 'sqlite'] as const) {
    it(`${kind}: what was parsed and the first 4 KiB; an identical replay is counted, not stored`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'cup-qr-callbacks-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const sqlite =
        kind === 'sqlite' ? await openSqliteStore({ file: join(dir, 'db.sqlite') }) : undefined;
      const { shop } = await loggedShop(t, sqlite ? { store: sqlite } : {});
      await awaiting(shop, 'order-replay');
      const text = JSON.stringify(
        signedCallback('order-replay', 'success', { extra: padding(200, 70) }),
      );
      assert.ok(text.length > 3 * CALLBACK_BODY_KEPT_BYTES, `${text.length} bytes`);

      for (let i = 0; i < 150; i++) assert.equal((await postText(shop, text)).status, 200);
      const [kept, ...more] = await ofPayment(shop, 'order-replay').then((list) =>
        list.filter((c) => c.platformStatus === 'success'),
      );
      assert.equal(more.length, 0, 'stored once');
      assert.equal(kept.count, 150);
      assert.equal(kept.outcome, 'applied', 'what its first arrival did');
      assert.ok(kept.lastReceivedAt >= kept.receivedAt);
      assert.equal(kept.bodyBytes, Buffer.byteLength(text));
      assert.equal(kept.bodySha256, sha256(text));
      assert.ok(Buffer.byteLength(kept.body) <= CALLBACK_BODY_KEPT_BYTES);
      assert.ok(text.startsWith(kept.body) && kept.body.length > 4000);
      assert.deepEqual(kept.fields, {
        project_id: PROJECT_ID,
        'payment.id': 'order-replay',
        'payment.status': 'success',
        'payment.sum.amount': 30000,
        'payment.sum.currency': 'CNY',
        'operation.id': 77,
        'operation.type': 'sale',
        'operation.status': 'success',
        'operation.code': '0',
        'operation.message': 'x',
      });

      // Copies that differ in their bytes only (whitespace) are kept apart, each bounded.
      for (let i = 1; i <= 5; i++) {
        assert.equal((await postText(shop, text.replace('{', `{${' '.repeat(i)}`))).status, 200);
      }
      const all = await ofPayment(shop, 'order-replay');
      assert.equal(all.filter((c) => c.platformStatus === 'success').length, 6);
      assert.ok(all.every((c) => Buffer.byteLength(c.body) <= CALLBACK_BODY_KEPT_BYTES));
      if (sqlite) {
        const stored = sqlite.database
          .prepare('SELECT COUNT(*) AS n, SUM(LENGTH(CAST(body AS BLOB))) AS bytes FROM callbacks')
          .get() as { n: number; bytes: number };
        assert.equal(stored.n, 7, 'the QR callback and six bodies');
        assert.ok(stored.bytes <= 7 * CALLBACK_BODY_KEPT_BYTES, `${stored.bytes} bytes of bodies`);
      }
    });
  }

  it('ten identical copies at once: one record, counted ten times, that applied it', async (t) => {
    const { shop } = await loggedShop(t);
    await awaiting(shop, 'order-burst');
    const text = JSON.stringify(signedCallback('order-burst', 'decline'));
    const answers = await Promise.all(Array.from({ length: 10 }, () => postText(shop, text)));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(10).fill(200),
    );
    const declines = (await ofPayment(shop, 'order-burst')).filter(
      (c) => c.platformStatus === 'decline',
    );
    assert.deepEqual(
      declines.map((c) => [c.count, c.outcome]),
      [[10, 'applied']],
    );
  });
});

describe('callback log lines', () => {
  it('quote nothing from the request raw: escaped, cut, a few lines a minute', async (t) => {
    const { shop, lines } = await loggedShop(t);
    await awaiting(shop, 'order-log');
    const forgedKey = '\n[checkout] callback applied order-log success\u2028';
    const forged = (i: number): string =>
      JSON.stringify({
        payment: { id: 'order-log', status: 'success' },
        // A float makes the signature's reason name this path.
        [`${forgedKey}${i}`]: 1.5,
        signature: PLAUSIBLE_SIGNATURE,
      });
    for (let i = 0; i < 100; i++) assert.equal((await postText(shop, forged(i))).status, 403);
    // Signed, but unreadable: its problem quotes the status it sent.
    const odd = signedCallback('order-log', `on hold${forgedKey}`);
    assert.equal((await shop.post('/callback', odd)).status, 200);

    // Refusals are logged at most REFUSALS_LOGGED_PER_WINDOW a minute per reason (refusal-log.ts).
    const refused = lines.filter((l) => l.startsWith('callback refused: '));
    assert.equal(refused.length, REFUSALS_LOGGED_PER_WINDOW);
    const understood = lines.filter((l) => l.startsWith('signed callback not understood: '));
    assert.equal(understood.length, 1);
    await shop.checkout.close();
    assert.match(lines.at(-1)!, /^90 more refused \(bad-signature\) within 60 s/);
    const written = [...refused, ...understood, lines.at(-1)!];
    for (const line of written) {
      assert.doesNotMatch(line, /[\n\r\u2028\u2029]/, JSON.stringify(line));
      assert.ok(line.length < 400, `${line.length} characters`);
    }
    const bytes = written.reduce((n, l) => n + Buffer.byteLength(l), 0);
    assert.ok(bytes < 40_000, `${bytes} bytes of log from 101 callbacks`);
  });
});
