// The sandbox exposed (a phone on the LAN, SANDBOX_HOST=0.0.0.0): what a web page open in the
// developer's browser can no longer make it do. JSON bodies only, a Host it answers (DNS
// rebinding), no cross-site form posts, no frames but the Payment Page's, callbacks only to the
// project's own origin. In Chromium where a browser is the attacker's tool, over plain HTTP
// (with the headers a browser would send) for every case.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startSandbox } from '../../../src/sandbox/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/chromium.mjs';
import { startReceiver } from '../../helpers/receiver.js';
import type { Receiver } from '../../helpers/receiver.js';
import {
  paymentPageUrl,
  PROJECT_ID,
  saleBody,
  SECRET_KEY,
  setup,
  signed,
  signedSale,
} from '../../helpers/sandbox.js';

const SALE = '/v2/payment/cup/qr/sale';

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

/** A request with exactly the headers given (`Host` too), as a browser or curl would send it. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A server of "another site": whatever page a test gives it, at `http://attacker.test:<port>`. */
async function attackerSite(t: { after: (fn: () => Promise<void>) => void }): Promise<{
  url: string;
  serve: (html: string) => void;
}> {
  let page = '<!doctype html><title>nothing</title>';
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://attacker.test:${(server.address() as AddressInfo).port}`,
    serve: (html) => {
      page = html;
    },
  };
}

let browser: Browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      // Names that resolve to this machine, as a rebinding DNS server or a hostile site would
      // make them: the browser treats them as other sites than 127.0.0.1.
      '--host-resolver-rules=MAP attacker.test 127.0.0.1, MAP rebind.test 127.0.0.1',
      // Chromium's own Local Network Access checks off: Firefox and Safari have none, and the
      // sandbox must hold by itself.
      '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests',
    ],
  });
});
after(async () => {
  await browser?.close();
});

async function newPage(t: { after: (fn: () => Promise<void>) => void }): Promise<Page> {
  const context = await browser.newContext();
  t.after(() => context.close());
  return context.newPage();
}

