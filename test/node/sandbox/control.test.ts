// The HTTP control API under /sandbox/ (the twin of sandbox.control), the bank-app page over
// plain HTTP (forms, escaping, CSP, a second outcome refused), and close() leaving nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSandbox } from '../../../src/sandbox/index.js';
import { statusOf } from '../../helpers/receiver.js';
import { PROJECT_ID, saleBody, SECRET_KEY, setup, signed } from '../../helpers/sandbox.js';

async function call(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    ...(body !== undefined
      ? {
          headers: { 'Content-Type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }
      : {}),
  });
  return { status: response.status, body: await response.json() };
}

describe('sandbox control over HTTP', () => {
  it('reads, approves, declines and expires payments; refuses what it cannot do', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    const base = `${sandbox.url}/sandbox/payments/${PROJECT_ID}`;
    await sale('order 1/a'); // an id that needs URL encoding
    await sale('order-2');
    await sale('order-3');

    const one = await call('GET', `${base}/${encodeURIComponent('order 1/a')}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.status, 'awaiting customer action');
    assert.equal(one.body.paymentId, 'order 1/a');
    assert.equal((await call('GET', `${base}/nope`)).status, 404);
    assert.equal((await call('GET', `${sandbox.url}/sandbox/payments`)).body.length, 3);

    const approved = await call('POST', `${base}/${encodeURIComponent('order 1/a')}/approve`);
    assert.deepEqual(
      [approved.status, approved.body.status, approved.body.code],
      [200, 'success', '0'],
    );
    const again = await call('POST', `${base}/${encodeURIComponent('order 1/a')}/decline`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');

    const declined = await call('POST', `${base}/order-2/decline`, {
      code: '20105',
      message: 'Declined by issuer',
    });
    assert.deepEqual(
      [declined.body.status, declined.body.code, declined.body.message],
      ['decline', '20105', 'Declined by issuer'],
    );
    const expired = await call('POST', `${base}/order-3/expire`);
    assert.deepEqual([expired.body.code, expired.body.message], ['20602', 'Time-out']);
    assert.equal((await call('POST', `${base}/nope/approve`)).status, 404);
    assert.equal((await call('POST', `${base}/order-2/decline`, '{bad')).status, 400);

    assert.deepEqual(await call('GET', `${sandbox.url}/sandbox/settled`), {
      status: 200,
      body: { settled: true },
    });
    assert.equal(receiver.received.length, 6);
    assert.ok(receiver.received.every((c) => c.verified));
    const deliveries = await call('GET', `${sandbox.url}/sandbox/deliveries`);
    assert.equal(deliveries.body.length, 6);
    assert.deepEqual(deliveries.body, sandbox.control.deliveries());
    assert.deepEqual((await call('GET', `${sandbox.url}/sandbox/sale-requests`)).body, {
      saleRequests: 3,
    });
  });

  it('sets faults over HTTP, scoped, and refuses bad ones', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    const faults = `${sandbox.url}/sandbox/faults`;
    const set = await call('PUT', faults, {
      faults: { duplicateCallbacks: 1 },
      scope: { paymentId: 'order-4' },
    });
    assert.deepEqual(set, { status: 200, body: { ok: true } });
    await sale('order-4');
    await sale('order-5');
    await sandbox.control.settled();
    assert.deepEqual(receiver.received.map((c) => (c.body.payment as any).id).sort(), [
      'order-4',
      'order-4',
      'order-5',
    ]);
    const bad = await call('PUT', faults, { faults: { gateError: 200 } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /500 to 599/);
    assert.equal(
      (await call('PUT', faults, { faults: {}, scope: { projectId: 'x' } })).status,
      400,
    );
    assert.equal((await call('GET', `${sandbox.url}/sandbox/nothing`)).status, 404);
  });
});

describe('sandbox bank-app page over HTTP', () => {
  it('is behind an unguessable per-payment URL, escapes what it shows, has a strict CSP', async (t) => {
    const { sandbox, sale } = await setup(t);
    const body = saleBody('order-6');
    body.payment.description = '<img src=x onerror=alert(1)> & "键盘"';
    await sale('order-6', signed(body));
    await sale('order-7');
    const [a, b] = ['order-6', 'order-7'].map(
      (id) => sandbox.control.payment(PROJECT_ID, id)!.qrUrl,
    );
    assert.notEqual(a, b);
    const token = a.split('/bank/')[1];
    assert.match(token, /^[A-Za-z0-9_-]{22}$/, '128 random bits');
    assert.ok(!a.includes('order-6'), 'the URL does not reveal the payment');

    const page = await fetch(a);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await page.text();
    assert.match(html, /<html lang="zh-CN">/);
    assert.match(html, /name="viewport"/);
    assert.ok(!html.includes('<img src=x'), 'the description is escaped');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;键盘&quot;'));
    assert.ok(html.includes('¥300.00 CNY'));
    assert.ok(!/<script/i.test(html), 'no scripts');
    assert.equal((await fetch(`${sandbox.url}/bank/${'A'.repeat(22)}`)).status, 404);
    const css = await fetch(`${sandbox.url}/assets/sandbox.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    await css.text();
  });

  it('Approve posts, redirects back and shows the outcome; a second outcome is refused', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    await sale('order-8');
    const url = sandbox.control.payment(PROJECT_ID, 'order-8')!.qrUrl;
    const approve = await fetch(`${url}/approve`, { method: 'POST', redirect: 'manual' });
    assert.equal(approve.status, 303);
    assert.equal(approve.headers.get('location'), new URL(url).pathname);
    const after = await (await fetch(url)).text();
    assert.match(after, /data-outcome="success"/);
    assert.ok(!after.includes('/approve"'), 'no buttons once decided');

    const second = await fetch(`${url}/decline`, { method: 'POST', redirect: 'manual' });
    assert.equal(second.status, 409);
    assert.match(await second.text(), /second outcome is refused/);
    assert.equal(sandbox.control.payment(PROJECT_ID, 'order-8')!.status, 'success');
    await sandbox.control.settled();
    assert.deepEqual(
      receiver.received.map((c) => statusOf(c.body)),
      ['awaiting customer action', 'success'],
    );
    assert.equal((await fetch(`${url}/approve`)).status, 405);
  });
});

