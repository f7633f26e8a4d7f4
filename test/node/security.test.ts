// Security, over real HTTP: a real merchant server (toolkit.ts) with the sandbox as ECommPay.
// Who may start a payment (Origin), how often (the rate limit), who may read one (its token),
// and what never leaves the server (the secret key in answers, streams and logs; the
// card-holder's details in logs). The figures are printed in one line at the end.
import assert from 'node:assert/strict';
import crypto, { createHash } from 'node:crypto';
import { after, describe, it, mock } from 'node:test';
import { inspect } from 'node:util';
import { createCheckout } from '../../src/server/checkout.js';
import { DEMO_SECRET_KEY } from '../../src/ecommpay/keys.js';
import { createPayload, payloadKeyOf } from '../../src/server/payload.js';
import { RateLimiter, rateKey } from '../../src/server/rate-limit.js';
import { sign } from '../../src/ecommpay/signature.js';
import { MemoryStore } from '../../src/server/stores/memory.js';
import { DEFAULT_TOKEN_RULES, TOKENS_KEPT } from '../../src/server/tokens.js';
import { TEST_CUSTOMER } from '../helpers/customer.js';
import { followPayment, openSse } from '../helpers/sse-client.js';
import {
  eventsUrl,
  foreignPayload,
  order,
  orderFields,
  PROJECT_ID,
  SECRET_KEY,
  signedCallback,
  startShop,
  statusPath,
  type Created,
  type Shop,
} from '../helpers/toolkit.js';

const FOREIGN = 'https://evil.example';
/** A key the key rule accepts with the real Gate (16 characters or more, not the demo's). */
const LONG_KEY = 'security-test-project-key';

const derivedHex = (key: string): string => payloadKeyOf({ secretKey: key }).toString('hex');

const figures = {
  unauthorisedTried: 0,
  unauthorisedSucceeded: 0,
  authorisedReads: 0,
  responses: 0,
  sseFrames: 0,
  logLines: 0,
  sandboxLogLines: 0,
  secretLeaks: 0,
  cardholderLeaks: 0,
  /** POSTs of a shopper's payload by someone else, and the shopper's tokens they pushed out. */
  rePosts: 0,
  evictedInUse: 0,
};

after(() => {
  const n = (x: number): string => x.toLocaleString('en');
  console.log(
    `security: ${n(figures.unauthorisedTried)} unauthorised reads tried, ` +
      `${n(figures.unauthorisedSucceeded)} succeeded (${n(figures.authorisedReads)} with the right token, all answered); ` +
      `${n(figures.secretLeaks)} secret-key leaks in ${n(figures.responses)} responses, ` +
      `${n(figures.sseFrames)} SSE frames, ${n(figures.logLines)} log lines ` +
      `(+${n(figures.sandboxLogLines)} sandbox log lines); ` +
      `${n(figures.cardholderLeaks)} card-holder details in log lines; ` +
      `${n(figures.rePosts)} re-POSTs of a payload by others, ${n(figures.evictedInUse)} tokens in use evicted`,
  );
});

async function paymentCount(shop: Shop): Promise<number> {
  return (await shop.store.listPayments({ from: 0, to: Date.now() + 3600_000 })).length;
}

