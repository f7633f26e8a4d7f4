/**
 * <cup-qr-checkout> end to end: the element in each browser engine against the real merchant
 * toolkit (served under /cup-qr/ by the test runner) and the real ECommPay sandbox behind it.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import type { CupQrSuccessEvent } from '../../src/events.js';
import { FakeClock } from './helpers/fake-clock.js';
import {
  button,
  decodeQr,
  liveText,
  part,
  recordEvents,
  server,
  shadow,
  statusReached,
} from './helpers/checkout.js';

async function mount(payload: string, locale = 'zh-CN'): Promise<CupQrCheckout> {
  return fixture<CupQrCheckout>(
    html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
  );
}

/** Mounted with `manual`, a fake clock set, then started. */
async function mountWithClock(payload: string, clock: FakeClock): Promise<CupQrCheckout> {
  const el = await fixture<CupQrCheckout>(
    html`<cup-qr-checkout manual payload=${payload} locale="en"></cup-qr-checkout>`,
  );
  el.clock = clock;
  void el.start();
  return el;
}

const LABELS = {
  'zh-CN': {
    title: '银联扫码支付',
    instructions: '请打开云闪付或手机银行App，“扫一扫”完成付款',
    success: '支付成功',
    decline: '支付失败',
    expired: '二维码已失效',
    error: '暂时无法完成支付',
    newCode: '刷新二维码',
    amount: '¥300.00',
  },
  en: {
    title: 'Pay with UnionPay QR',
    instructions: 'Open the UnionPay app or your bank app and scan the QR code to pay',
    success: 'Payment successful',
    decline: 'Payment declined',
    expired: 'QR code expired',
    error: 'The payment could not be completed',
    newCode: 'Get a new QR code',
    amount: 'CN¥300.00',
  },
} as const;

afterEach(async () => {
  await server.reset();
  sessionStorage.clear();
});

