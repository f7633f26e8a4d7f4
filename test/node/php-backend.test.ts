// The PHP reference backend (backends/php/) served by `php -S` with PHP_CLI_SERVER_WORKERS,
// against a real sandbox: a whole payment over real SSE, the error table, the callback cases
// with real signatures, the Payment Page link, and what survives a restart of the server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { bundleElement } from '../../demo/bundle.js';
import { checkSignature } from '../../src/ecommpay/signature.js';
import { closedBeforeAnswer } from '../../src/conformance/http.js';
import { signCallback } from '../../src/sandbox/callbacks.js';
import { createPayload, payloadKeyOf, verifyPayload, type Order } from '../../src/server/index.js';
import { runBin } from '../helpers/bin.js';
import { launchChromium } from '../helpers/chromium.js';
import { TEST_CUSTOMER } from '../helpers/customer.js';
import { signedCallback } from '../helpers/toolkit.js';
import {
  PHP_PROJECT_ID,
  PHP_SECRET_KEY,
  startPhpBackend,
  type PhpBackend,
} from '../helpers/php-backend.js';
import { decodeQrPng } from '../helpers/qr-png.js';
import { openSse, type SseClient, type SseEvent } from '../helpers/sse-client.js';

const run = promisify(execFile);
const PHP_DIR = fileURLToPath(new URL('../../backends/php/', import.meta.url));

let backend: PhpBackend;
let orders = 0;

function order(overrides: Partial<Order> = {}): Order {
  return {
    ref: `php-${++orders}`,
    amount: 30000,
    description: '机械键盘',
    customer: { ...TEST_CUSTOMER },
    returnUrl: 'https://shop.example/thanks',
    ...overrides,
  };
}