describe('Origin: who may start a payment', () => {
  it('a page of another site is refused: 403 origin-refused, nothing stored, no Gate call', async (t) => {
    const shop = await startShop(t);
    for (const origin of [FOREIGN, 'null', `${shop.url}.evil.example`, 'http://127.0.0.1:1']) {
      const refused = await shop.post(
        '/payments',
        { payload: shop.payload('order-cross') },
        { Origin: origin },
      );
      assert.equal(refused.status, 403, origin);
      assert.equal(refused.body.error.code, 'origin-refused');
      assert.ok(refused.body.error.message.includes(origin), refused.body.error.message);
      // The option that allows a page of one's own elsewhere (a dev server's proxy) is named.
      assert.ok(refused.body.error.message.includes('allowedOrigins'), refused.body.error.message);
    }
    const link = await shop.post(
      '/payment-page',
      { paymentId: 'x', token: 'y' },
      { Origin: FOREIGN },
    );
    assert.equal(link.status, 403);
    assert.equal(link.body.error.code, 'origin-refused');
    assert.equal(await paymentCount(shop), 0);
    assert.equal(await shop.store.latestAttempt('order-cross'), undefined);
    assert.equal(shop.sandbox.control.saleRequests(), 0);
  });

  it("the shop's own pages, publicUrl's origin, listed origins and non-browser clients may", async (t) => {
    const shop = await startShop(t);
    // Same origin (the Host the browser sent), written as browsers write it.
    const own = await shop.post(
      '/payments',
      { payload: shop.payload('o-own') },
      { Origin: shop.url },
    );
    assert.equal(own.status, 201);
    // No Origin: not a browser (curl, a server), which could send any Origin it liked.
    assert.equal((await shop.post('/payments', { payload: shop.payload('o-none') })).status, 201);

    const listed = await startShop(t, {
      checkout: {
        publicUrl: 'https://shop.example',
        allowedOrigins: ['https://M.Shop.Example:443/'],
      },
    });
    const start = (ref: string, origin: string): Promise<number> =>
      listed
        .post('/payments', { payload: listed.payload(ref) }, { Origin: origin })
        .then((r) => r.status);
    assert.equal(await start('o-public', 'https://shop.example'), 201);
    assert.equal(await start('o-listed', 'https://m.shop.example'), 201);
    assert.equal(await start('o-http', 'http://m.shop.example'), 403);
    assert.equal(await start('o-other', 'https://shop.example.evil.example'), 403);

    const patterned = await startShop(t, {
      checkout: { allowedOrigins: (origin) => origin.endsWith('.shop.example') },
    });
    const byPattern = (ref: string, origin: string): Promise<number> =>
      patterned
        .post('/payments', { payload: patterned.payload(ref) }, { Origin: origin })
        .then((r) => r.status);
    assert.equal(await byPattern('o-pattern', 'https://de.shop.example'), 201);
    assert.equal(await byPattern('o-pattern-2', FOREIGN), 403);
    assert.equal(await byPattern('o-pattern-3', patterned.url), 201, 'same origin still');
  });

  it('the callback is not Origin-checked: ECommPay posts it server to server, signed', async (t) => {
    const shop = await startShop(t);
    const created = await shop.start('order-cb');
    const client = await openSse(eventsUrl(shop, created));
    await client.waitFor((events) => events.some((e) => e.data.includes('awaiting-customer')));
    const answer = await shop.post('/callback', signedCallback('order-cb', 'success'), {
      Origin: FOREIGN,
    });
    assert.equal(answer.status, 200);
    await client.waitFor((events) => events.some((e) => e.data.includes('"success"')));
    await client.close();
  });

  it('a setting that is not an origin fails at start-up', () => {
    for (const bad of ['shop.example', 'https://shop.example/checkout', 'ftp://shop.example']) {
      assert.throws(
        () =>
          createCheckout({
            projectId: 1,
            secretKey: LONG_KEY,
            publicUrl: 'https://shop.example',
            store: new MemoryStore(),
            allowedOrigins: [bad],
          }),
        (error: Error) => error instanceof TypeError && error.message.includes('allowedOrigins'),
      );
    }
  });
});