describe('<cup-qr-checkout> against the toolkit and the sandbox', () => {
  for (const locale of ['zh-CN', 'en'] as const) {
    describe(`every state, axe-clean, in ${locale}`, () => {
      const words = LABELS[locale];

      it('idle (manual), with a start button', async () => {
        const { payload } = await server.payload();
        const el = await fixture<CupQrCheckout>(
          html`<cup-qr-checkout manual payload=${payload} locale=${locale}></cup-qr-checkout>`,
        );
        expect(el.status).to.equal('idle');
        expect(el.getAttribute('status')).to.equal('idle');
        expect(el.matches(':state(idle)')).to.equal(true);
        expect(part(el, 'amount')!.textContent).to.contain(words.amount);
        await expect(el).to.be.accessible();
        expect(await server.saleRequests()).to.be.a('number');
      });

      it('starting, pending, then the QR code', async () => {
        await server.faults({ callbackDelayMs: 1500 });
        const { payload } = await server.payload();
        const el = await mount(payload, locale);
        expect(el.status).to.equal('starting');
        expect(part(el, 'skeleton'), 'skeleton while starting').to.be.instanceOf(HTMLElement);
        // The amount and description show at once, from the payload.
        expect(part(el, 'amount')!.textContent).to.contain(words.amount);
        expect(part(el, 'description')!.textContent).to.equal('测试订单 Test order');
        await expect(el).to.be.accessible();
        await statusReached(el, 'pending');
        expect(el.matches(':state(pending)')).to.equal(true);
        expect(part(el, 'skeleton')).to.be.instanceOf(HTMLElement);
        await expect(el).to.be.accessible();
        await statusReached(el, 'awaiting-customer');
        expect(el.matches(':state(awaiting-customer)')).to.equal(true);
        expect(part(el, 'instructions')!.textContent).to.equal(words.instructions);
        expect(part(el, 'timer')).to.be.instanceOf(HTMLElement);
        await expect(el).to.be.accessible();
      });

      it('success', async () => {
        const { payload } = await server.payload();
        const el = await mount(payload, locale);
        await statusReached(el, 'awaiting-customer');
        await server.approve(el.paymentSession!.paymentId);
        await statusReached(el, 'success');
        expect(el.matches(':state(success)')).to.equal(true);
        expect(part(el, 'status')!.textContent).to.contain(words.success);
        await expect(el).to.be.accessible();
      });

      it('decline, with a new-code action', async () => {
        const { payload } = await server.payload();
        const el = await mount(payload, locale);
        await statusReached(el, 'awaiting-customer');
        await server.decline(el.paymentSession!.paymentId);
        await statusReached(el, 'decline');
        expect(part(el, 'status')!.textContent).to.contain(words.decline);
        expect(button(el, words.newCode)).to.be.instanceOf(HTMLElement);
        await expect(el).to.be.accessible();
      });

      it('expired (the platform’s time-out), in its own words', async () => {
        const { payload } = await server.payload();
        const el = await mount(payload, locale);
        await statusReached(el, 'awaiting-customer');
        await server.expire(el.paymentSession!.paymentId);
        await statusReached(el, 'expired');
        const text = part(el, 'status')!.textContent!;
        expect(text).to.contain(words.expired);
        expect(text).to.not.contain(words.decline);
        await expect(el).to.be.accessible();
      });

      it('error: a tampered payload is refused by the server', async () => {
        const { payload } = await server.payload();
        const tampered = `${payload.slice(0, -2)}${payload.endsWith('A') ? 'BB' : 'AA'}`;
        const el = await mount(tampered, locale);
        const error = await oneEvent(el, 'cup-qr-error');
        expect(error.detail.code).to.be.a('string').and.not.equal('');
        await statusReached(el, 'error');
        expect(part(el, 'status')!.textContent).to.contain(words.error);
        await expect(el).to.be.accessible();
      });
    });
  }

  it('shows ECommPay’s awaiting customer as a decline the shopper can retry (attempt 2)', async () => {
    const { payload } = await server.payload();
    const el = await mount(payload, 'en');
    await statusReached(el, 'awaiting-customer');
    const first = el.paymentSession!.paymentId;
    const declined = oneEvent(el, 'cup-qr-decline');
    await server.decline(first, 'awaiting customer');
    expect((await declined).detail.code).to.equal('awaiting-customer');
    await statusReached(el, 'decline');
    expect(part(el, 'qr')).to.equal(null);
    expect(part(el, 'status')!.textContent).to.contain(LABELS.en.decline);
    await expect(el).to.be.accessible();
    button(el, LABELS.en.newCode).click();
    await statusReached(el, 'awaiting-customer');
    expect(el.paymentSession!.paymentId).to.equal(`${first}~2`);
  });

  it('draws a QR code that decodes to the payment’s qr_data', async () => {
    const { payload } = await server.payload();
    const el = await mount(payload);
    await statusReached(el, 'awaiting-customer');
    const payment = await server.payment(el.paymentSession!.paymentId);
    expect(payment?.qrUrl).to.be.a('string');
    expect(el.paymentState!.qr!.data).to.equal(payment!.qrUrl);
    expect(await decodeQr(el)).to.equal(payment!.qrUrl);
    const svgElement = shadow(el).querySelector('[part~="qr"] svg')!;
    expect(svgElement.getAttribute('role')).to.equal('img');
    expect(svgElement.getAttribute('aria-label')).to.equal('银联支付二维码');
  });

  it('sizes the code with qr-size', async () => {
    const { payload } = await server.payload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout payload=${payload} qr-size="300"></cup-qr-checkout>`,
    );
    await statusReached(el, 'awaiting-customer');
    expect(part(el, 'qr')!.getBoundingClientRect().width).to.equal(300);
  });

  it('never makes an http: QR URL a link (the sandbox’s bank app is http:)', async () => {
    const { payload } = await server.payload();
    const el = await mount(payload);
    await statusReached(el, 'awaiting-customer');
    expect(el.paymentState!.qr!.data).to.match(/^http:/);
    expect(shadow(el).querySelector('a[href]')).to.equal(null);
    expect(button(el, '复制付款链接')).to.be.instanceOf(HTMLElement);
    expect(button(el, '保存二维码图片')).to.be.instanceOf(HTMLElement);
  });

  it('draws an EMVCo payload exactly as the platform sent it, with no link and nothing to copy', async () => {
    const { payload } = await server.emvPayload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout payload=${payload} endpoint="/cup-qr-emv"></cup-qr-checkout>`,
    );
    await statusReached(el, 'awaiting-customer');
    const paymentId = el.paymentSession!.paymentId;
    const payment = (await server.payment(paymentId, 'emv'))!;
    expect(payment.qrData).to.match(/^000201010212\d{2}.+6304[0-9A-F]{4}$/u);
    expect(payment.qrData).to.contain('沙盒商户');
    expect(el.paymentState!.qr!.data).to.equal(payment.qrData);
    expect(await decodeQr(el)).to.equal(payment.qrData);
    expect(shadow(el).querySelector('a[href]'), 'no "open in bank app"').to.equal(null);
    const actions = [...part(el, 'phone-actions')!.querySelectorAll('button, a')];
    expect(actions.map((a) => a.textContent!.trim())).to.deep.equal(['保存二维码图片']);
    await expect(el).to.be.accessible();
    // The bank-app page is not in the code: the shopper's bank approves through the control API.
    const success = oneEvent(el, 'cup-qr-success');
    await server.approve(paymentId, 'emv');
    await success;
    await statusReached(el, 'success');
  });

  it('fires cup-qr-success once with its details, despite duplicate callbacks and pushes', async () => {
    await server.faults({ duplicateCallbacks: 2 });
    await server.sse({ duplicate: true });
    const { payload, order } = await server.payload(12345);
    const el = await mount(payload);
    const seen = recordEvents(el, [
      'cup-qr-success',
      'cup-qr-decline',
      'cup-qr-expire',
      'cup-qr-error',
    ]);
    const statuses = recordEvents(el, ['cup-qr-status']);
    await statusReached(el, 'awaiting-customer');
    const success = oneEvent(el, 'cup-qr-success');
    await server.approve(el.paymentSession!.paymentId);
    const event = (await success) as CupQrSuccessEvent;
    await server.settled();
    // Every callback delivered and the stream ended: nothing more can arrive.
    const id = el.paymentSession!.paymentId;
    await waitUntil(async () => (await server.streams(id)) === 0, 'stream ended', {
      timeout: 10000,
    });
    await el.updateComplete;
    expect(seen.map((e) => e.type)).to.deep.equal(['cup-qr-success']);
    const { duplicated } = await server.sse({});
    expect(duplicated, 'status events the page received twice').to.be.greaterThan(1);
    expect(event.detail).to.deep.include({
      paymentId: el.paymentSession!.paymentId,
      amount: order.amount,
      currency: 'CNY',
      resumed: false,
    });
    expect(event.bubbles && event.composed).to.equal(true);
    const sequence = statuses.map((e) => (e as CustomEvent).detail.status);
    expect(sequence.at(-1)).to.equal('success');
    expect(new Set(sequence).size, 'each status once').to.equal(sequence.length);
  });

  it('reconnects a dropped stream and still delivers the result', async () => {
    const { payload } = await server.payload();
    const el = await mount(payload);
    await statusReached(el, 'awaiting-customer');
    const id = el.paymentSession!.paymentId;
    await waitUntil(async () => (await server.streams(id)) === 1, 'stream open', {
      timeout: 10000,
    });
    await server.dropStreams(id);
    await waitUntil(async () => (await server.streams(id)) === 1, 'stream reopened', {
      timeout: 8000,
    });
    const seen = recordEvents(el, ['cup-qr-success']);
    await server.approve(id);
    await statusReached(el, 'success');
    expect(seen).to.have.length(1);
  });

  it('streams that end after their lifetime: reconnects each time, misses nothing, one result', async () => {
    // Every stream of this payment ends at its first heartbeat, as any does after maxLifetimeMs.
    await server.sse({ short: true });
    const { payload } = await server.payload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout manual payload=${payload} locale="en"></cup-qr-checkout>`,
    );
    const statuses = recordEvents(el, ['cup-qr-status']);
    const results = recordEvents(el, ['cup-qr-success', 'cup-qr-error', 'cup-qr-expire']);
    void el.start();
    await statusReached(el, 'awaiting-customer');
    const id = el.paymentSession!.paymentId;
    await waitUntil(async () => (await server.streamOpens(id)) >= 4, 'four streams opened', {
      timeout: 15000,
      interval: 100,
    });
    expect(el.status).to.equal('awaiting-customer');
    await server.approve(id);
    await statusReached(el, 'success');
    expect(results.map((e) => e.type)).to.deep.equal(['cup-qr-success']);
    const sequence = statuses.map((e) => (e as CustomEvent).detail.status);
    expect(sequence).to.deep.equal(['starting', 'pending', 'awaiting-customer', 'success']);
  });

  it('shows a reconnecting notice while the stream is down, and drops it when back', async () => {
    const { payload } = await server.payload();
    const el = await mount(payload);
    el.streamOptions = { noticeAfterMs: 300, retryDelaysMs: [100], pollAfterFailures: 1000 };
    await statusReached(el, 'awaiting-customer');
    const id = el.paymentSession!.paymentId;
    await server.sse({ block: true });
    await server.dropStreams(id);
    await waitUntil(() => part(el, 'notice')!.textContent!.includes('正在重新连接'), 'notice', {
      timeout: 8000,
    });
    await server.sse({ block: false });
    await waitUntil(() => part(el, 'notice')!.textContent!.trim() === '', 'notice gone', {
      timeout: 8000,
    });
    await server.approve(id);
    await statusReached(el, 'success');
  });

  it('with SSE blocked, polls the status URL and delivers the result', async () => {
    await server.sse({ block: true });
    const { payload } = await server.payload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout
        manual
        payload=${payload}
        .streamOptions=${{ pollAfterFailures: 2, retryDelaysMs: [50], pollIntervalMs: 100 }}
      ></cup-qr-checkout>`,
    );
    void el.start();
    await statusReached(el, 'awaiting-customer');
    expect(await server.streams(el.paymentSession!.paymentId)).to.equal(0);
    await server.approve(el.paymentSession!.paymentId);
    await statusReached(el, 'success');
  });

  it('resumes the same payment after a reload: no second sale, outcome with resumed: true', async () => {
    const { payload } = await server.payload();
    const first = await mount(payload);
    await statusReached(first, 'awaiting-customer');
    const { paymentId } = first.paymentSession!;
    const sales = await server.saleRequests();
    first.remove();
    // The page reloads: a new element, the same payload, the same tab's sessionStorage.
    const second = await mount(payload);
    await statusReached(second, 'awaiting-customer');
    expect(second.paymentSession!.paymentId).to.equal(paymentId);
    expect(await server.saleRequests()).to.equal(sales);
    const success = oneEvent(second, 'cup-qr-success');
    await server.approve(paymentId);
    expect((await success).detail.resumed).to.equal(true);
    second.remove();
    // Reloaded after the result: shown again, reported as resumed, still no new sale.
    const third = await mount(payload);
    const again = await oneEvent(third, 'cup-qr-success');
    expect(again.detail).to.deep.include({ paymentId, resumed: true });
    expect(await server.saleRequests()).to.equal(sales);
  });

  it('turns a stale stored token into an error whose retry resumes the same payment', async () => {
    const { payload } = await server.payload();
    const first = await mount(payload);
    await statusReached(first, 'awaiting-customer');
    const { paymentId } = first.paymentSession!;
    first.remove();
    // The stored session no longer opens anything (a rotated token, another server's store).
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('cup-qr-checkout:'))!;
    sessionStorage.setItem(key, JSON.stringify({ paymentId, token: 'stale' }));
    const sales = await server.saleRequests();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout
        manual
        payload=${payload}
        .streamOptions=${{ retryDelaysMs: [50], pollAfterFailures: 2 }}
      ></cup-qr-checkout>`,
    );
    const error = oneEvent(el, 'cup-qr-error');
    void el.start();
    expect((await error).detail).to.deep.include({ code: 'forbidden', resumed: true });
    await el.updateComplete;
    button(el, '重试').click();
    await statusReached(el, 'awaiting-customer');
    expect(el.paymentSession!.paymentId).to.equal(paymentId);
    expect(el.paymentSession!.token).to.not.equal('stale');
    expect(await server.saleRequests()).to.equal(sales);
  });

  it('closes its stream and timers when removed from the page', async () => {
    const clock = new FakeClock();
    const { payload } = await server.payload();
    const el = await mountWithClock(payload, clock);
    await statusReached(el, 'awaiting-customer');
    const id = el.paymentSession!.paymentId;
    await waitUntil(async () => (await server.streams(id)) === 1, 'stream open', {
      timeout: 10000,
    });
    expect(clock.pending).to.be.greaterThan(0);
    el.remove();
    expect(clock.pending).to.equal(0);
    await waitUntil(async () => (await server.streams(id)) === 0, 'stream closed on the server', {
      timeout: 10000,
    });
  });

  describe('countdown on a fake clock', () => {
    it('announces calmly, expires at zero and offers a new code', async () => {
      const clock = new FakeClock();
      const { payload } = await server.payload();
      const el = await mountWithClock(payload, clock);
      await statusReached(el, 'awaiting-customer');
      const first = el.paymentSession!.paymentId;
      const total = el.paymentState!.qr!.expiresInSeconds;
      expect(total).to.be.greaterThan(120);
      const timerText = () => part(el, 'timer-text')!.textContent!.trim();
      expect(timerText()).to.equal(
        `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')} left`,
      );

      // Second by second to the end, noting each change of the live region.
      const heard: string[] = [liveText(el)];
      const expire = recordEvents(el, ['cup-qr-expire']);
      for (let s = total - 1; s >= 0; s--) {
        clock.tick(1000);
        await el.updateComplete;
        const text = liveText(el);
        if (text && text !== heard.at(-1)) heard.push(text);
        if (s === 65) expect(timerText()).to.equal('1:05 left');
      }
      const spoken = (seconds: number) => {
        const m = Math.floor(seconds / 60);
        const rest = seconds % 60;
        const minutes = m === 1 ? '1 minute' : `${m} minutes`;
        const secs = rest === 1 ? '1 second' : `${rest} seconds`;
        const time = m && rest ? `${minutes} ${secs}` : m ? minutes : secs;
        return `The QR code expires in ${time}`;
      };
      const points = [...Array(total).keys()].filter(
        (s) => s > 0 && (s > 60 ? s % 60 === 0 : s % 15 === 0 || s === 10),
      );
      // Then, at zero, the region says the code expired.
      expect(heard).to.deep.equal([...[total, ...points.reverse()].map(spoken), 'QR code expired']);
      expect(heard.slice(-6, -1)).to.deep.equal([
        'The QR code expires in 1 minute',
        'The QR code expires in 45 seconds',
        'The QR code expires in 30 seconds',
        'The QR code expires in 15 seconds',
        'The QR code expires in 10 seconds',
      ]);

      // Zero: expired, in its own words, once.
      expect(el.status).to.equal('expired');
      expect(expire).to.have.length(1);
      expect(part(el, 'status')!.textContent).to.contain('QR code expired');
      await expect(el).to.be.accessible();

      // A new code: a fresh attempt through the endpoint. The server has not heard of the
      // time-out yet (the fake clock ran ahead of the platform), so the element waits for it.
      const sales = await server.saleRequests();
      button(el, 'Get a new QR code').click();
      await statusReached(el, 'starting');
      await server.expire(first);
      await waitUntil(
        () => el.status === 'awaiting-customer' && el.paymentSession!.paymentId !== first,
        'a new attempt with its own code',
        { timeout: 8000 },
      );
      await el.updateComplete;
      expect(await server.saleRequests()).to.equal(sales + 1);
      expect(await decodeQr(el)).to.equal(el.paymentState!.qr!.data);
      // The old attempt's own end fired nothing more.
      expect(expire).to.have.length(1);
    });
  });

  describe('Payment Page mode', () => {
    const original = window.open;
    afterEach(() => {
      window.open = original;
    });

    it('opens the Payment Page in a new window and still learns the result over SSE', async () => {
      const opened: { location: { href: string }; opener: unknown; close(): void }[] = [];
      window.open = (() => {
        const popup = { location: { href: '' }, opener: window as unknown, close() {} };
        opened.push(popup);
        return popup;
      }) as unknown as typeof window.open;
      const sales = await server.saleRequests();
      // The shop decided on the Payment Page when it signed the payload: no attribute needed.
      const { payload } = await server.paymentPagePayload();
      const el = await fixture<CupQrCheckout>(
        html`<cup-qr-checkout payload=${payload}></cup-qr-checkout>`,
      );
      expect(el.mode).to.equal('payment-page');
      expect(el.getAttribute('mode')).to.equal('payment-page');
      await statusReached(el, 'pending');
      await expect(el).to.be.accessible();
      button(el, '前往收银台付款').click();
      await waitUntil(() => opened[0]?.location.href, 'the window pointed at the page', {
        timeout: 10000,
      });
      expect(opened[0].opener, 'no opener handed to the page').to.equal(null);
      const pageUrl = new URL(opened[0].location.href);
      expect(pageUrl.searchParams.get('force_payment_method')).to.equal('cup-qr');
      expect(pageUrl.searchParams.get('payment_id')).to.equal(el.paymentSession!.paymentId);
      expect(part(el, 'base')!.textContent).to.contain('已在新窗口打开收银台');
      // Nothing went to Gate: the Payment Page creates the payment.
      expect(await server.saleRequests()).to.equal(sales);

      await server.payOnPaymentPage(pageUrl.href);
      await statusReached(el, 'awaiting-customer');
      expect(
        shadow(el).querySelector('[part~="qr"] svg'),
        'the code is on the Payment Page',
      ).to.equal(null);
      const success = oneEvent(el, 'cup-qr-success');
      await server.approve(el.paymentSession!.paymentId);
      expect((await success).detail.paymentId).to.equal(el.paymentSession!.paymentId);
      expect(el.status).to.equal('success');
    });
  });

  describe('locale and strings', () => {
    it('follows <html lang> when it changes, unless locale is set', async () => {
      const { payload } = await server.payload();
      const before = document.documentElement.lang;
      const el = await fixture<CupQrCheckout>(
        html`<cup-qr-checkout manual payload=${payload}></cup-qr-checkout>`,
      );
      const fixed = await fixture<CupQrCheckout>(
        html`<cup-qr-checkout manual locale="zh-CN" payload=${payload}></cup-qr-checkout>`,
      );
      try {
        document.documentElement.lang = 'zh-CN';
        await waitUntil(() => part(el, 'header')!.textContent === '银联扫码支付');
        document.documentElement.lang = 'en';
        await waitUntil(() => part(el, 'header')!.textContent === 'Pay with UnionPay QR');
        expect(part(fixed, 'header')!.textContent).to.equal('银联扫码支付');
      } finally {
        document.documentElement.lang = before;
      }
    });

    it('follows the page’s lang when no locale is set, and takes string overrides', async () => {
      const { payload } = await server.payload();
      const wrapper = await fixture<HTMLDivElement>(
        html`<div lang="en-GB"><cup-qr-checkout manual payload=${payload}></cup-qr-checkout></div>`,
      );
      const el = wrapper.querySelector('cup-qr-checkout')!;
      await el.updateComplete;
      expect(part(el, 'header')!.textContent).to.equal('Pay with UnionPay QR');
      expect(part(el, 'amount')!.textContent).to.contain('CN¥300.00');
      el.strings = { title: 'Checkout', startButton: 'Pay now' };
      await el.updateComplete;
      expect(part(el, 'header')!.textContent).to.equal('Checkout');
      expect(button(el, 'Pay now')).to.be.instanceOf(HTMLElement);
    });
  });
});
