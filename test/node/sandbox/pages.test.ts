// The bank-app page and the Payment Page in Debian's Chromium (playwright-core): a phone-sized
// page, buttons found by their accessible names, and a click on Approve sending the success
// callback that the real receiver verifies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { launchChromium } from '../../helpers/chromium.js';
import { callbacksOf, statusOf } from '../../helpers/receiver.js';
import { paymentPageUrl, PROJECT_ID, setup } from '../../helpers/sandbox.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A phone-sized context; every console error (a CSP violation, say) is collected. */
async function phone(t: { after: (fn: () => Promise<void>) => void }): Promise<{
  context: BrowserContext;
  page: Page;
  errors: string[];
}> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
    isMobile: true,
    hasTouch: true,
  });
  t.after(() => context.close());
  const errors: string[] = [];
  context.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const page = await context.newPage();
  return { context, page, errors };
}

describe('bank-app page in Chromium', () => {
  it('shows merchant, amount and description; Approve sends the success callback', async (t) => {
    const { sandbox, receiver, sale } = await setup(t, { merchantName: '示例商店 Demo Shop' });
    await sale('order-1');
    const qrUrl = sandbox.control.payment(PROJECT_ID, 'order-1')!.qrUrl;
    const { page, errors } = await phone(t);
    await page.goto(qrUrl);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.textContent('[data-field="merchant"]'), '示例商店 Demo Shop');
    assert.equal(await page.textContent('[data-field="amount"]'), '¥300.00 CNY');
    assert.equal(await page.textContent('[data-field="description"]'), '机械键盘 keyboard');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `fits a phone (${width}px)`);

    await page.getByRole('button', { name: /Approve/ }).click();
    await page.waitForSelector('[data-outcome="success"]');
    assert.equal(await page.getByRole('button', { name: /Decline/ }).count(), 0);
    const got = await receiver.waitFor(
      (r) => r.some((c) => statusOf(c.body) === 'success'),
      'the success callback',
    );
    const success = got.find((c) => statusOf(c.body) === 'success')!;
    assert.ok(success.verified);
    assert.equal((success.body as any).payment.id, 'order-1');
    assert.deepEqual(errors, []);
  });

  it('Decline sends a decline callback; a second outcome from another tab is refused', async (t) => {
    const { sandbox, receiver, sale } = await setup(t);
    await sale('order-2');
    const qrUrl = sandbox.control.payment(PROJECT_ID, 'order-2')!.qrUrl;
    const { context, page } = await phone(t);
    const other = await context.newPage();
    await page.goto(qrUrl);
    await other.goto(qrUrl);
    await page.getByRole('button', { name: /Decline/ }).click();
    await page.waitForSelector('[data-outcome="decline"]');
    assert.match((await page.textContent('main')) ?? '', /20000 General decline/);

    await other.getByRole('button', { name: /Approve/ }).click();
    await other.getByRole('alert').waitFor();
    assert.match((await other.getByRole('alert').textContent()) ?? '', /second outcome is refused/);
    assert.equal(sandbox.control.payment(PROJECT_ID, 'order-2')!.status, 'decline');
    await sandbox.control.settled();
    assert.deepEqual(
      receiver.received.map((c) => [statusOf(c.body), c.verified]),
      [
        ['awaiting customer action', true],
        ['decline', true],
      ],
    );
  });
});

