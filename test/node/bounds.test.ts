// Everything a client can hold is bounded, over real HTTP: the time a body may take to arrive
// (through the Node bridge and for a Web Request), the streams of one client address, a
// stream's lifetime (the follower reconnects and misses nothing), and the log lines that
// refused requests and outside text make.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { createCheckout } from '../../src/server/checkout.js';
import { MAX_LOGGED_TEXT } from '../../src/shared/log-text.js';
import { RefusalLog } from '../../src/server/refusal-log.js';
import { MemoryStore } from '../../src/server/stores/memory.js';
import { eventually } from '../helpers/eventually.js';
import { followPayment, openSse, type SseClient } from '../helpers/sse-client.js';
import { eventsUrl, PROJECT_ID, startShop, type Created, type Shop } from '../helpers/toolkit.js';

/** What a raw connection received, once the server closed it. */
interface RawExchange {
  status: number;
  text: string;
}

/**
 * A POST whose body dribbles in a byte every `everyMs` over a raw socket, as a slow-loris
 * client sends it; resolves with what came back once the server closes the connection. After
 * `bytes` bytes the body is complete (an unfinished JSON object: 400 if it is all read).
 */
function trickle(port: number, path: string, bytes = 200, everyMs = 50): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    let received = '';
    let sent = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    const socket: Socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${bytes}\r\n\r\n{`,
      );
      sent = 1;
      timer = setInterval(() => {
        if (sent >= bytes || socket.destroyed) return;
        socket.write(' ');
        sent++;
      }, everyMs);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {
      /* a reset after the answer counts as closed */
    });
    socket.on('close', () => {
      clearInterval(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      if (!status) reject(new Error(`no answer before the close: ${JSON.stringify(received)}`));
      else resolve({ status, text: received });
    });
  });
}

/** Starts a payment as the client at `ip` (the test's proxy header). */
async function startAs(shop: Shop, ref: string, ip: string): Promise<Created> {
  const answer = await shop.post(
    '/payments',
    { payload: shop.payload(ref) },
    { 'x-client-ip': ip },
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body as Created;
}

describe('a body has a deadline', () => {
  it('50 trickled bodies through the Node bridge: each 408 request-timeout, its connection closed', async (t) => {
    const logs: string[] = [];
    const shop = await startShop(t, {
      checkout: { bodyTimeoutMs: 300, rateLimit: false, log: (line) => logs.push(line) },
    });
    const paths = ['/cup-qr/payments', '/cup-qr/callback', '/cup-qr/payment-page'];
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => trickle(shop.port, paths[i % paths.length])),
    );
    for (const answer of answers) {
      assert.equal(answer.status, 408, answer.text);
      assert.match(answer.text, /\r\nconnection: close\r\n/i);
      assert.match(answer.text, /"code":"request-timeout"/);
    }
    // The server still answers, and the refusals made a few log lines, not fifty.
    assert.equal((await shop.get('/payments/none?token=x')).status, 403);
    const timeouts = logs.filter((l) => l.includes('request body took over'));
    assert.equal(timeouts.length, 10);
    await shop.checkout.close();
    assert.ok(
      logs.includes('40 more refused (request-timeout) within 60 s, not logged one by one'),
    );
  });

  it('a Web Request whose body stalls: 408, and the body is cancelled', async () => {
    const checkout = createCheckout({
      projectId: PROJECT_ID,
      secretKey: 'bounds-test-secret-key',
      publicUrl: 'https://shop.example',
      store: new MemoryStore(),
      bodyTimeoutMs: 100,
    });
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"payload":'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request('https://shop.example/cup-qr/payments', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    const response = await checkout.fetch(request, { remoteAddress: '203.0.113.1' });
    assert.equal(response.status, 408);
    assert.equal(response.headers.get('connection'), 'close');
    assert.equal((await response.json()).error.code, 'request-timeout');
    assert.ok(cancelled, 'the body stream was cancelled');
    await checkout.close();
  });

  it('a body that arrives in time is read, however it is cut', async (t) => {
    const shop = await startShop(t, { checkout: { bodyTimeoutMs: 5_000 } });
    const answer = await trickle(shop.port, '/cup-qr/payments', 20, 1);
    assert.equal(answer.status, 400, 'read to its end: an unfinished JSON object');
    assert.match(answer.text, /"code":"bad-request"/);
  });
});

describe('streams of one client', () => {
  it('are capped by its address (IPv6 by /64): 429 too-many-streams, other clients go on', async (t) => {
    const shop = await startShop(t, {
      checkout: {
        streams: { maxPerClient: 3 },
        trustProxy: { header: 'x-client-ip' },
        rateLimit: false,
      },
    });
    const a = await startAs(shop, 'cap-a', '198.51.100.1');
    const b = await startAs(shop, 'cap-b', '198.51.100.1');
    const from = (created: Created, ip: string): Promise<SseClient> =>
      openSse(eventsUrl(shop, created), { 'x-client-ip': ip });
    const open = [
      await from(a, '2001:db8:7:7::1'),
      await from(a, '2001:db8:7:7::2'),
      await from(b, '2001:db8:7:7:ffff::3'),
    ];
    assert.ok(open.every((c) => c.status === 200));
    const refused = await fetch(eventsUrl(shop, b), {
      headers: { 'x-client-ip': '2001:db8:7:7::9' },
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '5');
    const error = (await refused.json()).error;
    assert.equal(error.code, 'too-many-streams');
    assert.match(error.message, /from this address/);
    // Another address (another /64) is not affected; one stream closed makes room again.
    const other = await from(b, '2001:db8:7:8::1');
    assert.equal(other.status, 200);
    await open[0].close();
    await other.close();
    await eventually(() => shop.checkout.stats.streams === 2, 'the closed streams released');
    const again = await from(b, '2001:db8:7:7::9');
    assert.equal(again.status, 200);
    await Promise.all([...open.slice(1), again].map((c) => c.close()));
  });
});

describe('a stream has a lifetime', () => {
  it('ends cleanly after it; the follower reconnects with Last-Event-ID and misses nothing', async (t) => {
    const shop = await startShop(t, {
      checkout: { streams: { maxLifetimeMs: 1, heartbeatMs: 40 } },
    });
    const created = await shop.start('life-1');
    const first = await openSse(eventsUrl(shop, created));
    await first.ended;
    assert.equal(first.retry, 250, 'a short retry: the browser comes back at once');
    assert.ok(first.events.length >= 1, 'the state was sent before the end');

    const follower = followPayment(eventsUrl(shop, created), { initial: created.state });
    t.after(() => follower.close());
    await follower.waitForStatus('awaiting-customer');
    // Let it live through a few lifetimes before the result.
    await eventually(
      () => follower.connections >= 4 || follower.failures > 0,
      'four connections of the follower',
      20_000,
    );
    await shop.sandbox.control.approve(PROJECT_ID, 'life-1');
    await follower.stopped;
    assert.equal(follower.failures, 0);
    assert.ok(follower.connections >= 4, `${follower.connections} connections`);
    assert.deepEqual(
      follower.accepted.map((s) => s.status),
      ['pending', 'awaiting-customer', 'success'],
    );
    // A reconnect with the state it has gets nothing again: one event per seq in all.
    const seqs = follower.received.map((s) => s.seq);
    assert.deepEqual(seqs, [...new Set(seqs)]);
  });
});

describe('log lines', () => {
  it('outside text is cut and escaped: a long path in a failed request', async (t) => {
    const logs: string[] = [];
    const memory = new MemoryStore();
    const failing = new Proxy(memory, {
      get(target, name) {
        const value = Reflect.get(target, name, target) as unknown;
        if (name === 'getPayment') {
          return async (id: string) => {
            if (id.length > 1000) throw new Error('store down');
            return memory.getPayment(id);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const shop = await startShop(t, {
      store: failing,
      checkout: { log: (line) => logs.push(line) },
    });
    const long = `${'x'.repeat(3000)}%E2%80%A8`;
    assert.equal((await shop.get(`/payments/${long}?token=t`)).status, 500);
    const line = logs.find((l) => l.endsWith(' failed'));
    assert.ok(line, JSON.stringify(logs));
    assert.ok(line.length < MAX_LOGGED_TEXT + 100, `${line.length} characters`);
    assert.match(line, /^GET \/cup-qr\/payments\/x+… \(\d+ characters\) failed$/);
  });

  it('refused requests: 10 lines a minute per reason, then one line with the count', async (t) => {
    let clock = Date.now();
    const logs: string[] = [];
    const shop = await startShop(t, {
      checkout: {
        now: () => clock,
        rateLimit: { requests: 1, windowMs: 60_000 },
        trustProxy: { header: 'x-client-ip' },
        log: (line) => logs.push(line),
      },
    });
    const page = (ip: string, ref: string): Promise<number> =>
      shop
        .post('/payments', { payload: shop.payload(ref) }, { 'x-client-ip': ip })
        .then((r) => r.status);
    // 100 clients, each over its limit once.
    for (let i = 0; i < 100; i++) {
      const ip = `203.0.113.${i}`;
      assert.equal(await page(ip, `lr-${i}`), 201);
      assert.equal(await page(ip, `lr-${i}-again`), 429);
    }
    const limited = (): string[] => logs.filter((l) => l.startsWith('rate limit: '));
    assert.equal(limited().length, 10);
    // The next minute: the count of the last one first, then lines again.
    clock += 60_000;
    assert.equal(await page('203.0.113.0', 'lr-next'), 201);
    assert.equal(await page('203.0.113.0', 'lr-next-again'), 429);
    assert.ok(logs.includes('90 more refused (rate-limited) within 60 s, not logged one by one'));
    assert.equal(limited().length, 11);
  });

  it('RefusalLog: per reason, per window, and flush() tells what is left', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new RefusalLog(
      (line) => lines.push(line),
      () => now,
      2,
      1000,
    );
    for (let i = 0; i < 5; i++) log.note('a', `a${i}`);
    log.note('b', 'b0');
    assert.deepEqual(lines, ['a0', 'a1', 'b0']);
    now = 1000;
    log.note('a', 'a5');
    assert.deepEqual(lines.slice(3), [
      '3 more refused (a) within 1 s, not logged one by one',
      'a5',
    ]);
    log.note('a', 'a6');
    log.note('a', 'a7');
    log.flush();
    log.flush();
    assert.deepEqual(lines.slice(5), [
      'a6',
      '1 more refused (a) within 1 s, not logged one by one',
    ]);
  });
});

describe('limit options', () => {
  it('a limit that is not a whole positive number, or not a limit, fails at start-up', () => {
    const base = {
      projectId: 1,
      secretKey: 'bounds-test-secret-key',
      publicUrl: 'https://shop.example',
      store: new MemoryStore(),
    };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ bodyTimeoutMs: 0 }, /bodyTimeoutMs must be a whole number/],
      [{ bodyTimeoutMs: 2 ** 31 }, /bodyTimeoutMs/],
      [{ streams: { maxPerClient: 0 } }, /streams\.maxPerClient/],
      [{ streams: { maxLifetimeMs: 1.5 } }, /streams\.maxLifetimeMs/],
      [{ streams: { heartbeatMs: Infinity } }, /streams\.heartbeatMs/],
      [{ streams: { maxPerIp: 3 } }, /streams\.maxPerIp is not a stream limit/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => createCheckout({ ...base, ...options } as never),
        (error: Error) => error instanceof TypeError && message.test(error.message),
        JSON.stringify(options),
      );
    }
  });
});
