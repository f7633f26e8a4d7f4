/**
 * What a screen reader hears and in which language: the amount as "300.00 Chinese yuan", the
 * countdown as minutes and seconds, Chinese inside English marked `lang="zh-CN"`, only the
 * platform's codes (never the toolkit's), no "scan" with nothing to scan, and no "generating
 * the QR code" in Payment Page mode. Against the real toolkit and sandbox.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import en from '../../src/translations/en.js';
import { zhCN } from '../../src/translations/index.js';
import { liveText, part, server, shadow, statusReached } from './helpers/checkout.js';

async function mount(payload: string, locale: string): Promise<CupQrCheckout> {
  return fixture<CupQrCheckout>(
    html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
  );
}

/** The text a screen reader gets from `root`: `aria-hidden` subtrees left out. */
function spokenText(root: Element): string {
  let text = '';
  for (const node of root.childNodes) {
    if (node instanceof Element) {
      if (node.getAttribute('aria-hidden') === 'true') continue;
      text += spokenText(node);
    } else if (node.nodeType === Node.TEXT_NODE) text += node.textContent;
  }
  return text.replace(/\s+/g, ' ').trim();
}

afterEach(async () => {
  await server.faults({});
  await server.reset();
  sessionStorage.clear();
});

describe('<cup-qr-checkout> spoken words', () => {
  for (const [locale, spoken, shown] of [
    ['en', 'Amount due 300.00 Chinese yuan', 'CN¥300.00'],
    ['zh-CN', '应付金额 300.00元', '¥300.00'],
  ] as const) {
    it(`speaks the amount as an amount, not "C N yen" (${locale})`, async () => {
      const { payload } = await server.payload();
      const el = await fixture<CupQrCheckout>(
        html`<cup-qr-checkout manual payload=${payload} locale=${locale}></cup-qr-checkout>`,
      );
      const amount = part(el, 'amount')!;
      expect(spokenText(amount)).to.equal(spoken);
      expect(amount.querySelector('[aria-hidden="true"]')!.textContent).to.equal(shown);
    });
  }

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`speaks the time left as minutes and seconds, shows m:ss (${locale})`, async () => {
      const { payload } = await server.payload();
      const el = await mount(payload, locale);
      await statusReached(el, 'awaiting-customer');
      const t = locale === 'en' ? en : zhCN;
      const timer = part(el, 'timer')!;
      const clock = /([0-9]+):([0-9]{2})/.exec(part(el, 'timer-text')!.textContent!)!;
      expect(part(el, 'timer-text')!.getAttribute('aria-hidden')).to.equal('true');
      expect(spokenText(timer)).to.equal(t.remainingAccessible(Number(clock[1]), Number(clock[2])));
      expect(spokenText(timer)).to.not.match(/[0-9]:[0-9]/);
      expect(liveText(el)).to.not.match(/[0-9]:[0-9]/);
      await expect(el).to.be.accessible();
    });
  }

  it('says minutes and seconds in both tables', () => {
    expect(en.remainingAccessible(9, 42)).to.equal('9 minutes 42 seconds left');
    expect(zhCN.remainingAccessible(9, 42)).to.equal('剩余9分42秒');
    expect(en.remainingSpoken(9, 0)).to.equal('The QR code expires in 9 minutes');
    expect(zhCN.remainingSpoken(0, 15)).to.equal('二维码将在15秒后失效');
  });

  it('marks the Chinese examples of English hints and instructions lang="zh-CN"', async () => {
    const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
    const el = await mount(payload, 'en');
    await statusReached(el, 'collecting');
    const hints = [...shadow(el).querySelectorAll('[part~="hint"]')];
    expect(hints.length).to.be.greaterThan(0);
    const marked = hints.flatMap((hint) =>
      [...hint.querySelectorAll('[lang="zh-CN"]')].map((span) => span.textContent),
    );
    expect(marked).to.include.members(['张', '北京市', '长安街1号']);
    // Every Han character in an English hint is inside a zh-CN span.
    for (const hint of hints) {
      const bare = [...hint.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
      expect(bare.map((n) => n.textContent).join('')).to.not.match(/\p{Script=Han}/u);
    }
    await expect(el).to.be.accessible();
  });

  it('leaves Chinese hints whole (no lang spans inside a zh-CN element)', async () => {
    const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
    const el = await mount(payload, 'zh-CN');
    await statusReached(el, 'collecting');
    expect(shadow(el).querySelectorAll('[part~="hint"] [lang]')).to.have.length(0);
  });

  it('shows the platform’s code only, in Chinese without its English message', async () => {
    const { payload } = await server.payload();
    const el = await mount(payload, 'zh-CN');
    await statusReached(el, 'awaiting-customer');
    await server.decline(el.paymentSession!.paymentId);
    await statusReached(el, 'decline');
    const { code, message } = el.paymentState!;
    expect(code).to.match(/^[0-9]+$/);
    const text = part(el, 'status')!.textContent!;
    expect(text).to.contain(`（错误码 ${code}）`);
    expect(text).to.contain(zhCN.declineDetail);
    if (message) expect(text).to.not.contain(message);
    expect(text).to.not.match(/[A-Za-z]{3,}/);
  });

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`never shows the toolkit’s own error code (gate-unavailable, ${locale})`, async () => {
      await server.faults({ gateError: 503 });
      const { payload } = await server.payload();
      const el = await mount(payload, locale);
      await statusReached(el, 'error');
      const text = part(el, 'base')!.textContent!;
      expect(text).to.not.contain('gate-unavailable');
      expect(text).to.not.contain('代码');
      expect(text).to.contain((locale === 'en' ? en : zhCN).errorFor('gate-unavailable'));
      await expect(el).to.be.accessible();
    });
  }

  it('says nothing about scanning when there is nothing to scan (no payload)', async () => {
    for (const locale of ['zh-CN', 'en']) {
      const el = await fixture<CupQrCheckout>(
        html`<cup-qr-checkout locale=${locale}></cup-qr-checkout>`,
      );
      // The heading (银联扫码支付) names the method; the stage must not ask for a scan.
      const text = part(el, 'stage')!.textContent!;
      expect(part(el, 'instructions'), locale).to.equal(null);
      expect(text).to.not.match(/scan|扫/i);
      expect(text).to.contain(locale === 'en' ? en.idle : zhCN.idle);
      await expect(el).to.be.accessible();
    }
  });

  it('does not announce "generating the QR code" in Payment Page mode', async () => {
    await server.faults({ callbackDelayMs: 1500 });
    const { payload } = await server.paymentPagePayload();
    const el = await mount(payload, 'zh-CN');
    await statusReached(el, 'pending');
    expect(liveText(el)).to.equal(zhCN.paymentPageInstructions);
    expect(part(el, 'base')!.textContent).to.not.contain(zhCN.pending);
  });
});