describe('Payment Page in Chromium', () => {
  it('force_payment_method=cup-qr: bank list, QR, Approve in the bank app, back to the merchant', async (t) => {
    const { sandbox, receiver } = await setup(t);
    const successUrl = `${receiver.url}/shop/thanks`;
    const { context, page, errors } = await phone(t);
    await page.goto(
      paymentPageUrl(sandbox.url, {
        force_payment_method: 'cup-qr',
        merchant_success_url: successUrl,
      }),
    );
    assert.match((await page.textContent('[data-field="method"]')) ?? '', /CUP QR/);
    assert.equal(await page.textContent('[data-field="amount"]'), '¥300.00 CNY');
    await page.getByRole('radio', { name: /招商银行/ }).check();
    await page.getByRole('button', { name: /Pay/ }).click();

    // The QR page: what it encodes is this payment's bank-app page.
    await page.getByRole('img', { name: 'QR code' }).waitFor();
    const payment = sandbox.control.payment(PROJECT_ID, 'pp-1')!;
    assert.equal(payment.channel, 'payment-page');
    const bankLink = await page.getAttribute('[data-field="bank-link"]', 'href');
    assert.equal(bankLink, payment.qrUrl);
    // Read the code as a phone camera would, from the pixels.
    const shot = PNG.sync.read(await page.locator('.qr').screenshot());
    const scanned = jsQRModule.default(new Uint8ClampedArray(shot.data), shot.width, shot.height);
    assert.equal(scanned?.data, payment.qrUrl);
    await receiver.waitFor((r) => r.length === 1, 'the awaiting callback');

    // The shopper's phone.
    const bankApp = await context.newPage();
    await bankApp.goto(bankLink!);
    await bankApp.getByRole('button', { name: /Approve/ }).click();
    await bankApp.waitForSelector('[data-outcome="success"]');

    // The Payment Page follows the payment, then returns the shopper to the merchant.
    await page.waitForURL(successUrl, { timeout: 10_000 });
    await receiver.waitForVisit('/shop/thanks');
    const got = await receiver.waitFor((r) => r.length === 2, 'the success callback');
    assert.deepEqual(
      callbacksOf(got, 'pp-1').map((c) => [statusOf(c.body), c.verified]),
      [
        ['awaiting customer action', true],
        ['success', true],
      ],
    );
    assert.equal((got[1].body as any).customer.phone, '13632264147');
    assert.deepEqual(errors, []);
  });

  it('without force_payment_method: choose CUP QR first, then the bank', async (t) => {
    const { sandbox } = await setup(t);
    const { page } = await phone(t);
    await page.goto(paymentPageUrl(sandbox.url, { payment_id: 'pp-2' }));
    const method = page.getByRole('radio', { name: /CUP QR/ });
    assert.ok(await method.isChecked());
    assert.ok(await page.getByRole('radio', { name: /Card/ }).isDisabled());
    await page.getByRole('button', { name: /Continue/ }).click();
    await page.getByRole('radio', { name: /ICBC/ }).waitFor();
    assert.equal(sandbox.control.payments().length, 0, 'nothing created before the bank is chosen');
    await page.getByRole('button', { name: /Pay/ }).click();
    await page.getByRole('img', { name: 'QR code' }).waitFor();
    assert.equal(sandbox.control.payment(PROJECT_ID, 'pp-2')?.status, 'awaiting customer action');

    // The same signed request again (a reload from history) finds its payment...
    const session = page.url();
    assert.match(session, /\/payment\/session\/[A-Za-z0-9_-]{22}$/);
    await page.goto(paymentPageUrl(sandbox.url, { payment_id: 'pp-2' }));
    assert.equal(page.url(), session);
    // ...another request with the same payment_id is refused.
    const reused = await page.goto(
      paymentPageUrl(sandbox.url, { payment_id: 'pp-2', payment_description: '别的' }),
    );
    assert.equal(reused?.status(), 409);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Payment ID already used/);
    assert.equal(sandbox.control.payments().length, 1);
  });

  it('refuses a bad signature, USD and a float amount with an error page, creating nothing', async (t) => {
    const { sandbox } = await setup(t);
    const { page } = await phone(t);
    const tampered = paymentPageUrl(sandbox.url).replace(
      'payment_amount=30000',
      'payment_amount=1',
    );
    let response = await page.goto(tampered);
    assert.equal(response?.status(), 401);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Invalid signature/);

    response = await page.goto(paymentPageUrl(sandbox.url, { payment_currency: 'USD' }));
    assert.equal(response?.status(), 400);
    assert.match((await page.textContent('main')) ?? '', /payment_currency: CUP QR takes CNY only/);

    response = await page.goto(paymentPageUrl(sandbox.url, { payment_amount: '300.5' }));
    assert.equal(response?.status(), 400);
    assert.match((await page.textContent('main')) ?? '', /payment_amount: a positive integer/);
    assert.equal(sandbox.control.payments().length, 0);
  });
});