describe('a page of another site, in the browser, cannot use the sandbox', () => {
  it('a text/plain sale from its script creates nothing and makes the sandbox POST nowhere', async (t) => {
    const internal = await startReceiver(SECRET_KEY); // an internal service on this machine
    t.after(() => internal.close());
    const { sandbox } = await setup(t);
    const site = await attackerSite(t);
    const body = saleBody('csrf-1');
    body.general.merchant_callback_url = `${internal.url}/admin/reboot`;
    const page = await newPage(t);
    await page.goto(site.url);
    // The demo key is public: the attacker signs the sale. `no-cors` needs no preflight.
    const sent = await page.evaluate(
      async ([url, text]) => {
        try {
          await fetch(url, { method: 'POST', mode: 'no-cors', body: text });
          return 'sent';
        } catch (error) {
          return String(error);
        }
      },
      [`${sandbox.url}${SALE}`, JSON.stringify(signed(body))] as const,
    );
    assert.equal(sent, 'sent', 'the browser sent it (its answer is opaque to the page)');
    await sandbox.control.settled();
    assert.deepEqual(sandbox.control.payments(), [], 'nothing created');
    assert.equal(internal.received.length, 0, 'nothing POSTed to the internal URL');
  });

  it('a form on its page cannot approve a payment, in the bank app or the control API', async (t) => {
    const { sandbox, sale } = await setup(t);
    await sale('csrf-2');
    const bankUrl = sandbox.control.payment(PROJECT_ID, 'csrf-2')!.qrUrl;
    const site = await attackerSite(t);
    const page = await newPage(t);
    for (const action of [
      `${bankUrl}/approve`,
      `${sandbox.url}/sandbox/payments/${PROJECT_ID}/csrf-2/approve`,
    ]) {
      site.serve(
        `<!doctype html><form method="post" action="${action}"><button>win</button></form>`,
      );
      await page.goto(site.url);
      const [answer] = await Promise.all([
        page.waitForResponse((response) => response.url() === action),
        page.getByRole('button', { name: 'win' }).click(),
      ]);
      assert.equal(answer.status(), 403, action);
      assert.match(await answer.text(), /another site/);
      assert.equal(
        sandbox.control.payment(PROJECT_ID, 'csrf-2')!.status,
        'awaiting customer action',
      );
    }
    // The bank app's own page still approves (Sec-Fetch-Site: same-origin).
    await page.goto(bankUrl);
    await page.getByRole('button', { name: /Approve/ }).click();
    await page.waitForSelector('[data-outcome="success"]');
    assert.equal(sandbox.control.payment(PROJECT_ID, 'csrf-2')!.status, 'success');
  });

  it('a rebound name cannot read or drive the control API; allowedHosts lets a name in', async (t) => {
    const { sandbox, sale } = await setup(t);
    await sale('rebind-1');
    const page = await newPage(t);
    /**
     * The attacker's page at `rebind.test:<port>`, served before its name was re-pointed at
     * 127.0.0.1 (the route stands in for the attacker's server); its fetches then reach the
     * sandbox as same-origin requests.
     */
    const rebound = async (
      port: number,
    ): Promise<{ read: number; text: string; approve: number }> => {
      const home = `http://rebind.test:${port}/`;
      await page.route(home, (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }),
      );
      await page.goto(home);
      return page.evaluate(async (projectId) => {
        const read = await fetch('/sandbox/payments');
        const text = await read.text();
        const approve = await fetch(`/sandbox/payments/${projectId}/rebind-1/approve`, {
          method: 'POST',
        });
        return { read: read.status, text, approve: approve.status };
      }, PROJECT_ID);
    };
    const attack = await rebound(sandbox.port);
    assert.equal(attack.read, 421);
    const body = JSON.parse(attack.text);
    assert.equal(body.error.code, 'unknown-host');
    assert.match(body.error.message, /allowedHosts \(CLI: SANDBOX_ALLOWED_HOSTS\)/);
    assert.ok(!attack.text.includes('rebind-1'), 'no payment shown');
    assert.equal(attack.approve, 421);
    assert.equal(
      sandbox.control.payment(PROJECT_ID, 'rebind-1')!.status,
      'awaiting customer action',
    );

    const named = await setup(t, { allowedHosts: ['rebind.test'] });
    await named.sale('rebind-1');
    const allowed = await rebound(named.sandbox.port);
    assert.deepEqual([allowed.read, allowed.approve], [200, 200]);
  });

  it('cannot frame the bank app or the control API; the Payment Page may be framed', async (t) => {
    const { sandbox, sale } = await setup(t);
    await sale('frame-1');
    const bankUrl = sandbox.control.payment(PROJECT_ID, 'frame-1')!.qrUrl;
    const paymentPage = paymentPageUrl(sandbox.url, { payment_id: 'frame-pp' });
    const site = await attackerSite(t);
    site.serve(`<!doctype html>
<iframe name="bank" src="${bankUrl}"></iframe>
<iframe name="control" src="${sandbox.url}/sandbox/payments"></iframe>
<iframe name="pp" src="${paymentPage.replaceAll('&', '&amp;')}"></iframe>`);
    const page = await newPage(t);
    await page.goto(site.url); // "load": every frame has loaded, or failed to
    const pp = page.frame({ name: 'pp' })!;
    await pp.getByRole('button', { name: /Continue/ }).waitFor();
    const shown = (name: string): Promise<string> =>
      page.frame({ name })!.evaluate(() => document.body?.innerText ?? '');
    assert.doesNotMatch(await shown('bank'), /Approve/, 'the bank app is not shown in a frame');
    assert.doesNotMatch(await shown('control'), /frame-1/, 'nor the control API');
  });
});