describe('the secret key: no demo key, no short key with the real Gate', () => {
  const checkoutWith = (secretKey: string, gateUrl?: string): unknown =>
    createCheckout({
      projectId: 1,
      secretKey,
      publicUrl: 'https://shop.example',
      store: new MemoryStore(),
      ...(gateUrl === undefined ? {} : { gateUrl }),
    });

  it('refuses them at createCheckout with a message that names the rule, never the key', () => {
    const refused: [string, string | undefined, RegExp][] = [
      [DEMO_SECRET_KEY, undefined, /public demo key/],
      [DEMO_SECRET_KEY, 'https://api.ecommpay.com', /public demo key/],
      [DEMO_SECRET_KEY, 'http://gate.internal:8090', /public demo key/],
      ['Qz', undefined, /shorter than 16 characters/],
      ['fifteen-chars-Q', undefined, /shorter than 16 characters/],
      ['Xshort7', 'http://10.0.0.5:8090', /shorter than 16 characters/],
      ['Xshort7', 'http://127.0.0.1.nip.io:8090', /shorter than 16 characters/],
      ['Xshort7', 'http://localhost.evil.example', /shorter than 16 characters/],
    ];
    for (const [key, gateUrl, rule] of refused) {
      assert.throws(
        () => checkoutWith(key, gateUrl),
        (error: Error) => {
          assert.ok(error instanceof TypeError, `${key} with ${gateUrl}`);
          assert.match(error.message, /secretKey/);
          assert.match(error.message, rule);
          assert.ok(!error.message.includes(key), `the message shows the key: ${error.message}`);
          return true;
        },
      );
    }
  });

  it('accepts them with a sandbox on this machine, and long keys anywhere', async () => {
    for (const gateUrl of [
      'http://127.0.0.1:8090',
      'http://127.1.2.3',
      'https://localhost:8443',
      'http://[::1]:8090',
    ]) {
      for (const key of [DEMO_SECRET_KEY, 'k']) {
        const checkout = checkoutWith(key, gateUrl) as { close(): Promise<void> };
        await checkout.close();
      }
    }
    const real = checkoutWith(LONG_KEY) as { close(): Promise<void> };
    await real.close();
  });
});

describe('the rate limit on starting payments', () => {
  it('429 rate-limited with Retry-After after N; other clients go on; the window passes', async (t) => {
    let clock = Date.now();
    const logs: string[] = [];
    const shop = await startShop(t, {
      checkout: {
        now: () => clock,
        rateLimit: { requests: 3, windowMs: 60_000 },
        // The client address from a header a test proxy sets, so one test has many clients.
        trustProxy: { header: 'x-client-ip' },
        log: (line) => logs.push(line),
      },
    });
    const from = (
      ip: string,
      ref: string,
    ): Promise<{ status: number; headers: Headers; body: any }> =>
      shop.post('/payments', { payload: shop.payload(ref) }, { 'x-client-ip': ip });

    for (let i = 1; i <= 3; i++) assert.equal((await from('203.0.113.7', `rl-a${i}`)).status, 201);
    const sales = shop.sandbox.control.saleRequests();
    const stored = await paymentCount(shop);
    const limited = await from('203.0.113.7', 'rl-a4');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate-limited');
    assert.equal(limited.headers.get('retry-after'), '60');
    assert.equal(await shop.store.latestAttempt('rl-a4'), undefined);
    assert.equal(shop.sandbox.control.saleRequests(), sales, 'no Gate call');
    assert.equal(await paymentCount(shop), stored, 'nothing stored');
    // The Payment Page link counts too.
    const link = await shop.post(
      '/payment-page',
      { paymentId: 'rl-a1', token: 'x' },
      { 'x-client-ip': '203.0.113.7' },
    );
    assert.equal(link.status, 429);

    // Another client, and another /64 of IPv6, are not affected; the same /64 is.
    assert.equal((await from('198.51.100.1', 'rl-b1')).status, 201);
    for (let i = 1; i <= 3; i++) {
      assert.equal((await from(`2001:db8:1:2::${i}`, `rl-v6-${i}`)).status, 201);
    }
    assert.equal((await from('2001:db8:1:2:ffff::9', 'rl-v6-4')).status, 429);
    assert.equal((await from('2001:db8:1:3::1', 'rl-v6-5')).status, 201);

    clock += 30_000;
    const still = await from('203.0.113.7', 'rl-a5');
    assert.equal(still.status, 429);
    assert.equal(still.headers.get('retry-after'), '30');
    clock += 30_000;
    assert.equal((await from('203.0.113.7', 'rl-a6')).status, 201, 'a new window');

    // One log line per client and window, not one per refused request.
    assert.equal(logs.filter((l) => l.includes('rate limit: 203.0.113.7')).length, 1);
  });

  it('a client address with a port or a zone id is its own client, not "unknown"', async (t) => {
    const shop = await startShop(t, {
      checkout: { rateLimit: { requests: 1, windowMs: 60_000 }, trustProxy: true },
    });
    const from = (forwarded: string, ref: string): Promise<number> =>
      shop
        .post('/payments', { payload: shop.payload(ref) }, { 'X-Forwarded-For': forwarded })
        .then((r) => r.status);
    assert.equal(await from('1.2.3.4:5678', 'rl-port-1'), 201);
    assert.equal(await from('1.2.3.4:9999', 'rl-port-2'), 429, 'the same client, another port');
    assert.equal(await from('fe80::1%eth0', 'rl-zone-1'), 201, 'another client');
    assert.equal(await from('fe80::2%eth1', 'rl-zone-2'), 429, 'the same /64');
    assert.equal(await from('[2001:db8::1]:443', 'rl-bracket-1'), 201, 'another client');
    // Gate got the address itself, without the port.
    assert.equal((await shop.store.getPayment('rl-port-1'))!.customer.ip_address, '1.2.3.4');
    assert.equal((await shop.store.getPayment('rl-zone-1'))!.customer.ip_address, 'fe80::1');
  });

  it('the default: 20 starts per minute from one address', async (t) => {
    const shop = await startShop(t);
    const page = (ref: string): Promise<number> =>
      shop
        .post('/payments', { payload: shop.payload(ref, { mode: 'payment-page' }) })
        .then((r) => r.status);
    for (let i = 0; i < 20; i++) assert.equal(await page(`rl-default-${i}`), 201);
    assert.equal(await page('rl-default-20'), 429);
  });

  it('memory stays bounded, and windows that ran out are dropped without a timer', () => {
    let now = 0;
    const limiter = new RateLimiter({ requests: 2, windowMs: 1000, maxClients: 100 });
    for (let i = 0; i < 5000; i++) limiter.hit(`client-${i}`, now);
    assert.equal(limiter.size, 100);
    // The newest clients are the ones kept, still counted.
    limiter.hit('client-4999', now);
    assert.equal(limiter.hit('client-4999', now).ok, false);
    now += 1000;
    assert.equal(limiter.hit('late', now).ok, true);
    assert.equal(limiter.size, 1, 'every run-out window dropped on the next request');
    assert.equal(rateKey('2001:db8::1'), rateKey('2001:0db8:0:0:ffff::2'));
    assert.notEqual(rateKey('2001:db8::1'), rateKey('2001:db8:0:1::1'));
    assert.equal(rateKey(undefined), 'unknown');
  });
});