describe('sandbox close()', () => {
  it('stops timers, pending retries, hanging answers and the server', async () => {
    const count = (type: string): number =>
      process.getActiveResourcesInfo().filter((resource) => resource === type).length;
    const timersBefore = count('Timeout');
    const serversBefore = count('TCPServerWrap');
    const sandbox = await startSandbox({
      port: 0,
      projects: [
        { id: PROJECT_ID, secretKey: SECRET_KEY, callbackUrl: 'http://127.0.0.1:9/unreachable' },
      ],
      retryDelaysMs: [60_000],
    });
    sandbox.control.setFaults({ gateHang: true }, { paymentId: 'hung' });
    const hung = fetch(`${sandbox.url}/v2/payment/cup/qr/sale`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signed(saleBody('hung'))),
    }).catch((error: Error) => error);
    const reply = await fetch(`${sandbox.url}/v2/payment/cup/qr/sale`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signed(saleBody('order-9'))),
    });
    assert.equal(reply.status, 200);
    // The QR timeout (600 s) and a 60 s retry are now scheduled.
    assert.ok(count('Timeout') > timersBefore);
    const started = Date.now();
    await sandbox.close();
    assert.ok(Date.now() - started < 2000, 'close() does not wait for the timers');
    assert.ok((await hung) instanceof Error, 'the hanging answer was cut');
    assert.ok(count('TCPServerWrap') <= serversBefore, 'the server is closed');
    assert.ok(count('Timeout') <= timersBefore, 'no timer of the sandbox left');
    await sandbox.close(); // twice is fine
  });

  it('refuses wrong options at start', async () => {
    await assert.rejects(startSandbox({ port: 0, projects: [] }), /at least one/);
    await assert.rejects(
      startSandbox({ port: 0, projects: [{ id: 1, secretKey: '' }] }),
      /needs a secretKey/,
    );
    await assert.rejects(
      startSandbox({ port: 0, projects: [{ id: 1, secretKey: 'k', callbackUrl: 'ftp://x' }] }),
      /callbackUrl/,
    );
    await assert.rejects(
      startSandbox({ port: 0, projects: [{ id: 1, secretKey: 'k' }], timeScale: 0 }),
      /timeScale/,
    );
  });
});