describe('JSON bodies only', () => {
  // The codes below were the sandbox's 1003/1004/1005/1100/1101 until issue #14 item 9 moved
  // them to ECommPay's list (702) or the sandbox's own range (90000s).
  it('Gate refuses a sale or a status request not sent as application/json: 415 90002', async (t) => {
    const { sandbox } = await setup(t);
    const text = JSON.stringify(signedSale('json-1'));
    for (const headers of [
      { 'Content-Type': 'text/plain;charset=UTF-8' } as Record<string, string>,
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      { 'Content-Type': 'multipart/form-data; boundary=x' },
      {}, // a blob body: no Content-Type at all
    ]) {
      for (const path of [SALE, '/v2/payment/status']) {
        const reply = await raw(`${sandbox.url}${path}`, { method: 'POST', headers, body: text });
        assert.equal(reply.status, 415, `${path} ${JSON.stringify(headers)}`);
        assert.equal(reply.json.status, 'error');
        assert.equal(reply.json.code, '90002');
        assert.match(
          reply.json.message,
          /Unsupported media type: Send the body as application\/json/,
        );
      }
    }
    assert.deepEqual(sandbox.control.payments(), []);
    for (const [id, type] of [
      ['json-2', 'application/json; charset=utf-8'],
      ['json-3', 'application/vnd.merchant+json'],
    ]) {
      const reply = await raw(`${sandbox.url}${SALE}`, {
        method: 'POST',
        headers: { 'Content-Type': type },
        body: JSON.stringify(signedSale(id)),
      });
      assert.equal(reply.status, 200, type);
    }
  });

  it('the control API refuses a body not sent as JSON: 415 unsupported-media-type', async (t) => {
    const { sandbox, sale } = await setup(t);
    await sale('json-4');
    await sale('json-5');
    const base = `${sandbox.url}/sandbox/payments/${PROJECT_ID}`;
    const faults = await raw(`${sandbox.url}/sandbox/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"faults":{"gateError":503}}',
    });
    assert.equal(faults.status, 415);
    assert.equal(faults.json.error.code, 'unsupported-media-type');
    const declined = await raw(`${base}/json-4/decline`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'code=1',
    });
    assert.equal(declined.status, 415);
    const blob = await raw(`${base}/json-4/approve`, { method: 'POST', body: '{}' });
    assert.equal(blob.status, 415, 'a body without Content-Type');
    assert.equal(sandbox.control.payment(PROJECT_ID, 'json-4')!.status, 'awaiting customer action');
    // `curl -X POST …/approve`: no body, no Content-Type.
    const curl = await raw(`${base}/json-5/approve`, { method: 'POST' });
    assert.equal(curl.status, 200);
    assert.equal(sandbox.control.payment(PROJECT_ID, 'json-5')!.status, 'success');
  });
});

describe('Host', () => {
  it('answers its listening host, localhost, 127.0.0.1 and [::1] on its port, and publicUrl', async (t) => {
    const { sandbox } = await setup(t, { publicUrl: 'https://Sandbox.Example/' });
    for (const host of [
      `127.0.0.1:${sandbox.port}`,
      `localhost:${sandbox.port}`,
      `LOCALHOST.:${sandbox.port}`,
      `[::1]:${sandbox.port}`,
      'sandbox.example',
      'sandbox.example:443',
    ]) {
      const reply = await raw(`${sandbox.url}/sandbox/payments`, { headers: { Host: host } });
      assert.equal(reply.status, 200, host);
    }
  });

  it('answers any other Host 421 in the shape of the part it asked for, naming the options', async (t) => {
    const { sandbox, sale } = await setup(t);
    await sale('host-1');
    const bank = sandbox.control.payment(PROJECT_ID, 'host-1')!.qrUrl;
    for (const host of [
      `rebind.test:${sandbox.port}`,
      `127.0.0.1:${sandbox.port + 1}`,
      `127.0.0.1.evil.example:${sandbox.port}`,
      'localhost',
      `localhost:${sandbox.port}@evil.example`,
    ]) {
      const control = await raw(`${sandbox.url}/sandbox/payments`, { headers: { Host: host } });
      assert.equal(control.status, 421, host);
      assert.equal(control.json.error.code, 'unknown-host');
      assert.ok(control.json.error.message.includes(JSON.stringify(host)), control.text);
      assert.match(control.json.error.message, /SANDBOX_PUBLIC_URL/);
      assert.match(control.json.error.message, /SANDBOX_ALLOWED_HOSTS/);
    }
    const foreign = { Host: 'rebind.test' };
    const gate = await raw(`${sandbox.url}${SALE}`, {
      method: 'POST',
      headers: { ...foreign, 'Content-Type': 'application/json' },
      body: JSON.stringify(signedSale('host-2')),
    });
    assert.deepEqual([gate.status, gate.json.status, gate.json.code], [421, 'error', '90003']);
    const page = await raw(bank, { headers: foreign });
    assert.equal(page.status, 421);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
    assert.match(page.text, /Unknown host/);
    assert.ok(!page.text.includes('/approve'), 'no bank-app form');
    const approve = await raw(`${bank}/approve`, { method: 'POST', headers: foreign });
    assert.equal(approve.status, 421);
    assert.equal(sandbox.control.payment(PROJECT_ID, 'host-1')!.status, 'awaiting customer action');
    assert.equal(sandbox.control.payment(PROJECT_ID, 'host-2'), undefined);
  });

  it('allowedHosts: a name on any port, or on one port', async (t) => {
    const { sandbox } = await setup(t, { allowedHosts: ['Phone.Local', '192.168.1.20:8090'] });
    const status = async (host: string): Promise<number> =>
      (await raw(`${sandbox.url}/sandbox/payments`, { headers: { Host: host } })).status;
    assert.equal(await status('phone.local'), 200);
    assert.equal(await status('phone.local:1234'), 200);
    assert.equal(await status('192.168.1.20:8090'), 200);
    assert.equal(await status('192.168.1.20:8091'), 421);
    assert.equal(await status('other.local'), 421);
  });
});

describe('form posts from another site (without the browser)', () => {
  it('refuses Sec-Fetch-Site other than same-origin and a foreign or null Origin: 403', async (t) => {
    const { sandbox, sale } = await setup(t);
    await sale('site-1');
    const bank = sandbox.control.payment(PROJECT_ID, 'site-1')!.qrUrl;
    for (const headers of [
      { 'Sec-Fetch-Site': 'cross-site' } as Record<string, string>,
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'http://attacker.test' },
      { Origin: 'null' },
      { Origin: `http://localhost:${sandbox.port}.evil.example` },
    ]) {
      const reply = await raw(`${bank}/approve`, { method: 'POST', headers });
      assert.equal(reply.status, 403, JSON.stringify(headers));
      assert.match(reply.text, /Cross-site request refused/);
      const control = await raw(`${sandbox.url}/sandbox/payments/${PROJECT_ID}/site-1/expire`, {
        method: 'POST',
        headers,
      });
      assert.deepEqual([control.status, control.json.error.code], [403, 'cross-site']);
    }
    const gate = await raw(`${sandbox.url}${SALE}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://attacker.test' },
      body: JSON.stringify(signedSale('site-2')),
    });
    assert.deepEqual([gate.status, gate.json.code], [403, '90004']);
    assert.equal(sandbox.control.payments().length, 1);
    assert.equal(sandbox.control.payment(PROJECT_ID, 'site-1')!.status, 'awaiting customer action');
    // Its own pages (by Sec-Fetch-Site, or by Origin in a browser without it) are let through.
    const own = await raw(`${bank}/approve`, {
      method: 'POST',
      headers: { Origin: `http://localhost:${sandbox.port}` },
    });
    assert.equal(own.status, 303);
  });

  it('the Payment Page takes its bank choice only from its own page', async (t) => {
    const { sandbox } = await setup(t);
    const q = new URL(paymentPageUrl(sandbox.url, { payment_id: 'site-pp' })).search.slice(1);
    const form = new URLSearchParams({ q, bank: 'icbc' }).toString();
    const post = (headers: Record<string, string>): Promise<RawReply> =>
      raw(`${sandbox.url}/payment/bank`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: form,
      });
    assert.equal((await post({ 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal(sandbox.control.payments().length, 0);
    assert.equal((await post({ 'Sec-Fetch-Site': 'same-origin' })).status, 303);
    assert.equal(sandbox.control.payments().length, 1);
  });

  it("POST /payment (EPayWidget's 'POST') is let in from another site: it shows the first step and creates nothing", async (t) => {
    const { sandbox } = await setup(t);
    const q = new URL(paymentPageUrl(sandbox.url, { payment_id: 'entry-pp' })).search.slice(1);
    const entry = (headers: Record<string, string>, body = q): Promise<RawReply> =>
      raw(`${sandbox.url}/payment`, {
        method: 'POST',
        headers: { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://shop.test', ...headers },
        body,
      });
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const shown = await entry(form);
    assert.equal(shown.status, 200, shown.text);
    assert.match(shown.text, /name="method" value="cup-qr"/, 'the method step, as GET shows it');
    assert.equal(sandbox.control.payments().length, 0);
    // It verifies as GET does: a changed amount is refused, and so is any other body type.
    assert.equal(
      (await entry(form, q.replace('payment_amount=30000', 'payment_amount=1'))).status,
      401,
    );
    const plain = await entry({ 'Content-Type': 'text/plain' });
    assert.equal(plain.status, 415);
    assert.match(plain.text, /Post the parameters as a form/);
    // The steps after it still come only from the Payment Page itself.
    for (const step of ['/payment/method', '/payment/bank']) {
      const reply = await raw(`${sandbox.url}${step}`, {
        method: 'POST',
        headers: { ...form, 'Sec-Fetch-Site': 'cross-site' },
        body: new URLSearchParams({ q, method: 'cup-qr', bank: 'icbc' }).toString(),
      });
      assert.equal(reply.status, 403, step);
    }
    assert.equal(sandbox.control.payments().length, 0);
  });
});

describe('frames', () => {
  it('the bank app, its errors and every JSON answer say frame-ancestors none; the Payment Page does not', async (t) => {
    const { sandbox, sale } = await setup(t);
    await sale('frame-2');
    const bank = sandbox.control.payment(PROJECT_ID, 'frame-2')!.qrUrl;
    for (const url of [
      bank,
      `${sandbox.url}/bank/${'A'.repeat(22)}`,
      `${sandbox.url}/sandbox/payments`,
      `${sandbox.url}/nowhere`,
    ]) {
      const reply = await raw(url);
      assert.match(String(reply.headers['content-security-policy']), /frame-ancestors 'none'/, url);
      assert.equal(reply.headers['x-frame-options'], 'DENY', url);
    }
    const page = await raw(paymentPageUrl(sandbox.url, { payment_id: 'frame-pp2' }));
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
    assert.doesNotMatch(String(page.headers['content-security-policy']), /frame-ancestors/);
    assert.equal(page.headers['x-frame-options'], undefined);
  });
});

describe('callback URLs', () => {
  /** A sale naming `callbackUrl`, through Gate; its answer and what the project's receiver saw. */
  async function saleTo(
    s: Awaited<ReturnType<typeof setup>>,
    id: string,
    callbackUrl: string,
  ): Promise<{ status: number; body: any }> {
    const body = saleBody(id);
    body.general.merchant_callback_url = callbackUrl;
    return s.sale(id, signed(body));
  }

  it('a sale naming another origin is refused with a field error naming the options', async (t) => {
    const other = await startReceiver(SECRET_KEY);
    t.after(() => other.close());
    const s = await setup(t);
    for (const url of [
      `${other.url}/callback`,
      'http://169.254.169.254/latest/meta-data/',
      s.receiver.url.replace('127.0.0.1', 'localhost'),
    ]) {
      const reply = await saleTo(s, 'cb-1', url);
      assert.equal(reply.status, 400, url);
      assert.equal(reply.body.code, '702');
      assert.deepEqual(
        reply.body.errors.map((e: any) => [e.code, e.field]),
        [['702', 'general.merchant_callback_url']],
      );
      const { description } = reply.body.errors[0];
      assert.match(description, /is not where project 200 sends callbacks/);
      assert.match(description, /callbackOrigins \(CLI: SANDBOX_CALLBACK_ORIGINS\)/);
      assert.match(description, /allowAnyCallbackUrl/);
    }
    await s.sandbox.control.settled();
    assert.deepEqual(s.sandbox.control.payments(), []);
    assert.equal(other.received.length + s.receiver.received.length, 0);
  });

  it("another path on the project's origin is used, and so are callbackOrigins", async (t) => {
    const other = await startReceiver(SECRET_KEY);
    t.after(() => other.close());
    const s = await setup(t, {}, { callbackOrigins: [`${other.url.toUpperCase()}/`] });
    assert.equal((await saleTo(s, 'cb-2', `${s.receiver.url}/per-payment`)).status, 200);
    assert.equal((await saleTo(s, 'cb-3', `${other.url}/listed`)).status, 200);
    await s.receiver.waitFor((r) => r.length === 1, 'the awaiting callback on the project origin');
    await other.waitFor((r) => r.length === 1, 'the awaiting callback on the listed origin');
    assert.deepEqual(
      [s.receiver.received[0].path, other.received[0].path],
      ['/per-payment', '/listed'],
    );
  });

  it('allowAnyCallbackUrl: any URL; without a callbackUrl and origins, none', async (t) => {
    const other = await startReceiver(SECRET_KEY);
    t.after(() => other.close());
    const any = await setup(t, {}, { allowAnyCallbackUrl: true });
    assert.equal((await saleTo(any, 'cb-4', other.callbackUrl)).status, 200);
    await other.waitFor((r) => r.length === 1, 'the awaiting callback');

    const bare = await startSandbox({
      port: 0,
      projects: [{ id: PROJECT_ID, secretKey: SECRET_KEY }],
    });
    t.after(() => bare.close());
    const body = saleBody('cb-5');
    body.general.merchant_callback_url = other.callbackUrl;
    const reply = await raw(`${bare.url}${SALE}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signed(body)),
    });
    assert.equal(reply.status, 400);
    assert.match(reply.json.errors[0].description, /it has no callbackUrl/);
  });

  it('a Payment Page link naming another origin is refused with an error page, nothing created', async (t) => {
    const other: Receiver = await startReceiver(SECRET_KEY);
    t.after(() => other.close());
    const { sandbox } = await setup(t);
    const url = paymentPageUrl(sandbox.url, {
      payment_id: 'cb-pp',
      merchant_callback_url: other.callbackUrl,
    });
    const page = await raw(url);
    assert.equal(page.status, 400);
    assert.match(
      page.text,
      /merchant_callback_url: http:\/\/127\.0\.0\.1:\d+ is not where project 200/,
    );
    assert.match(page.text, /callbackOrigins/);
    const q = new URL(url).search.slice(1);
    const chosen = await raw(`${sandbox.url}/payment/bank`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ q, bank: 'icbc' }).toString(),
    });
    assert.equal(chosen.status, 400);
    assert.deepEqual(sandbox.control.payments(), []);
  });
});

describe('the new options are checked at start', () => {
  it('refuses an allowedHosts entry that is no host and a callbackOrigins entry that is no origin', async () => {
    const project = { id: 1, secretKey: 'k' };
    for (const [options, message] of [
      [
        { allowedHosts: ['http://phone.local'] },
        /allowedHosts: "http:\/\/phone.local" is not a host/,
      ],
      [{ allowedHosts: ['phone.local/x'] }, /allowedHosts/],
      [{ allowedHosts: 'phone.local' }, /allowedHosts must be a list/],
      [
        { projects: [{ ...project, callbackOrigins: ['shop.example'] }] },
        /callbackOrigins: "shop.example" is not an origin/,
      ],
      [
        { projects: [{ ...project, callbackOrigins: ['https://shop.example/cb'] }] },
        /callbackOrigins/,
      ],
      [
        { projects: [{ ...project, allowAnyCallbackUrl: 'yes' }] },
        /allowAnyCallbackUrl must be a boolean/,
      ],
    ] as const) {
      await assert.rejects(
        startSandbox({ port: 0, projects: [project], ...(options as object) }),
        (error: Error) => error instanceof TypeError && message.test(error.message),
        JSON.stringify(options),
      );
    }
  });
});