describe("tokens: a payment's stream, status and link answer to its own token only", () => {
  it('every wrong token, on every route, for every payment: no read succeeds', async (t) => {
    let clock = Date.now();
    const shop = await startShop(t, { checkout: { rateLimit: false, now: () => clock } });
    const a = await shop.start('tok-a');
    const b = await shop.start('tok-b');
    const pageStart = await shop.post('/payments', {
      payload: shop.payload('tok-c', { mode: 'payment-page' }),
    });
    assert.equal(pageStart.status, 201);
    const c = pageStart.body as Created;
    await shop.sandbox.control.approve(PROJECT_ID, 'tok-b');
    await shop.sandbox.control.settled();

    // Tokens rotate: each start of the same payload adds one, the oldest goes past TOKENS_KEPT
    // (a.token: no page uses it). At most `perWindow` are issued a minute: the clock moves on.
    let latestA = a;
    for (let i = 0; i < TOKENS_KEPT; i++) {
      if (i > 0 && i % (DEFAULT_TOKEN_RULES.perWindow - 1) === 0) {
        clock += DEFAULT_TOKEN_RULES.windowMs;
      }
      latestA = await shop.start('tok-a');
    }
    assert.equal(latestA.paymentId, 'tok-a');
    const rotated = a.token;

    // At rest, only hashes: a copy of the store opens nothing.
    const record = JSON.stringify(await shop.store.getPayment('tok-a'));
    assert.ok(!record.includes(latestA.token));

    const right = new Map<string, string>([
      ['tok-a', latestA.token],
      ['tok-b', b.token],
      ['tok-c', c.token],
    ]);
    type Route = (id: string, token: string | undefined) => Promise<number>;
    const read = async (url: string, headers: Record<string, string> = {}): Promise<number> => {
      const response = await fetch(url, { headers });
      await response.body?.cancel();
      return response.status;
    };
    const query = (token: string | undefined): string =>
      token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
    const bearer = (token: string | undefined): Record<string, string> =>
      token === undefined ? {} : { Authorization: `Bearer ${token}` };
    const path = (id: string): string => `${shop.api}/payments/${encodeURIComponent(id)}`;
    const routes: Record<string, Route> = {
      'status ?token': (id, token) => read(`${path(id)}${query(token)}`),
      'status Bearer': (id, token) => read(path(id), bearer(token)),
      'events ?token': (id, token) => read(`${path(id)}/events${query(token)}`),
      'events Bearer': (id, token) => read(`${path(id)}/events`, bearer(token)),
      'payment-page link': (id, token) =>
        shop.post('/payment-page', { paymentId: id, token: token ?? '' }).then((r) => r.status),
    };

    const wrongTokensFor = (id: string): (string | undefined)[] => {
      const own = right.get(id) ?? latestA.token;
      const others = [...right].filter(([other]) => other !== id).map(([, token]) => token);
      return [
        undefined,
        '',
        'x',
        'null',
        'A'.repeat(43),
        '%00',
        'x'.repeat(5000),
        ...others,
        rotated,
        `${own}x`,
        own.slice(0, -1),
        own.toUpperCase() === own ? own.toLowerCase() : own.toUpperCase(),
        createHash('sha256').update(own).digest('hex'), // the stored form of the right token
      ];
    };

    for (const id of ['tok-a', 'tok-b', 'tok-c', 'tok-A', 'tok-a~2', 'unknown']) {
      for (const [name, route] of Object.entries(routes)) {
        for (const token of wrongTokensFor(id)) {
          figures.unauthorisedTried++;
          const status = await route(id, token);
          if (status < 300) figures.unauthorisedSucceeded++;
          assert.ok(
            status === 401 || status === 403 || (status === 400 && name === 'payment-page link'),
            `${name} of ${id} with ${String(token).slice(0, 20)}: ${status}`,
          );
        }
      }
    }
    // The right tokens are answered: the same checks would notice a route that refused all.
    for (const [id, token] of right) {
      for (const [name, route] of Object.entries(routes)) {
        figures.authorisedReads++;
        const status = await route(id, token);
        const expected = name === 'payment-page link' && id !== 'tok-c' ? 409 : 200;
        assert.equal(status, expected, `${name} of ${id} with its token`);
      }
    }
    assert.equal(figures.unauthorisedSucceeded, 0);
  });
});

