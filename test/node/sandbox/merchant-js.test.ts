// The sandbox's merchant.js in Debian's Chromium, on a shop page of another site
// (`shop.test`) under a strict CSP with Trusted Types, which lists the sandbox's origin in
// script-src and frame-src (and form-action, for the POST method): EPayWidget.run(config,
// method) with parameters signed by the JS SDK's own signer opens the Payment Page in a modal
// frame (or the target element, or the whole window), the shopper pays in the frame, and the
// hooks hear the outcome from that frame only.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/chromium.mjs';
import { cspReported, watchCsp } from '../../helpers/csp.js';
import { statusOf } from '../../helpers/receiver.js';
import { PROJECT_ID, SECRET_KEY, setup } from '../../helpers/sandbox.js';
import type { Setup } from '../../helpers/sandbox.js';

/** The JS SDK's signer: what a Node shop signs EPayWidget's parameters with. */
const sdkSign = createRequire(import.meta.url)('ecommpay/src/signer.js') as (
  params: Record<string, unknown>,
  salt: string,
) => string;

/** The shop's own script: runs the widget with the page's config, logs every hook. */
const SHOP_JS = `
const config = JSON.parse(document.getElementById('config').textContent);
const method = document.body.dataset.method;
window.hooks = [];
const hook = (name) => (data) => {
  window.hooks.push({ name, data });
  const item = document.createElement('li');
  item.textContent = name;
  document.getElementById('log').append(item);
};
document.getElementById('pay').addEventListener('click', () => {
  window.widget = EPayWidget.run(
    {
      ...config,
      onLoaded: hook('onLoaded'),
      onPaymentSuccess: hook('onPaymentSuccess'),
      onPaymentFail: hook('onPaymentFail'),
      onExit: hook('onExit'),
      onDestroy: hook('onDestroy'),
    },
    method,
  );
});
`;

interface Shop {
  /** The shop page paying `params` with `method`. */
  url(params: Record<string, unknown>, method: 'GET' | 'POST', extra?: string): string;
}

