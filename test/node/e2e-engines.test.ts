// End to end, as a shopper, in the two engines besides Chromium (e2e-demo.test.ts has
// Chromium's payments): the real demo shop (toolkit, SQLite store, sandbox) in Debian's
// Firefox ESR (puppeteer-core, WebDriver BiDi) and WebKitGTK (webdriverio, WebKitWebDriver).
// In each, one whole payment: the page starts it, the QR code is read from a screenshot, its URL
// opened in a second tab (the phone's bank app), Approve pressed there, success shown on the
// first tab.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDemo, type Demo } from '../../demo/server.js';
import { launchFirefox } from '../helpers/firefox.js';
import { decodeQrPng } from '../helpers/qr-png.js';
import { launchWebKit } from '../helpers/webkit.js';

/** What one browser engine does for the shopper. */
interface Shopper {
  /** Opens the shop's page. */
  open(url: string): Promise<void>;
  /** Resolves with the text of the element's status part once its status is `status`. */
  statusReached(status: string): Promise<string>;
  /** A screenshot (PNG) with the element in it. */
  screenshot(): Promise<Buffer>;
  /** Opens `url` in a second tab, as the bank app, and presses Approve there. */
  approveInBankApp(url: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * In the page: resolves (and calls `done`, for WebDriver's async scripts) with the text of the
 * element's status part once its `status` attribute is `expected`, from the attribute's
 * mutations; rejects after 20 s with the status it has. No named inner functions: the source is
 * sent to the browser as it is.
 */
function untilStatus(expected: string, done?: (result: unknown) => void): Promise<unknown> {
  const el = document.querySelector('cup-qr-checkout');
  const reached = new Promise<string>((resolve, reject) => {
    if (!el) {
      reject(new Error('no <cup-qr-checkout> on the page'));
      return;
    }
    const guard = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`status ${expected} not reached in 20 s (is ${el.getAttribute('status')})`));
    }, 20_000);
    const observer = new MutationObserver(() => {
      if (el.getAttribute('status') !== expected) return;
      observer.disconnect();
      clearTimeout(guard);
      resolve(el.shadowRoot?.querySelector('[part~="status"]')?.textContent ?? '');
    });
    observer.observe(el, { attributes: true, attributeFilter: ['status'] });
    if (el.getAttribute('status') === expected) {
      observer.disconnect();
      clearTimeout(guard);
      resolve(el.shadowRoot?.querySelector('[part~="status"]')?.textContent ?? '');
    }
  });
  if (!done) return reached;
  return reached.then(
    (text) => done({ text }),
    (error: Error) => done({ error: error.message }),
  );
}

async function firefoxShopper(): Promise<Shopper> {
  const browser = await launchFirefox();
  const [page] = await browser.pages();
  return {
    async open(url) {
      await page.goto(url);
    },
    async statusReached(status) {
      return String(await page.evaluate(untilStatus, status));
    },
    async screenshot() {
      const el = await page.$('cup-qr-checkout');
      assert.ok(el, 'no <cup-qr-checkout> on the page');
      return Buffer.from(await el.screenshot());
    },
    async approveInBankApp(url) {
      const phone = await browser.newPage();
      await phone.goto(url);
      await Promise.all([phone.waitForNavigation(), phone.click('button.approve')]);
    },
    close: () => browser.close(),
  };
}

async function webkitShopper(): Promise<Shopper> {
  const { browser, close } = await launchWebKit();
  const checkoutWindow = await browser.getWindowHandle();
  return {
    async open(url) {
      await browser.navigateTo(url);
    },
    async statusReached(status) {
      const result = (await browser.executeAsync(untilStatus, status)) as {
        text?: string;
        error?: string;
      };
      if (result.error) throw new Error(result.error);
      return result.text ?? '';
    },
    async screenshot() {
      // The window, with the element scrolled into it, once a frame shows it: WebKitWebDriver
      // 2.50's element screenshot crops the wrong part of the page, and a screenshot shows the
      // last frame painted, which can be older than the page's state.
      await browser.executeAsync((done: () => void) => {
        document.querySelector('cup-qr-checkout')?.scrollIntoView({ block: 'center' });
        requestAnimationFrame(() => requestAnimationFrame(() => done()));
      });
      return Buffer.from(await browser.takeScreenshot(), 'base64');
    },
    async approveInBankApp(url) {
      // WebDriver's own New Window: webdriverio's newWindow() calls window.open in the page,
      // and in MiniBrowser the bank app's page never came up in it.
      const { handle } = await browser.createWindow('tab');
      await browser.switchToWindow(handle);
      await browser.navigateTo(url);
      await browser.$('button.approve').click();
      await browser.switchToWindow(checkoutWindow);
    },
    close,
  };
}

describe('the demo shop, one whole payment in Firefox ESR and in WebKitGTK', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cup-qr-engines-'));
  let demo: Demo;

  before(async () => {
    demo = await startDemo({ port: 0, sandboxPort: 0, dataDir });
  });

  after(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const [engine, launch] of [
    ['Firefox ESR', firefoxShopper],
    ['WebKitGTK', webkitShopper],
  ] as const) {
    it(`${engine}: start, QR shown, Approve in the bank app, success shown`, async () => {
      const shopper = await launch();
      try {
        const sales = demo.sandbox!.control.saleRequests();
        await shopper.open(`${demo.url}/`);
        await shopper.statusReached('awaiting-customer');
        const qrUrl = decodeQrPng(await shopper.screenshot(), `${engine}'s screenshot`);
        assert.ok(qrUrl.startsWith(`${demo.sandbox!.url}/bank/`), qrUrl);
        await shopper.approveInBankApp(qrUrl);
        assert.match(await shopper.statusReached('success'), /支付成功/);
        assert.equal(demo.sandbox!.control.saleRequests(), sales + 1);
      } finally {
        await shopper.close();
      }
    });
  }
});
