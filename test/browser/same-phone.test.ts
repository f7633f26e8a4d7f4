/**
 * Paying on the phone that shows the code: on a phone-sized screen the element says how (save
 * the image, open 云闪付 or the bank app, 扫一扫 -> 相册, or open an `https:` link), notes what
 * next after a save and after a copy (never "long-press": an inline SVG cannot be saved so), and
 * offers a clear 刷新二维码 once a code has expired (a CUP QR code cannot be extended). Against
 * the real toolkit and sandbox, in both languages.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import en from '../../src/translations/en.js';
import { zhCN, type Translation } from '../../src/translations/index.js';
import { appLinkFor } from '../../src/wire/qr.js';
import { button, decodeQr, part, server, shadow, statusReached } from './helpers/checkout.js';

const TABLES: Record<string, Translation> = { 'zh-CN': zhCN, en };

async function mountWaiting(locale: string): Promise<CupQrCheckout> {
  const { payload } = await server.payload();
  const el = await fixture<CupQrCheckout>(
    html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
  );
  await statusReached(el, 'awaiting-customer');
  return el;
}

const note = (el: CupQrCheckout): string => shadow(el).querySelector('.note')!.textContent!.trim();

/** Replaces `navigator.clipboard` for the body of `run`. */
async function withClipboard(
  writeText: (text: string) => Promise<void>,
  run: () => Promise<void>,
): Promise<void> {
  const clipboard = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard')!;
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
  try {
    await run();
  } finally {
    delete (navigator as unknown as Record<string, unknown>).clipboard;
    Object.defineProperty(Navigator.prototype, 'clipboard', clipboard);
  }
}

afterEach(async () => {
  await setViewport({ width: 800, height: 600 });
  await server.reset();
  sessionStorage.clear();
});

describe('<cup-qr-checkout> paying on the same phone', () => {
  for (const locale of ['zh-CN', 'en']) {
    const t = TABLES[locale];

    it(`says how to pay from this phone on a phone-sized screen only (${locale})`, async () => {
      const el = await mountWaiting(locale);
      const samePhone = part(el, 'same-phone')!;
      // Hidden on a desktop: looked at in the file's first test only, as WebKitGTK 2.50 keeps a
      // shadow root's @media result from before the last resize until some later restyle.
      if (locale === 'zh-CN') expect(getComputedStyle(samePhone).display).to.equal('none');
      expect(part(el, 'instructions')!.textContent).to.equal(t.instructions);
      await setViewport({ width: 390, height: 800 });
      await waitUntil(() => getComputedStyle(samePhone).display !== 'none', 'shown on a phone', {
        timeout: 10000,
      });
      const link = appLinkFor(el.paymentState!.qr!.data) !== undefined;
      expect(samePhone.textContent!.replace(/\s+/g, ' ').trim()).to.equal(t.samePhone(link));
      // Save, open the app, scan from the album: and the save button it names is there.
      expect(samePhone.textContent).to.match(locale === 'en' ? /photos/ : /相册/);
      expect(button(el, t.saveImage)).to.be.instanceOf(HTMLElement);
      if (locale === 'en') {
        expect(samePhone.querySelector('[lang="zh-CN"]')!.textContent).to.equal('云闪付');
      }
      await expect(el).to.be.accessible();
    });

    it(`names an https: link "open payment link", never an app (${locale})`, () => {
      expect(t.openInApp).to.not.match(/app/i);
      expect(t.samePhone(true)).to.not.equal(t.samePhone(false));
      expect(t.samePhone(false)).to.not.match(/link|链接/i);
    });

    it(`flows the same-phone text as one paragraph, its Chinese inline (${locale})`, async () => {
      const el = await mountWaiting(locale);
      await setViewport({ width: 390, height: 800 });
      const text = part(el, 'same-phone')!;
      // A flex paragraph made each text run and lang span a column of its own (云/闪/付 stacked).
      expect(getComputedStyle(text).display).to.equal('block');
      for (const run of text.querySelectorAll<HTMLElement>('[lang]')) {
        const box = run.getBoundingClientRect();
        expect(box.width, `"${run.textContent}" reads along its line`).to.be.greaterThan(
          box.height,
        );
      }
    });

    it(`notes what next after saving the image (${locale})`, async () => {
      const el = await mountWaiting(locale);
      await setViewport({ width: 390, height: 800 });
      const click = HTMLAnchorElement.prototype.click;
      try {
        await new Promise<void>((resolve) => {
          HTMLAnchorElement.prototype.click = () => resolve();
          button(el, t.saveImage).click();
        });
      } finally {
        HTMLAnchorElement.prototype.click = click;
      }
      await waitUntil(() => note(el) === t.saved, `the note after saving (is "${note(el)}")`);
      expect(t.saved).to.match(locale === 'en' ? /Scan.*photos/ : /扫一扫.*相册/);
      await expect(el).to.be.accessible();
    });

    it(`notes what next after a copy, and a failed copy never says long-press (${locale})`, async () => {
      const el = await mountWaiting(locale);
      await withClipboard(
        async () => {},
        async () => {
          button(el, t.copyLink).click();
          await waitUntil(() => note(el) === t.copied, `the note after copying (is "${note(el)}")`);
        },
      );
      expect(t.copied.length).to.be.greaterThan(8);
      await withClipboard(
        () => Promise.reject(new Error('denied')),
        async () => {
          button(el, t.copyLink).click();
          await waitUntil(() => note(el) === t.copyFailed, `the note after a failed copy`);
        },
      );
      expect(t.copyFailed).to.not.match(/long-press|长按/i);
    });

    it(`offers 刷新二维码 / a new QR code once the code has expired (${locale})`, async () => {
      const el = await mountWaiting(locale);
      const first = el.paymentSession!.paymentId;
      const firstData = el.paymentState!.qr!.data;
      await server.expire(first);
      await statusReached(el, 'expired');
      expect(part(el, 'status')!.textContent).to.contain(t.expired);
      button(el, t.newCode).click();
      await waitUntil(
        () => el.status === 'awaiting-customer' && el.paymentSession!.paymentId !== first,
        'a new attempt with its own code',
        { timeout: 8000 },
      );
      await el.updateComplete;
      expect(el.paymentState!.qr!.data).to.not.equal(firstData);
      expect(await decodeQr(el)).to.equal(el.paymentState!.qr!.data);
    });
  }

  it('words the refresh as 刷新二维码', () => {
    expect(zhCN.newCode).to.equal('刷新二维码');
    expect(zhCN.expired).to.equal('二维码已失效');
    expect(en.newCode).to.equal('Get a new QR code');
  });
});
