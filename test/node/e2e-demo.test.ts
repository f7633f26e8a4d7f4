// End to end, as a shopper: the real demo shop (toolkit, SQLite store, sandbox) in Debian's
// Chromium. The QR code is read from a screenshot, its URL opened in a second page (the phone's
// bank app), Approve or Decline pressed there, and the result seen on the first page.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { DEMO_PAGES } from '../../demo/pages.js';
import { startDemo, type Demo } from '../../demo/server.js';
import { launchChromium } from '../helpers/chromium.js';
import { watchCsp } from '../helpers/csp.js';
import { decodeQrPng } from '../helpers/qr-png.js';

type Status =
  | 'idle'
  | 'collecting'
  | 'pending'
  | 'awaiting-customer'
  | 'success'
  | 'decline'
  | 'expired'
  | 'error';

function statusOf(page: Page): Promise<string | null> {
  return page.locator('cup-qr-checkout').getAttribute('status');
}

async function waitForStatus(page: Page, status: Status): Promise<void> {
  await page.waitForFunction(
    (expected) => document.querySelector('cup-qr-checkout')?.getAttribute('status') === expected,
    status,
    { timeout: 20_000 },
  );
}

/** Reads the QR code the way a phone camera would: from pixels. */
async function scanQr(page: Page): Promise<string> {
  return decodeQrPng(
    await page.locator('cup-qr-checkout').screenshot(),
    'the screenshot of the element',
  );
}

/** Fills in the customer form (loaded on demand from the file beside the script) and sends it. */
async function fillCustomerForm(page: Page): Promise<void> {
  await waitForStatus(page, 'collecting');
  const checkout = page.locator('cup-qr-checkout');
  await checkout.getByLabel('Family name').fill('伍');
  await checkout.getByLabel('Given name').fill('倩文');
  await checkout.getByLabel('City').fill('北京');
  await checkout.getByLabel('Street address').fill('朝阳区建国路88号');
  await checkout.getByRole('button', { name: 'Continue to payment' }).click();
}