const payloadOf = (o: Order): string => createPayload(o, { secretKey: PHP_SECRET_KEY });

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function call(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const send = (): Promise<Response> =>
    fetch(`${backend.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'Content-Type': 'application/json', ...init.headers },
      body:
        init.body === undefined
          ? undefined
          : typeof init.body === 'string'
            ? init.body
            : JSON.stringify(init.body),
    });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // After a restart, fetch may pick a kept-alive connection the old server closed (before
    // the request was written): sent again on a new one, as the conformance kit does.
    if (!closedBeforeAnswer(error)) throw error;
    response = await send();
  }
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) {
    body = JSON.parse(text);
  }
  return { status: response.status, headers: response.headers, body };
}

const start = (body: unknown, headers?: Record<string, string>): Promise<Reply> =>
  call('/cup-qr/payments', { body, headers });

function assertError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.error.code, code, JSON.stringify(reply.body));
  assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(reply.headers.get('cache-control'), 'no-store');
}

const eventsPath = (id: string, token: string): string =>
  `${backend.url}/cup-qr/payments/${encodeURIComponent(id)}/events?token=${token}`;

const GUARD_MS = 30_000;
const TERMINAL = ['success', 'decline', 'expired', 'error'];
const stateOf = (event: SseEvent): any => JSON.parse(event.data);
const isFinal = (state: { status: string }): boolean => TERMINAL.includes(state.status);

/**
 * A payment's events as `EventSource` follows them, until one satisfies `done` (default: a
 * final state): a stream that ends before (the server may end one early, with `retry: 250`;
 * under `php -S` it does when a request waits behind it) is opened again with `Last-Event-ID`.
 */
async function follow(
  paymentId: string,
  token: string,
  done: (state: any) => boolean = isFinal,
  first?: SseClient,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  let sse = first ?? (await openSse(eventsPath(paymentId, token)));
  for (let opened = 1; ; opened++) {
    assert.equal(sse.status, 200);
    await sse.waitFor(
      (seen) => sse.isEnded() || seen.some((e) => done(stateOf(e))),
      'a state or the end of the stream',
      GUARD_MS,
    );
    events.push(...sse.events);
    await sse.close();
    if (events.some((e) => done(stateOf(e)))) return events;
    assert.ok(opened < 20, 'the stream kept ending before the state came');
    const last = events.at(-1)?.id;
    sse = await openSse(eventsPath(paymentId, token), last ? { 'Last-Event-ID': last } : {});
  }
}

/** The first comment line of a stream of a live payment (reopened if one ends first). */
async function heartbeat(paymentId: string, token: string, lastSeq: number): Promise<string> {
  for (let opened = 1; ; opened++) {
    const sse = await openSse(eventsPath(paymentId, token), { 'Last-Event-ID': String(lastSeq) });
    await sse.waitFor(() => sse.comments.length > 0 || sse.isEnded(), 'a comment', GUARD_MS);
    await sse.close();
    if (sse.comments.length > 0) return sse.comments[0];
    assert.ok(opened < 20, 'the stream kept ending before a heartbeat');
  }
}

/** A payment started and its first QR code seen on the stream. */
async function awaitingCustomer(o = order()): Promise<{ paymentId: string; token: string }> {
  const created = await start({ payload: payloadOf(o) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { paymentId, token } = created.body;
  await follow(paymentId, token, (state) => state.status === 'awaiting-customer');
  return { paymentId, token };
}

/** A callback for one of this backend's payments, signed as the platform signs it. */
const callback = (paymentId: string, status: string): Record<string, any> =>
  signedCallback(paymentId, status, { key: PHP_SECRET_KEY });

before(async () => {
  backend = await startPhpBackend({ CUPQR_SSE_HEARTBEAT_S: '1', CUPQR_START_LIMIT: '0' });
});

after(async () => {
  await backend?.close();
});

describe('the PHP backend: a whole payment', () => {
  it('starts, streams the QR code and the success, then closes the stream (SSE rules)', async () => {
    const created = await start({ payload: payloadOf(order()) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { paymentId, token, state } = created.body;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    // `pending`, or already `awaiting-customer` when the first callback beat Gate's answer.
    assert.ok(['pending', 'awaiting-customer'].includes(state.status), state.status);

    const sse = await openSse(eventsPath(paymentId, token));
    assert.equal(sse.status, 200);
    assert.equal(sse.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(sse.headers.get('cache-control'), 'no-cache, no-transform');
    const awaitingEvents = await follow(
      paymentId,
      token,
      (s) => s.status === 'awaiting-customer',
      sse,
    );
    assert.equal(sse.retry, 3000);
    const qr = awaitingEvents.find((e) => stateOf(e).status === 'awaiting-customer')!;
    assert.equal(qr.event, 'status');
    const awaiting = stateOf(qr);
    assert.equal(qr.id, String(awaiting.seq));
    assert.equal(awaiting.qr.timeoutSeconds, 600);
    assert.equal(awaiting.qr.expiresInSeconds, 600, 'seconds left are rounded up');
    assert.equal(await heartbeat(paymentId, token, awaiting.seq), 'ping');

    const ended = follow(paymentId, token);
    await backend.sandbox.control.approve(PHP_PROJECT_ID, paymentId);
    const success = stateOf((await ended).at(-1)!);
    assert.equal(success.status, 'success');
    assert.equal(success.code, '0');

    const status = await call(`/cup-qr/payments/${paymentId}?token=${token}`);
    assert.equal(status.status, 200);
    assert.deepEqual(status.body, success);

    const replay = await fetch(eventsPath(paymentId, token), {
      headers: { 'Last-Event-ID': String(success.seq) },
    });
    assert.equal(replay.status, 204, 'a client with the final state is told to stop');
    const resumed = await openSse(eventsPath(paymentId, token), { 'Last-Event-ID': '1' });
    await resumed.waitFor(() => resumed.isEnded(), 'the end of the stream', GUARD_MS);
    assert.deepEqual(
      resumed.events.map((e) => e.id),
      [String(success.seq)],
      'only what the client has not seen is replayed',
    );

    const again = await start({ payload: payloadOf({ ...order(), ref: paymentId }) });
    assert.equal(again.status, 200, 'a paid order answers with its success');
    assert.equal(again.body.state.status, 'success');
    assert.notEqual(again.body.token, token, 'with a new token');
  });

  it('a decline ends the attempt; the next POST starts ref~2 (the attempt counter)', async () => {
    const o = order();
    const { paymentId } = await awaitingCustomer(o);
    await backend.sandbox.control.decline(PHP_PROJECT_ID, paymentId);
    await backend.sandbox.control.settled();
    const next = await start({ payload: payloadOf(o) });
    assert.equal(next.status, 201, JSON.stringify(next.body));
    assert.equal(next.body.paymentId, `${o.ref}~2`);
  });
});

describe('the PHP backend: the error table', () => {
  it('routes, methods and content types', async () => {
    assertError(await call('/cup-qr/nothing'), 404, 'not-found');
    const wrongMethod = await call('/cup-qr/payments');
    assertError(wrongMethod, 405, 'method-not-allowed');
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    const head = await fetch(`${backend.url}/cup-qr/payments/x`, { method: 'HEAD' });
    assert.equal(head.status, 405);
    assert.equal(head.headers.get('allow'), 'GET');
    assertError(await start('{}', { 'Content-Type': 'text/plain' }), 415, 'unsupported-media-type');
    assertError(await start('{"payload":'), 400, 'bad-request');
    assertError(await start('[]'), 400, 'bad-request');
    const deep = '{"payload":' + '['.repeat(40) + ']'.repeat(40) + '}';
    assertError(await start(deep), 400, 'bad-request');
    const big = JSON.stringify({ payload: 'x'.repeat(70_000) });
    assertError(await start(big), 413, 'too-large');
    const bom = `\uFEFF${JSON.stringify({ payload: payloadOf(order()) })}`;
    const accepted = await start(bom, { 'Content-Type': 'application/merchant+json' });
    assert.equal(accepted.status, 201, 'a BOM and application/*+json are accepted');
  });

  it('payload checks', async () => {
    const payload = payloadOf(order());
    const [body, mac] = payload.split('.');
    assertError(await start({ payload: `${body}x.${mac}` }), 400, 'payload-invalid');
    assertError(await start({ payload: body }), 400, 'payload-invalid');
    assertError(await start({}), 400, 'payload-invalid');
    const stale = createPayload(order(), {
      secretKey: PHP_SECRET_KEY,
      now: Date.now() - 2 * 3600_000,
    });
    assertError(await start({ payload: stale }), 410, 'payload-expired');
    const other = createPayload(order(), { secretKey: 'another-key' });
    assertError(await start({ payload: other }), 400, 'payload-invalid');
  });

  it('the body may add only the open customer fields; rules with their ids', async () => {
    const { city: _city, phone: _phone, ...fixed } = TEST_CUSTOMER;
    const open = order({ customer: fixed });
    const payload = payloadOf(open);
    const fixedField = await start({ payload, customer: { email: 'x@example.com' } });
    assertError(fixedField, 400, 'field-fixed');
    assert.deepEqual(fixedField.body.error.fields, [
      { path: 'customer.email', message: 'fixed by the signed payload', rule: 'fixed' },
    ]);
    assertError(await start({ payload, amount: 1 }), 400, 'field-fixed');
    assertError(await start({ payload, mode: 'payment-page' }), 400, 'field-fixed');
    assertError(await start({ payload, extra: 1 }), 400, 'bad-request');
    const incomplete = await start({
      payload,
      customer: { city: '北京;payment:id:x', phone: '12' },
    });
    assertError(incomplete, 422, 'customer-incomplete');
    assert.deepEqual(
      incomplete.body.error.fields.map((f: { path: string; rule: string }) => [f.path, f.rule]),
      [
        ['customer.phone', 'phone'],
        ['customer.city', 'invalid-character'],
      ],
    );
    const tidied = await start({
      payload,
      customer: { city: ' 北京 ', phone: '+86 138-0013-8000' },
    });
    assert.equal(tidied.status, 201, JSON.stringify(tidied.body));
    const conflict = await start({ payload, customer: { city: '上海' } });
    assertError(conflict, 409, 'attempt-conflict');
    assert.deepEqual(conflict.body.error.fields[0].path, 'customer.city');
  });

  it('tokens: none, wrong, unknown payment', async () => {
    const { paymentId } = await awaitingCustomer();
    assertError(await call(`/cup-qr/payments/${paymentId}`), 401, 'token-required');
    assertError(await call(`/cup-qr/payments/${paymentId}?token=wrong`), 403, 'forbidden');
    assertError(await call('/cup-qr/payments/nobody?token=wrong'), 403, 'forbidden');
  });

  it('a browser Origin of another site is refused before the body is read', async () => {
    const reply = await start('not json', { Origin: 'https://evil.example' });
    assertError(reply, 403, 'origin-refused');
  });
});

describe('the PHP backend: callbacks', () => {
  const post = (body: unknown): Promise<Reply> => call('/cup-qr/callback', { body });

  it('bad signature, no signature, other project, not a callback', async () => {
    const { paymentId } = await awaitingCustomer();
    const good = callback(paymentId, 'success');
    const forged = { ...good, payment: { ...(good.payment as object), status: 'decline' } };
    assertError(await post(forged), 403, 'bad-signature');
    const { signature: _s, ...unsigned } = good;
    assertError(await post(unsigned), 403, 'bad-signature');
    assertError(await post({ hello: 'world' }), 400, 'bad-request');
    const other = signCallback({ ...unsigned, project_id: PHP_PROJECT_ID + 1 }, PHP_SECRET_KEY);
    assertError(await post(other), 400, 'wrong-project');
    const status = await call(
      `/cup-qr/payments/${paymentId}?token=${(await awaitingCustomer()).token}`,
    );
    assert.equal(status.status, 403, 'another payment’s token opens nothing');
  });

  it('an amount mismatch is an error; a terminal state is final; duplicates change nothing', async () => {
    const { paymentId, token } = await awaitingCustomer();
    const ended = follow(paymentId, token);
    const awaiting = callback(paymentId, 'awaiting customer action');
    assert.equal((await post(awaiting)).body, 'OK');
    const wrongSum = callback(paymentId, 'success');
    (wrongSum.payment as { sum: { amount: number } }).sum.amount = 1;
    const resigned = signCallback(wrongSum, PHP_SECRET_KEY);
    const answer = await post(resigned);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'OK');
    const error = stateOf((await ended).at(-1)!);
    assert.equal(error.status, 'error');
    assert.equal(error.code, 'amount-mismatch');
    assert.equal((await post(callback(paymentId, 'success'))).status, 200);
    assert.equal((await post(resigned)).status, 200, 'the same body again is answered 200');
    const after = await call(`/cup-qr/payments/${paymentId}?token=${token}`);
    assert.equal(after.body.status, 'error', 'terminal is final');
    assert.equal(after.body.seq, error.seq);
  });

  it('a decline with code 20602 is expired', async () => {
    const { paymentId, token } = await awaitingCustomer();
    await backend.sandbox.control.expire(PHP_PROJECT_ID, paymentId);
    await backend.sandbox.control.settled();
    const state = await call(`/cup-qr/payments/${paymentId}?token=${token}`);
    assert.equal(state.body.status, 'expired');
    assert.equal(state.body.code, '20602');
  });
});

describe('the PHP backend under php -S: a request accepted behind a stream', () => {
  let solo: PhpBackend;
  before(async () => {
    solo = await startPhpBackend({
      PHP_CLI_SERVER_WORKERS: '1',
      CUPQR_SSE_LIFETIME_S: '600',
      CUPQR_START_LIMIT: '0',
    });
  });
  after(async () => {
    await solo?.close();
  });

  it('is served: the stream ends (retry: 250) instead of holding the worker', async () => {
    const created = await fetch(`${solo.url}/cup-qr/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ payload: payloadOf(order({ mode: 'payment-page' })) }),
    });
    const { paymentId, token } = await created.json();
    const path = `/cup-qr/payments/${paymentId}?token=${token}`;
    // A connection the worker accepts first, its request not finished yet (a slow client).
    const raw = connect(solo.port, '127.0.0.1');
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.write(`GET ${path} HTTP/1.1\r\n`);
    const answer = new Promise<string>((resolve, reject) => {
      let text = '';
      const guard = setTimeout(
        () => reject(new Error('the request waited behind the stream')),
        20_000,
      );
      raw.on('data', (chunk) => {
        text += chunk.toString('utf8');
        if (!text.includes('\r\n\r\n')) return;
        clearTimeout(guard);
        resolve(text);
      });
    });
    const sse = await openSse(`${solo.url}/cup-qr/payments/${paymentId}/events?token=${token}`);
    assert.equal(sse.status, 200);
    await sse.next(GUARD_MS);
    raw.write('Host: 127.0.0.1\r\nConnection: close\r\n\r\n');
    try {
      assert.match(await answer, /^HTTP\/1\.1 200 OK/);
    } finally {
      raw.destroy();
    }
    await sse.waitFor(() => sse.isEnded(), 'the end of the stream', GUARD_MS);
    assert.equal(sse.retry, 250, 'the browser comes back a quarter of a second later');
  });
});

