/**
 * <cup-qr-checkout> on phones, with reduced motion, in the dark, and with slotted content:
 * against the real toolkit and sandbox like checkout.test.ts.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { button, decodeQr, part, server, shadow, statusReached } from './helpers/checkout.js';

async function mountWaiting(locale = 'zh-CN'): Promise<CupQrCheckout> {
  const { payload } = await server.payload();
  const el = await fixture<CupQrCheckout>(
    html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
  );
  await statusReached(el, 'awaiting-customer');
  return el;
}

afterEach(async () => {
  await setViewport({ width: 800, height: 600 });
  await emulateMedia({ reducedMotion: 'no-preference', colorScheme: 'light' });
  await server.reset();
  sessionStorage.clear();
});

describe('<cup-qr-checkout> on a phone', () => {
  it('shows the phone actions only on a small screen', async () => {
    const el = await mountWaiting();
    const phone = part(el, 'phone-actions')!;
    expect(getComputedStyle(phone).display).to.equal('none');
    await setViewport({ width: 390, height: 800 });
    await waitUntil(() => getComputedStyle(phone).display !== 'none', 'phone actions shown', {
      timeout: 10000,
    });
    await expect(el).to.be.accessible();
  });

  it('copies the payment link', async () => {
    const el = await mountWaiting();
    const copied: string[] = [];
    const clipboard = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard')!;
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void copied.push(text) },
    });
    try {
      button(el, '复制付款链接').click();
      await waitUntil(
        () =>
          shadow(el).querySelector('.note')!.textContent!.trim() ===
          '链接已复制，可粘贴到浏览器中打开并付款。',
      );
      expect(copied).to.deep.equal([el.paymentState!.qr!.data]);
    } finally {
      delete (navigator as unknown as Record<string, unknown>).clipboard;
      Object.defineProperty(Navigator.prototype, 'clipboard', clipboard);
    }
  });

  it('saves the QR code as a PNG that still scans', async () => {
    const el = await mountWaiting();
    // The element builds the PNG (image decode, canvas) before it clicks a download link:
    // wait for that click itself, however long the drawing takes on a busy machine.
    const click = HTMLAnchorElement.prototype.click;
    let saved: { href: string; download: string };
    try {
      saved = await new Promise((resolve) => {
        HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
          resolve({ href: this.href, download: this.download });
        };
        button(el, '保存二维码图片').click();
      });
    } finally {
      HTMLAnchorElement.prototype.click = click;
    }
    expect(saved.download).to.equal('unionpay-qr.png');
    const blob = await (await fetch(saved.href)).blob();
    expect(blob.type).to.equal('image/png');
    const bitmap = await createImageBitmap(blob);
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const { default: jsQRModule } = await import('jsqr');
    const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ??
      jsQRModule) as typeof jsQRModule.default;
    const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
    expect(jsQR(data, width, height)?.data).to.equal(el.paymentState!.qr!.data);
  });
});

describe('<cup-qr-checkout> styling', () => {
  it('respects prefers-reduced-motion', async () => {
    await server.faults({ callbackDelayMs: 2000 });
    const { payload } = await server.payload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout payload=${payload}></cup-qr-checkout>`,
    );
    await statusReached(el, 'pending');
    const skeleton = part(el, 'skeleton')!;
    expect(getComputedStyle(skeleton).animationName).to.equal('shimmer');
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(getComputedStyle(skeleton).animationName).to.equal('none');
  });

  it('has a dark scheme, and keeps the code dark on light', async () => {
    const el = await mountWaiting('en');
    const base = part(el, 'base')!;
    const light = getComputedStyle(base).backgroundColor;
    await emulateMedia({ colorScheme: 'dark' });
    expect(getComputedStyle(base).backgroundColor).to.not.equal(light);
    expect(getComputedStyle(part(el, 'qr')!).backgroundColor).to.equal('rgb(255, 255, 255)');
    expect(await decodeQr(el)).to.equal(el.paymentState!.qr!.data);
    await expect(el).to.be.accessible();
  });

  it('takes --cup-qr-* custom properties and ::part() styles', async () => {
    const el = await mountWaiting();
    el.style.setProperty('--cup-qr-size', '180px');
    el.style.setProperty('--cup-qr-foreground', 'rgb(0, 0, 128)');
    expect(part(el, 'qr')!.getBoundingClientRect().width).to.equal(180);
    expect(getComputedStyle(part(el, 'qr')!).color).to.equal('rgb(0, 0, 128)');
  });

  it('shows slotted header, footer and result content', async () => {
    const { payload } = await server.payload();
    const el = await fixture<CupQrCheckout>(html`
      <cup-qr-checkout payload=${payload}>
        <h3 slot="header">My shop</h3>
        <p slot="footer">Terms apply</p>
        <div slot="success">Thanks! Your order ships today.</div>
      </cup-qr-checkout>
    `);
    await statusReached(el, 'awaiting-customer');
    const slotted = (name: string) =>
      shadow(el)
        .querySelector<HTMLSlotElement>(`slot[name="${name}"]`)!
        .assignedElements()
        .map((e) => e.textContent);
    expect(slotted('header')).to.deep.equal(['My shop']);
    expect(slotted('footer')).to.deep.equal(['Terms apply']);
    const success = oneEvent(el, 'cup-qr-success');
    await server.approve(el.paymentSession!.paymentId);
    await success;
    await el.updateComplete;
    expect(slotted('success')).to.deep.equal(['Thanks! Your order ships today.']);
    await expect(el).to.be.accessible();
  });
});