describe('the demo shop, end to end in Chromium', () => {
  let browser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), 'cup-qr-demo-'));
  const demos: Demo[] = [];
  /** Browser-side CSP violations, which the strict pages must never have. */
  const violations: string[] = [];

  async function shop(qrTimeoutSeconds?: number): Promise<Demo> {
    const demo = await startDemo({ port: 0, sandboxPort: 0, dataDir, qrTimeoutSeconds });
    demos.push(demo);
    return demo;
  }

  async function openCheckout(
    context: BrowserContext,
    url: string,
  ): Promise<{ page: Page; qrUrl: string }> {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|TrustedHTML|Trusted Type/i.test(message.text())) {
        violations.push(message.text());
      }
    });
    await page.goto(url);
    await waitForStatus(page, 'awaiting-customer');
    return { page, qrUrl: await scanQr(page) };
  }

  before(async () => {
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const demo of demos) await demo.close();
    rmSync(dataDir, { recursive: true, force: true });
    assert.deepEqual(violations, []);
  });

  it('Approve in the bank app: the checkout shows success', async () => {
    const demo = await shop();
    const context = await browser.newContext();
    const { page, qrUrl } = await openCheckout(context, `${demo.url}/`);
    assert.ok(qrUrl.startsWith(`${demo.sandbox!.url}/bank/`), qrUrl);

    const phone = await context.newPage();
    await phone.goto(qrUrl);
    await phone.getByRole('button', { name: /Approve/ }).click();
    await waitForStatus(page, 'success');
    assert.equal(await statusOf(page), 'success');
    assert.equal(demo.sandbox!.control.saleRequests(), 1);
    await context.close();
  });

  it('Decline in the bank app: the checkout shows the decline (in English)', async () => {
    const demo = await shop();
    const context = await browser.newContext();
    const { page, qrUrl } = await openCheckout(context, `${demo.url}/?lang=en`);
    const phone = await context.newPage();
    await phone.goto(qrUrl);
    await phone.getByRole('button', { name: /Decline/ }).click();
    await waitForStatus(page, 'decline');
    // Playwright's locators pierce the element's shadow root: this is the text a shopper sees.
    await page.locator('cup-qr-checkout').getByText('Payment declined').first().waitFor();
    await context.close();
  });

  it('an unpaid code expires with the platform time-out, and a new code can be had', async () => {
    const demo = await shop(3);
    const context = await browser.newContext();
    const { page, qrUrl } = await openCheckout(context, `${demo.url}/`);
    await waitForStatus(page, 'expired');
    await page.locator('cup-qr-checkout').getByText('二维码已失效').first().waitFor();
    await page.getByRole('button', { name: '刷新二维码' }).click();
    await waitForStatus(page, 'awaiting-customer');
    const second = await scanQr(page);
    assert.notEqual(second, qrUrl, 'a new attempt has a new QR code');
    assert.equal(demo.sandbox!.control.saleRequests(), 2);
    await context.close();
  });

  it('a reload mid-payment resumes the same payment: no second sale', async () => {
    const demo = await shop();
    const context = await browser.newContext();
    const { page, qrUrl } = await openCheckout(context, `${demo.url}/`);
    await page.reload();
    await waitForStatus(page, 'awaiting-customer');
    assert.equal(await scanQr(page), qrUrl);
    assert.equal(demo.sandbox!.control.saleRequests(), 1);

    const phone = await context.newPage();
    await phone.goto(qrUrl);
    await phone.getByRole('button', { name: /Approve/ }).click();
    await waitForStatus(page, 'success');
    await context.close();
  });

  it('every demo page takes a whole payment under its strict CSP with zero violations', async () => {
    const demo = await shop();
    // The listener itself: a Trusted Types violation on purpose is reported.
    const control = await browser.newContext();
    const controlReports: string[] = [];
    await watchCsp(control, controlReports);
    const probe = await control.newPage();
    await probe.route(`${demo.url}/csp-probe`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: { 'Content-Security-Policy': "require-trusted-types-for 'script'" },
        body: '<!doctype html><title>probe</title><p>probe</p>',
      }),
    );
    await probe.goto(`${demo.url}/csp-probe`);
    await probe.evaluate(async () => {
      const reported = new Promise((resolve) =>
        window.addEventListener('securitypolicyviolation', resolve, { once: true }),
      );
      try {
        document.body.innerHTML = '<i>refused</i>';
      } catch {
        /* refused by Trusted Types, as it should be */
      }
      await reported;
      await Promise.all((window as unknown as { __cspPending: Promise<void>[] }).__cspPending);
    });
    assert.equal(controlReports.length, 1, JSON.stringify(controlReports));
    assert.match(controlReports[0], /require-trusted-types-for/);
    await control.close();

    const reports: string[] = [];
    const paid: string[] = [];
    let loads = 0;
    for (const page of DEMO_PAGES) {
      const context = await browser.newContext();
      await watchCsp(context, reports);
      context.on('page', (opened) => opened.on('load', () => loads++));
      const tab = await context.newPage();
      await tab.goto(`${demo.url}${page.path}?lang=en`);
      const checkout = tab.locator('cup-qr-checkout');
      const manual = page.attributes?.includes('manual') ?? false;
      if (manual) {
        await waitForStatus(tab, 'idle');
        await checkout.getByRole('button', { name: 'Start payment' }).click();
      }
      let bankApp: Page;
      if (page.framesPaymentPage) {
        // The Payment Page in the element's own frame: the bank-app link opens a window.
        const frame = await tab.waitForSelector('cup-qr-checkout iframe');
        const payment = (await frame.contentFrame())!;
        await payment.getByRole('button', { name: /Pay/ }).click();
        [bankApp] = await Promise.all([
          context.waitForEvent('page'),
          payment.locator('[data-field="bank-link"]').click(),
        ]);
      } else if (page.mode === 'payment-page') {
        await waitForStatus(tab, 'pending');
        const [popup] = await Promise.all([
          context.waitForEvent('page'),
          checkout.getByRole('button', { name: 'Continue to the payment page' }).click(),
        ]);
        await popup.waitForURL(/\/payment\?/);
        await popup.getByRole('button', { name: /Pay/ }).click();
        // The bank-app link opens a window of its own (it must leave a frame the same way).
        [bankApp] = await Promise.all([
          context.waitForEvent('page'),
          popup.locator('[data-field="bank-link"]').click(),
        ]);
      } else {
        if (page.askCustomer) await fillCustomerForm(tab);
        await waitForStatus(tab, 'awaiting-customer');
        bankApp = await context.newPage();
        await bankApp.goto(await scanQr(tab));
      }
      await bankApp.getByRole('button', { name: /Approve/ }).click();
      await waitForStatus(tab, 'success');
      // A reload shows the paid order again, under the same policy; then every report is in.
      await tab.reload();
      // The demo signs a new payload on each load, and the tab remembers a paid order by its
      // payload: the form asks again, and the server answers with the paid payment.
      if (page.askCustomer) await fillCustomerForm(tab);
      if (manual) {
        await waitForStatus(tab, 'idle');
        await checkout.getByRole('button', { name: 'Start payment' }).click();
      }
      await waitForStatus(tab, 'success');
      for (const open of context.pages()) {
        await open.evaluate(() =>
          Promise.all((window as unknown as { __cspPending?: Promise<void>[] }).__cspPending ?? []),
        );
      }
      paid.push(page.path);
      await context.close();
    }
    assert.deepEqual(
      paid,
      DEMO_PAGES.map((p) => p.path),
    );
    console.log(
      `csp: ${paid.length} demo pages (${paid.join(' ')}), a whole payment each, ` +
        `${loads} documents loaded (shop, sandbox Payment Page, bank app), ` +
        `${reports.length} violations`,
    );
    violations.push(...reports);
    assert.deepEqual(reports, []);
  });

  it('the embedded Payment Page on phones: fits its frame (one scrollbar), closed, reopened, paid in it', async () => {
    const demo = await shop();
    const sizes: string[] = [];
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 320, height: 568 },
    ]) {
      const context = await browser.newContext({
        viewport,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
      });
      const tab = await context.newPage();
      await tab.goto(`${demo.url}/payment-page-embedded`);
      const checkout = tab.locator('cup-qr-checkout');
      const framed = async (): Promise<Frame> => {
        const frame = (await (await tab.waitForSelector('cup-qr-checkout iframe')).contentFrame())!;
        await frame.waitForSelector('[data-field="amount"]');
        return frame;
      };
      /** The framed document within its frame: no scrollbar of its own, whatever the step. */
      const fits = async (frame: Frame, step: string): Promise<void> => {
        const size = await frame.evaluate(() => ({
          used: Math.ceil(document.querySelector('main')!.getBoundingClientRect().bottom),
          content: document.documentElement.scrollHeight,
          frame: window.innerHeight,
          wide: document.documentElement.scrollWidth <= window.innerWidth,
        }));
        sizes.push(`${viewport.width}px ${step} ${size.used}/${size.frame}`);
        assert.ok(
          size.content <= size.frame && size.wide,
          `${step} at ${viewport.width}px: ${JSON.stringify(size)}`,
        );
      };
      let frame = await framed();
      const box = (await tab.locator('cup-qr-checkout iframe').boundingBox())!;
      const card = (await checkout.boundingBox())!;
      // The card's whole width inside its two 1px borders, most of a phone's screen.
      assert.equal(Math.round(box.width), Math.round(card.width) - 2, 'the full width of the card');
      assert.ok(box.width >= viewport.width - 40, `wide enough on a phone (${box.width}px)`);
      await fits(frame, 'bank list');

      // Closed: nothing cancelled; reopened from the same button as the window's.
      await checkout.getByRole('button', { name: '关闭收银台' }).click();
      await checkout.getByText('收银台已关闭，这笔付款仍可继续。').waitFor();
      assert.equal(await statusOf(tab), 'pending');
      await checkout.getByRole('button', { name: '前往收银台付款' }).click();
      frame = await framed();

      await frame.getByRole('button', { name: /Pay/ }).click();
      await frame.getByRole('img', { name: 'QR code' }).waitFor();
      await fits(frame, 'QR code');
      const [bankApp] = await Promise.all([
        context.waitForEvent('page'),
        frame.locator('[data-field="bank-link"]').click(),
      ]);
      await bankApp.getByRole('button', { name: /Approve/ }).click();
      await waitForStatus(tab, 'success');
      assert.equal(await tab.locator('cup-qr-checkout iframe').count(), 0);
      await context.close();
    }
    console.log(`embedded Payment Page, page/frame height: ${sizes.join(', ')}`);
  });

  it('the Payment Page file cannot load: page-unavailable naming it; Try again pays the same payment', async () => {
    const demo = await shop();
    const context = await browser.newContext();
    // The file beside the script fails as it would offline (a CDN that copied the main file only).
    const companion = '**/cup-qr-checkout.page.js*';
    await context.route(companion, (route) => route.abort('internetdisconnected'));
    const tab = await context.newPage();
    await tab.addInitScript(() => {
      const codes: unknown[] = ((window as unknown as { errorCodes: unknown[] }).errorCodes = []);
      document.addEventListener('cup-qr-error', (e) => codes.push((e as CustomEvent).detail.code));
    });
    await tab.goto(`${demo.url}/payment-page?lang=en`);
    const checkout = tab.locator('cup-qr-checkout');
    await waitForStatus(tab, 'idle');
    await checkout.getByRole('button', { name: 'Start payment' }).click();
    await waitForStatus(tab, 'error');
    const text = await checkout.evaluate((el) => el.shadowRoot!.textContent ?? '');
    assert.ok(text.includes(`${demo.url}/assets/cup-qr-checkout.page.js`), text);
    assert.doesNotMatch(text, /page-unavailable/);
    assert.deepEqual(
      await tab.evaluate(() => (window as unknown as { errorCodes: unknown }).errorCodes),
      ['page-unavailable'],
    );

    // Back online: Try again loads the file, and the server answers with the same payment.
    await context.unroute(companion);
    await checkout.getByRole('button', { name: 'Try again' }).click();
    await waitForStatus(tab, 'pending');
    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      checkout.getByRole('button', { name: 'Continue to the payment page' }).click(),
    ]);
    const paymentId = await checkout.evaluate(
      (el) =>
        (el as unknown as { paymentSession?: { paymentId: string } }).paymentSession?.paymentId,
    );
    // The order's first attempt (a second one would be `<ref>~2`): one payment, not two.
    assert.ok(paymentId && !paymentId.includes('~'), `the order's first payment: ${paymentId}`);
    await popup.waitForURL(/\/payment\?/);
    await popup.getByRole('button', { name: /Pay/ }).click();
    const [bankApp] = await Promise.all([
      context.waitForEvent('page'),
      popup.locator('[data-field="bank-link"]').click(),
    ]);
    await bankApp.getByRole('button', { name: /Approve/ }).click();
    await waitForStatus(tab, 'success');
    await context.close();
  });

  it('the classic script and the themed page take a payment too', async () => {
    const demo = await shop();
    for (const path of ['/classic', '/themed']) {
      const context = await browser.newContext();
      const { page, qrUrl } = await openCheckout(context, `${demo.url}${path}`);
      const phone = await context.newPage();
      await phone.goto(qrUrl);
      await phone.getByRole('button', { name: /Approve/ }).click();
      await waitForStatus(page, 'success');
      await context.close();
    }
  });
});