describe('the PHP backend: the Payment Page and restarts', () => {
  it('gives a signed Payment Page link for a payment-page payload, wrong-mode for a QR one', async () => {
    const created = await start({
      payload: payloadOf(order({ mode: 'payment-page', locale: 'zh-CN' })),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { paymentId, token } = created.body;
    const link = await call('/cup-qr/payment-page', { body: { paymentId, token } });
    assert.equal(link.status, 200, JSON.stringify(link.body));
    const url = new URL(link.body.url);
    assert.equal(`${url.origin}${url.pathname}`, `${backend.sandbox.url}/payment`);
    const params: Record<string, string | number> = Object.fromEntries(url.searchParams);
    assert.equal(params.force_payment_method, 'cup-qr');
    assert.equal(params.language_code, 'zh');
    assert.equal(params.merchant_callback_url, `${backend.url}/cup-qr/callback`);
    assert.equal(params.customer_ip_address, undefined);
    params.project_id = Number(params.project_id);
    params.payment_amount = Number(params.payment_amount);
    assert.ok(checkSignature(params, PHP_SECRET_KEY).valid, 'signed with the ECommPay algorithm');
    const page = await fetch(link.body.url);
    assert.equal(page.status, 200, 'the sandbox Payment Page takes the link');

    const qr = await awaitingCustomer();
    const wrong = await call('/cup-qr/payment-page', { body: qr });
    assertError(wrong, 409, 'wrong-mode');
  });

  it('payments, tokens and the attempt counter survive a restart', async () => {
    const o = order();
    const { paymentId, token } = await awaitingCustomer(o);
    await backend.restart();
    const state = await call(`/cup-qr/payments/${paymentId}?token=${token}`);
    assert.equal(state.status, 200, 'the token still opens the payment');
    assert.equal(state.body.status, 'awaiting-customer');
    await backend.sandbox.control.decline(PHP_PROJECT_ID, paymentId);
    await backend.sandbox.control.settled();
    await backend.restart();
    const next = await start({ payload: payloadOf(o) });
    assert.equal(next.status, 201);
    assert.equal(next.body.paymentId, `${o.ref}~2`);
  });
});

describe('the PHP backend: the WordPress plug-in', () => {
  it('every PHP file passes php -l', async () => {
    const files = ['router.php', 'demo.php', 'wordpress/cup-qr-checkout.php'];
    for (const folder of ['src', 'tests']) {
      files.push(...readdirSync(join(PHP_DIR, folder)).map((name) => `${folder}/${name}`));
    }
    for (const file of files) {
      const { stdout } = await run('php', ['-l', join(PHP_DIR, file)]);
      assert.match(stdout, /No syntax errors/, file);
    }
  });

  it('the PHP tests pass: the plug-in (WordPress stubbed) and the signature vectors', async () => {
    const checks = { 'wordpress-plugin-test.php': 17, 'signature-test.php': 21 };
    for (const [file, count] of Object.entries(checks)) {
      const { stdout } = await run('php', [join(PHP_DIR, 'tests', file)]);
      assert.doesNotMatch(stdout, /FAIL/, file);
      assert.equal(stdout.match(/^ok/gm)?.length, count, stdout);
    }
  });

  it('its payloads verify with the Node toolkit, the amount an integer', async () => {
    const key = 'plugin-and-toolkit';
    const { stdout } = await run('php', [join(PHP_DIR, 'tests/wordpress-plugin-test.php'), key]);
    const body = verifyPayload(stdout, payloadKeyOf({ secretKey: key }));
    assert.equal(body.amount, 30000);
    assert.equal(body.ref, 'wc-1042');
    assert.equal(body.customer?.city, '北京');
  });
});

describe('the PHP backend: the conformance kit', () => {
  it('passes every clause of the kit (restarts included)', async () => {
    const db = join(backend.dataDir, 'kit.sqlite');
    const command =
      `CUPQR_DB='${db}' CUPQR_START_LIMIT=0 CUPQR_SSE_HEARTBEAT_S=1 PHP_CLI_SERVER_WORKERS=8 ` +
      `exec php -S 127.0.0.1:$PORT '${join(PHP_DIR, 'router.php')}'`;
    const exit = await runBin(['conformance', '--start', command]);
    const summary = /(\d+) passed, (\d+) failed, (\d+) skipped.*/.exec(exit.stdout);
    console.log(`conformance kit against PHP: ${summary?.[0]}`);
    assert.equal(exit.code, 0, exit.stdout + exit.stderr);
    assert.ok(summary && Number(summary[1]) > 0, exit.stdout);
    assert.equal(summary[2], '0');
    assert.doesNotMatch(exit.stdout, /^FAIL/m);
  });
});

describe('the PHP backend: a whole payment with the element in Chromium', () => {
  let browser: Browser;
  let shop: PhpBackend;

  before(async () => {
    const bundle = join(backend.dataDir, 'cup-qr-checkout.js');
    const { esm, companions } = await bundleElement();
    writeFileSync(bundle, esm);
    for (const [file, code] of Object.entries(companions)) {
      writeFileSync(join(backend.dataDir, file), code);
    }
    shop = await startPhpBackend({ CUPQR_DEMO_ELEMENT: bundle });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await shop?.close();
  });

  it('the shortcode page shows the QR code; Approve in the bank app; success shown', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${shop.url}/?ref=browser-1`);
    const status = (expected: string) =>
      page.waitForFunction(
        (s) => document.querySelector('cup-qr-checkout')?.getAttribute('status') === s,
        expected,
        { timeout: 30_000 },
      );
    await status('awaiting-customer');
    const qrUrl = decodeQrPng(
      await page.locator('cup-qr-checkout').screenshot(),
      'the screenshot of the element',
    );
    assert.ok(qrUrl.startsWith(`${shop.sandbox.url}/bank/`), qrUrl);
    const phone = await context.newPage();
    await phone.goto(qrUrl);
    await phone.getByRole('button', { name: /Approve/ }).click();
    await status('success');
    assert.equal(shop.sandbox.control.saleRequests(), 1);
    await context.close();
  });
});