/** The shop: another site (`shop.test`) whose page holds the signed config. */
async function shopFor(t: TestContext, s: Setup): Promise<Shop> {
  const pages = new Map<string, string>();
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${s.sandbox.url}`,
    `frame-src ${s.sandbox.url}`,
    `form-action 'self' ${s.sandbox.url}`,
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop.test').pathname;
    if (path === '/shop.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(SHOP_JS);
      return;
    }
    const page = pages.get(path);
    res.writeHead(page ? 200 : 404, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp,
    });
    res.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const origin = `http://shop.test:${(server.address() as AddressInfo).port}`;
  return {
    url(params, method, extra = '') {
      const config = { project_id: PROJECT_ID, ...params };
      const signed = { ...config, signature: sdkSign(config, SECRET_KEY) };
      const path = `/checkout-${pages.size}`;
      pages.set(
        path,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="${s.sandbox.url}/shared/merchant.js"></script>
<script src="/shop.js" defer></script>
<script type="application/json" id="config">${JSON.stringify(signed).replaceAll('<', '\\u003c')}</script>
</head><body data-method="${method}"><h1>Checkout</h1>${extra}<button id="pay">Pay</button><ol id="log"></ol></body></html>`,
      );
      return `${origin}${path}`;
    },
  };
}

function paymentParams(paymentId: string, more: Record<string, unknown> = {}) {
  return {
    payment_id: paymentId,
    payment_amount: 30000,
    payment_currency: 'CNY',
    payment_description: '机械键盘 keyboard',
    customer_id: 'c-77',
    force_payment_method: 'cup-qr',
    close_on_missclick: true,
    ...more,
  };
}

let browser: Browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP shop.test 127.0.0.1'],
  });
});
after(async () => {
  await browser?.close();
});

async function shopper(t: TestContext, violations: string[]): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  t.after(() => context.close());
  await watchCsp(context, violations);
  return context;
}

/** The hooks the shop page heard so far. */
function hooks(page: Page): Promise<{ name: string; data: Record<string, unknown> }[]> {
  return page.evaluate(() => (window as unknown as { hooks: never[] }).hooks);
}

async function hookCalled(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    (expected) =>
      (window as unknown as { hooks: { name: string }[] }).hooks.some((h) => h.name === expected),
    name,
    { timeout: 15_000 },
  );
}

/** The widget's frame, once it shows the Payment Page. */
async function widgetFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('iframe.epframe-frame');
  const frame = (await handle.contentFrame())!;
  await frame.waitForSelector('[data-field="amount"]');
  return frame;
}

describe('merchant.js: EPayWidget.run on a strict page of another site', () => {
  it("'POST': a modal over the shop; pay in the frame, the bank app in its own window; onPaymentSuccess", async (t) => {
    const s = await setup(t);
    const shop = await shopFor(t, s);
    const violations: string[] = [];
    const context = await shopper(t, violations);
    const page = await context.newPage();
    await page.goto(shop.url(paymentParams('mjs-post'), 'POST'));
    await page.click('#pay');

    const dialog = page.getByRole('dialog', { name: /Payment Page/ });
    await dialog.waitFor();
    const frame = await widgetFrame(page);
    assert.match(frame.url(), /\/payment$/, 'opened by a POST of the parameters');
    assert.equal(
      await page.evaluate(() => document.activeElement?.tagName),
      'IFRAME',
      'focus moved into the frame',
    );
    assert.match((await frame.getAttribute('body', 'class')) ?? '', /framed/);
    assert.equal(s.sandbox.control.payments().length, 0, 'the entry created nothing');

    await frame.getByRole('radio', { name: /ICBC/ }).check();
    await frame.getByRole('button', { name: /Pay/ }).click();
    await frame.getByRole('img', { name: 'QR code' }).waitFor();
    // The "open the bank app" link leaves the frame: a window of its own (the bank app refuses frames).
    const [bankApp] = await Promise.all([
      context.waitForEvent('page'),
      frame.locator('[data-field="bank-link"]').click(),
    ]);
    await bankApp.getByRole('button', { name: /Approve/ }).click();
    await bankApp.waitForSelector('[data-outcome="success"]');

    await hookCalled(page, 'onPaymentSuccess');
    const heard = await hooks(page);
    assert.deepEqual(
      heard.map((h) => h.name),
      ['onLoaded', 'onPaymentSuccess'],
      'onLoaded once, whatever the reloads of the QR page',
    );
    assert.deepEqual(heard[1].data, {
      payment_id: 'mjs-post',
      status: 'success',
      code: '0',
      message: 'Success',
    });
    const got = await s.receiver.waitFor((r) => r.length === 2, 'both callbacks');
    assert.deepEqual(
      got.map((c) => [statusOf(c.body), c.verified]),
      [
        ['awaiting customer action', true],
        ['success', true],
      ],
    );
    for (const open of context.pages()) await cspReported(open);
    assert.deepEqual(violations, []);
  });

  it("'GET': declined through the control API: onPaymentFail; the close button: onExit, onDestroy, focus back", async (t) => {
    const s = await setup(t);
    const shop = await shopFor(t, s);
    const violations: string[] = [];
    const page = await (await shopper(t, violations)).newPage();
    await page.goto(shop.url(paymentParams('mjs-get'), 'GET'));
    await page.focus('#pay');
    await page.keyboard.press('Enter');
    const frame = await widgetFrame(page);
    const url = new URL(frame.url());
    assert.equal(url.pathname, '/payment');
    assert.equal(url.searchParams.get('frame_mode'), 'iframe');
    assert.equal(url.searchParams.get('close_on_missclick'), 'true', 'written as JS writes it');
    assert.equal(
      url.searchParams.get('_referrer'),
      new URL(page.url()).origin + new URL(page.url()).pathname,
    );
    await frame.getByRole('button', { name: /Pay/ }).click();
    await frame.getByRole('img', { name: 'QR code' }).waitFor();
    await s.sandbox.control.decline(PROJECT_ID, 'mjs-get');
    await hookCalled(page, 'onPaymentFail');
    const fail = (await hooks(page)).find((h) => h.name === 'onPaymentFail')!;
    assert.deepEqual(fail.data, {
      payment_id: 'mjs-get',
      status: 'decline',
      code: '20000',
      message: 'General decline',
    });

    await page.getByRole('button', { name: /Close the payment page/ }).click();
    await hookCalled(page, 'onDestroy');
    assert.deepEqual((await hooks(page)).map((h) => h.name).slice(-2), ['onExit', 'onDestroy']);
    assert.equal(await page.locator('.epframe-overlay').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pay', 'focus back');
    await cspReported(page);
    assert.deepEqual(violations, []);
  });

  it('hears nothing but its own frame: a message from the shop page itself calls no hook', async (t) => {
    const s = await setup(t);
    const shop = await shopFor(t, s);
    const page = await (await shopper(t, [])).newPage();
    await page.goto(shop.url(paymentParams('mjs-forged'), 'GET'));
    await page.click('#pay');
    await widgetFrame(page);
    await hookCalled(page, 'onLoaded');
    // A script of the page (or any other frame) posting the framed page's message.
    await page.evaluate(async () => {
      const heard = new Promise((resolve) =>
        window.addEventListener('message', resolve, { once: true }),
      );
      window.postMessage(
        { message: 'epframe.payment.success', data: { payment_id: 'mjs-forged' } },
        '*',
      );
      await heard;
    });
    assert.deepEqual(
      (await hooks(page)).map((h) => h.name),
      ['onLoaded'],
    );
    // A click outside the dialog closes it (close_on_missclick).
    await page.mouse.click(2, 2);
    await hookCalled(page, 'onExit');
  });

  it("target_element: the frame in the shop's own element, no modal", async (t) => {
    const s = await setup(t);
    const shop = await shopFor(t, s);
    const page = await (await shopper(t, [])).newPage();
    await page.goto(
      shop.url(
        paymentParams('mjs-inline', { target_element: 'pay-here' }),
        'POST',
        '<section id="pay-here"></section>',
      ),
    );
    await page.click('#pay');
    await widgetFrame(page);
    assert.equal(await page.locator('#pay-here > iframe.epframe-frame').count(), 1);
    assert.equal(await page.locator('.epframe-overlay').count(), 0);
  });

  it('redirect: the whole window goes to the Payment Page, by GET or by a POST from the shop', async (t) => {
    const s = await setup(t);
    const shop = await shopFor(t, s);
    const violations: string[] = [];
    const context = await shopper(t, violations);
    for (const method of ['GET', 'POST'] as const) {
      const page = await context.newPage();
      await page.goto(
        shop.url(paymentParams(`mjs-redirect-${method}`, { redirect: true }), method),
      );
      await Promise.all([page.waitForURL(`${s.sandbox.url}/payment**`), page.click('#pay')]);
      await page.getByRole('radio', { name: /ICBC/ }).waitFor();
      assert.equal(
        await page.getAttribute('body', 'class'),
        null,
        'a page of its own, no frame layout',
      );
      await page.getByRole('button', { name: /Pay/ }).click();
      await page.getByRole('img', { name: 'QR code' }).waitFor();
      await cspReported(page);
    }
    assert.deepEqual(
      s.sandbox.control
        .payments()
        .map((p) => p.paymentId)
        .sort(),
      ['mjs-redirect-GET', 'mjs-redirect-POST'],
    );
    assert.deepEqual(violations, []);
  });

  it('refuses a config it cannot send, before anything opens', async (t) => {
    const s = await setup(t);
    const shop = await shopFor(t, s);
    const page = await (await shopper(t, [])).newPage();
    await page.goto(shop.url(paymentParams('mjs-bad'), 'GET'));
    const errors = await page.evaluate(() => {
      const run = (window as unknown as { EPayWidget: { run(c: unknown, m?: unknown): unknown } })
        .EPayWidget.run;
      const messages: string[] = [];
      for (const [config, method] of [
        [null, 'GET'],
        [{ payment_id: 'x' }, 'GET'],
        [{ payment_id: 'x', signature: 's' }, 'PUT'],
        [{ payment_id: 'x', signature: 's', interface_type: { id: 1 } }, 'GET'],
        [{ payment_id: 'x', signature: 's', target_element: 'nowhere' }, 'GET'],
      ] as const) {
        try {
          run(config, method);
          messages.push('no error');
        } catch (error) {
          messages.push((error as Error).message);
        }
      }
      return messages;
    });
    assert.match(errors[0], /config must be an object/);
    assert.match(errors[1], /config.signature is required/);
    assert.match(errors[2], /method must be "GET" or "POST" \(got "PUT"\)/);
    assert.match(errors[3], /config.interface_type must be text/);
    assert.match(errors[4], /no element with the id of target_element "nowhere"/);
    assert.equal(await page.locator('iframe').count(), 0);
  });
});

describe('merchant.css', () => {
  it("is served as a stylesheet at ECommPay's path", async (t) => {
    const { sandbox } = await setup(t);
    const response = await fetch(`${sandbox.url}/shared/merchant.css`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/css/);
  });
});