describe('tokens: re-POSTs of the payload by someone else', () => {
  const tokenFigures = figures;

  it("never push out the token the shopper's page uses; re-issues are capped and rate-limited", async (t) => {
    let clock = Date.now();
    const shop = await startShop(t, {
      sandbox: { qrTimeoutSeconds: 3600 },
      checkout: { rateLimit: false, now: () => clock },
    });
    const shopper = await shop.start('tok-others');
    const page = followPayment(eventsUrl(shop, shopper), { initial: shopper.state });
    t.after(() => page.close());
    await page.waitForStatus('awaiting-customer');

    // Others have the page's payload: they POST it again and again, and use half of what they
    // get at once (their own pages), so those are in use too.
    const payload = shop.payload('tok-others');
    const used = new Set<string>([shopper.token]);
    const unused: string[] = [];
    const refused = { rate: 0, full: 0 };
    for (let i = 0; i < 100; i++) {
      tokenFigures.rePosts++;
      const answer = await shop.post('/payments', { payload });
      if (answer.status === 429) {
        assert.equal(answer.body.error.code, 'too-many-tokens');
        const seconds = Number(answer.headers.get('retry-after'));
        assert.ok(seconds >= 1, 'Retry-After');
        if (/short time/.test(answer.body.error.message)) {
          refused.rate++;
          clock += seconds * 1000;
        } else {
          refused.full++;
        }
        continue;
      }
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const created = answer.body as Created;
      assert.equal(created.paymentId, 'tok-others');
      if (i % 2 === 0) {
        assert.equal((await shop.get(statusPath(created))).status, 200);
        used.add(created.token);
      } else {
        unused.push(created.token);
      }
    }
    const opens = async (token: string): Promise<boolean> =>
      (await shop.get(statusPath({ paymentId: 'tok-others', token }))).status === 200;
    for (const token of used) if (!(await opens(token))) tokenFigures.evictedInUse++;
    assert.equal(tokenFigures.evictedInUse, 0, 'a token in use was pushed out');
    // The rules were at work: unused tokens went, and re-issues were refused both ways.
    assert.ok(!(await opens(unused[0])), 'the oldest unused token was pushed out');
    assert.ok(refused.rate > 0 && refused.full > 0, JSON.stringify(refused));
    assert.ok((await shop.store.getPayment('tok-others'))!.tokenHashes.length <= TOKENS_KEPT);

    // The shopper's page never noticed: its stream is the one it opened, and it gets the result.
    await shop.sandbox.control.approve(PROJECT_ID, 'tok-others');
    await page.waitForStatus('success');
    assert.equal(page.connections, 1);
    assert.equal(page.failures, 0);
  });

  it('an unknown payment and a wrong token take one path: one read, the same comparisons, no write', async (t) => {
    const calls: string[] = [];
    const memory = new MemoryStore();
    const store = new Proxy(memory, {
      get(target, name) {
        const value = Reflect.get(target, name, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(name));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    let clock = Date.now();
    const shop = await startShop(t, { store, checkout: { now: () => clock } });
    const created = await shop.start('tok-path');
    // A few tokens: the work for a wrong one must not grow with them.
    for (let i = 0; i < 3; i++) await shop.start('tok-path');
    const stream = await openSse(eventsUrl(shop, created));
    await stream.waitFor((events) => events.some((e) => e.data.includes('awaiting-customer')));
    await stream.close();
    await shop.sandbox.control.settled();

    const compared = mock.method(crypto, 'timingSafeEqual');
    t.after(() => compared.mock.restore());
    const wrong = 'W'.repeat(43);
    const trace = async (id: string, suffix = ''): Promise<unknown> => {
      calls.length = 0;
      compared.mock.resetCalls();
      const response = await fetch(`${shop.api}/payments/${id}${suffix}?token=${wrong}`);
      return {
        status: response.status,
        body: await response.text(),
        calls: [...calls],
        comparisons: compared.mock.callCount(),
      };
    };
    for (const suffix of ['', '/events']) {
      const unknown = await trace('no-such-payment', suffix);
      const wrongToken = await trace('tok-path', suffix);
      assert.deepEqual(unknown, wrongToken);
      assert.deepEqual(unknown, {
        status: 403,
        body: JSON.stringify({
          error: { code: 'forbidden', message: 'No payment with this id and token.' },
        }),
        calls: ['getPayment'],
        comparisons: TOKENS_KEPT,
      });
    }
    // The right token: the same read and comparisons, then its use recorded, once a minute.
    calls.length = 0;
    assert.equal((await shop.get(statusPath(created))).status, 200);
    assert.deepEqual(calls, ['getPayment'], 'used by the stream a moment ago');
    clock += 60_000;
    calls.length = 0;
    assert.equal((await shop.get(statusPath(created))).status, 200);
    assert.deepEqual(calls, ['getPayment', 'touchToken']);
  });
});

describe('what never leaves the server', () => {
  it('no secret key in any answer, SSE frame or log line; no card-holder details in logs', async (t) => {
    const WRONG_KEY = 'security-test-wrong-secret-key';
    const logs: string[] = [];
    const sandboxLogs: string[] = [];
    const responses: string[] = [];
    const frames: string[] = [];
    const log = (message: string, error?: unknown): void => {
      logs.push(error === undefined ? message : `${message} ${inspect(error, { depth: 8 })}`);
    };
    const shop = await startShop(t, {
      sandbox: { log: (line) => sandboxLogs.push(line) },
      checkout: { log, rateLimit: { requests: 60, windowMs: 60_000 } },
    });
    // A checkout with the wrong key for this project: Gate refuses its signature.
    const misconfigured = await startShop(t, {
      checkout: { log, secretKey: WRONG_KEY, rateLimit: false },
    });

    async function call(
      target: Shop,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; body: any }> {
      const response = await fetch(`${target.api}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', ...headers },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      responses.push(`${response.status} ${JSON.stringify([...response.headers])} ${text}`);
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* text */
      }
      return { status: response.status, body: parsed };
    }
    const start = async (
      target: Shop,
      ref: string,
      overrides: Parameters<Shop['payload']>[1] = {},
    ): Promise<Created> => {
      const answer = await call(target, 'POST', '/payments', {
        payload: target.payload(ref, overrides),
      });
      assert.ok(answer.status === 201 || answer.status === 200, JSON.stringify(answer.body));
      return answer.body as Created;
    };
    /** The payment's stream until `status`, every frame kept. */
    async function follow(created: Created, status: string, act?: () => Promise<unknown>) {
      const client = await openSse(eventsUrl(shop, created));
      responses.push(`${client.status} ${JSON.stringify([...client.headers])}`);
      await client.waitFor((events) => events.some((e) => e.data.includes('awaiting-customer')));
      await act?.();
      await client.waitFor((events) => events.some((e) => e.data.includes(`"${status}"`)));
      await client.close();
      for (const e of client.events) frames.push(`id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}`);
      frames.push(...client.comments);
    }

    // Whole payments: success, decline, time-out; their status and Payment Page answers.
    const ok = await start(shop, 'leak-ok');
    await follow(ok, 'success', () => shop.sandbox.control.approve(PROJECT_ID, 'leak-ok'));
    const no = await start(shop, 'leak-decline');
    await follow(no, 'decline', () => shop.sandbox.control.decline(PROJECT_ID, 'leak-decline'));
    const late = await start(shop, 'leak-expire');
    await follow(late, 'expired', () => shop.sandbox.control.expire(PROJECT_ID, 'leak-expire'));
    for (const p of [ok, no, late]) {
      await call(shop, 'GET', `/payments/${p.paymentId}?token=${p.token}`);
    }
    const page = await start(shop, 'leak-page', { mode: 'payment-page' });
    await call(shop, 'POST', '/payment-page', { paymentId: page.paymentId, token: page.token });
    await call(shop, 'POST', '/payment-page', { paymentId: ok.paymentId, token: ok.token });

    // Gate errors: a 503, and a signature Gate refuses (the wrong key).
    shop.sandbox.control.setFaults({ gateError: 503 });
    assert.equal(
      (await call(shop, 'POST', '/payments', { payload: shop.payload('leak-503') })).status,
      503,
    );
    shop.sandbox.control.setFaults({});
    const refused = await call(misconfigured, 'POST', '/payments', {
      payload: createPayload(order('leak-auth'), { secretKey: WRONG_KEY }),
    });
    assert.ok(refused.status >= 400, JSON.stringify(refused.body));
    // A payload without the customer's id: a configuration error, logged.
    const { id: _id, ...anonymous } = TEST_CUSTOMER;
    const noId = foreignPayload(orderFields('leak-no-id', { customer: anonymous }));
    assert.equal((await call(shop, 'POST', '/payments', { payload: noId })).status, 500);

    // Bad callbacks: forged, unsigned, another key, another project, unreadable, huge, not JSON.
    const forged = signedCallback('leak-ok', 'decline');
    forged.payment.sum.amount = 1;
    const { signature: _dropped, ...unsigned } = signedCallback('leak-ok', 'success');
    const { signature: _old, ...otherBody } = signedCallback('leak-ok', 'success');
    otherBody.project_id = PROJECT_ID + 1;
    const otherProject = { ...otherBody, signature: sign(otherBody, SECRET_KEY) };
    const unreadable = { project_id: PROJECT_ID, payment: { id: 'leak-ok' } };
    for (const body of [
      forged,
      unsigned,
      signedCallback('leak-ok', 'success', { key: WRONG_KEY }),
      otherProject,
      { ...unreadable, signature: sign(unreadable, SECRET_KEY) },
      { ...signedCallback('leak-ok', 'success'), pad: 'x'.repeat(70_000) },
      '{"not json',
      '',
    ]) {
      assert.notEqual((await call(shop, 'POST', '/callback', body)).status, 500);
    }
    // Bad payloads and bodies, refused origins, routes that do not exist.
    const payload = shop.payload('leak-bad');
    const [head, mac] = payload.split('.');
    for (const body of [
      { payload: `${head}.${mac.slice(1)}x` },
      {
        payload: createPayload(order('leak-old'), {
          secretKey: SECRET_KEY,
          ttlSeconds: 60,
          now: Date.now() - 3600_000,
        }),
      },
      { payload: createPayload(order('leak-foreign'), { secretKey: WRONG_KEY }) },
      { payload: 'garbage' },
      { payload, amount: 1 },
      { payload, customer: { phone: '+86 1' } },
      { payload, extra: true },
      '[1, 2]',
      '{',
    ]) {
      assert.ok((await call(shop, 'POST', '/payments', body)).status >= 400);
    }
    await call(shop, 'POST', '/payments', { payload }, { Origin: FOREIGN });
    await call(shop, 'POST', '/payments', 'payload', { 'Content-Type': 'text/plain' });
    await call(shop, 'GET', '/payments');
    await call(shop, 'GET', '/nowhere');
    await call(shop, 'GET', `/payments/leak-ok?token=wrong`);
    await call(shop, 'GET', `/payments/%E0%A4%A/events?token=x`);
    await shop.sandbox.control.settled();

    const secrets = [SECRET_KEY, WRONG_KEY].flatMap((key) => {
      const derived = payloadKeyOf({ secretKey: key });
      const raw = Buffer.from(key, 'utf8');
      return [
        key,
        raw.toString('base64'),
        raw.toString('hex'),
        derived.toString('hex'),
        derived.toString('base64'),
        derived.toString('base64url'),
      ];
    });
    const cardholder = [
      TEST_CUSTOMER.phone,
      TEST_CUSTOMER.email,
      TEST_CUSTOMER.first_name,
      TEST_CUSTOMER.last_name,
      TEST_CUSTOMER.street,
    ];
    const leaks = (texts: string[], needles: string[]): string[] =>
      texts.flatMap((text) =>
        needles.filter((n) => text.includes(n)).map((n) => `${n} in ${text.slice(0, 300)}`),
      );

    // The scanner itself finds a key and a detail where there is one.
    assert.equal(leaks([`{"k":"${derivedHex(SECRET_KEY)}"}`], secrets).length, 1);
    assert.equal(leaks([`phone=${TEST_CUSTOMER.phone}`], cardholder).length, 1);
    figures.responses += responses.length;
    figures.sseFrames += frames.length;
    figures.logLines += logs.length;
    figures.sandboxLogLines += sandboxLogs.length;
    const secretLeaks = leaks([...responses, ...frames, ...logs, ...sandboxLogs], secrets);
    const cardholderLeaks = leaks(logs, cardholder);
    figures.secretLeaks += secretLeaks.length;
    figures.cardholderLeaks += cardholderLeaks.length;
    // The scan saw what it should: frames with the QR, refused callbacks and Gate errors logged.
    assert.ok(frames.some((f) => f.includes('awaiting-customer')));
    assert.ok(logs.some((l) => l.startsWith('callback refused')));
    assert.ok(logs.some((l) => l.includes('leak-503')));
    assert.ok(
      responses.some((r) => r.includes(TEST_CUSTOMER.phone)),
      'the scan reads bodies',
    );
    assert.deepEqual(secretLeaks, []);
    assert.deepEqual(cardholderLeaks, []);
  });
});
