/**
 * `payment-page-target="embedded"`: ECommPay's Payment Page (the real sandbox's, another origin)
 * in an `<iframe>` inside the element, against the real toolkit. The frame is another origin,
 * so the shopper's steps inside it are taken by the test server as the frame's own form would
 * (`payOnPaymentPage`), and the bank's answer through the sandbox's control API; the result
 * still comes over the element's event stream.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { button, part, server, shadow, statusReached } from './helpers/checkout.js';

function frameOf(el: CupQrCheckout): HTMLIFrameElement | null {
  return shadow(el).querySelector('iframe');
}

async function frameShown(el: CupQrCheckout): Promise<HTMLIFrameElement> {
  await waitUntil(() => frameOf(el), 'the Payment Page frame', { timeout: 10000 });
  await el.updateComplete;
  return frameOf(el)!;
}

async function mount(payload: string, attributes: { manual?: boolean } = {}) {
  return fixture<CupQrCheckout>(
    attributes.manual
      ? html`<cup-qr-checkout
          manual
          locale="en"
          payment-page-target="embedded"
          payload=${payload}
        ></cup-qr-checkout>`
      : html`<cup-qr-checkout
          locale="en"
          payment-page-target="embedded"
          payload=${payload}
        ></cup-qr-checkout>`,
  );
}

afterEach(async () => {
  await server.reset();
  // The attempts stay live (the tests leave them open): no resume in the next file's tests.
  sessionStorage.clear();
});

describe('embedded Payment Page', () => {
  it('shows the Payment Page in a frame, full width; paid through the sandbox, success shown', async () => {
    const sales = await server.saleRequests();
    const { payload } = await server.paymentPagePayload();
    const el = await mount(payload);
    const frame = await frameShown(el);
    const session = el.paymentSession!;
    const url = new URL(frame.src);
    expect(url.pathname).to.equal('/payment');
    expect(url.origin).to.not.equal(location.origin, 'the Payment Page is the platform’s');
    expect(url.searchParams.get('payment_id')).to.equal(session.paymentId);
    expect(url.searchParams.get('frame_mode')).to.equal('iframe');
    expect(frame.title).to.equal('ECommPay payment page');
    expect(frame.getAttribute('sandbox')).to.contain('allow-scripts');
    expect(frame.getAttribute('sandbox')).to.not.contain('allow-top-navigation ');
    // The card's whole width (inside its 1px borders), tall enough for a phone's steps.
    const card = part(el, 'base')!.getBoundingClientRect();
    expect(frame.getBoundingClientRect().width).to.equal(card.width - 2);
    expect(frame.getBoundingClientRect().height).to.be.at.least(600);
    // Started by the page itself, not by the shopper: the focus stays where it was.
    expect(shadow(el).activeElement).to.equal(null);
    await expect(el).to.be.accessible();
    expect(await server.saleRequests()).to.equal(sales, 'nothing to Gate: the page makes it');

    // The shopper picks a bank in the frame, then pays in the bank app.
    expect((await server.payOnPaymentPage(frame.src)).status).to.equal(303);
    await statusReached(el, 'awaiting-customer');
    expect(frameOf(el), 'the same frame while the shopper scans').to.equal(frame);
    const success = oneEvent(el, 'cup-qr-success');
    await server.approve(session.paymentId);
    expect((await success).detail.paymentId).to.equal(session.paymentId);
    await el.updateComplete;
    expect(frameOf(el), 'the frame is gone with the result').to.equal(null);
    expect(part(el, 'status')!.textContent).to.contain('Payment successful');
  });

  it('closes without cancelling: focus to the reopen button, the payment still ends here', async () => {
    const { payload } = await server.paymentPagePayload();
    const el = await mount(payload, { manual: true });
    button(el, 'Start payment').click();
    const frame = await frameShown(el);
    // Started by the shopper: the focus moved into the frame.
    await waitUntil(() => shadow(el).activeElement === frame, 'focus in the frame');

    button(el, 'Close the payment page').click();
    await el.updateComplete;
    expect(frameOf(el)).to.equal(null);
    expect(part(el, 'base')!.textContent).to.contain('the payment is still open');
    const reopen = button(el, 'Continue to the payment page');
    expect(shadow(el).activeElement).to.equal(reopen);
    await expect(el).to.be.accessible();
    expect(el.status).to.equal('pending');
    const { paymentId } = el.paymentSession!;

    reopen.click();
    const again = await frameShown(el);
    await waitUntil(() => shadow(el).activeElement === again, 'focus back in the frame');
    expect(new URL(again.src).searchParams.get('payment_id')).to.equal(paymentId);

    // Closed again, and paid all the same (a phone that scanned earlier): the result shows.
    button(el, 'Close the payment page').click();
    await el.updateComplete;
    await server.payOnPaymentPage(again.src);
    await statusReached(el, 'awaiting-customer');
    expect(frameOf(el), 'still closed: the shopper closed it').to.equal(null);
    const decline = oneEvent(el, 'cup-qr-decline');
    await server.decline(paymentId);
    await decline;
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.contain('declined');
  });

  it('the result under the shopper’s focus moves the focus to the result', async () => {
    const { payload } = await server.paymentPagePayload();
    const el = await mount(payload, { manual: true });
    button(el, 'Start payment').click();
    const frame = await frameShown(el);
    await waitUntil(() => shadow(el).activeElement === frame, 'focus in the frame');
    await server.payOnPaymentPage(frame.src);
    await statusReached(el, 'awaiting-customer');
    await server.approve(el.paymentSession!.paymentId);
    await statusReached(el, 'success');
    expect(shadow(el).activeElement).to.equal(part(el, 'status'));
  });

  it('in Chinese: the frame’s title and its close button', async () => {
    const { payload } = await server.paymentPagePayload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout
        locale="zh-CN"
        payment-page-target="embedded"
        payload=${payload}
      ></cup-qr-checkout>`,
    );
    const frame = await frameShown(el);
    expect(frame.title).to.equal('ECommPay收银台');
    button(el, '关闭收银台').click();
    await el.updateComplete;
    expect(part(el, 'base')!.textContent).to.contain('收银台已关闭，这笔付款仍可继续。');
    expect(button(el, '前往收银台付款')).to.be.instanceOf(HTMLButtonElement);
  });

  for (const [what, answer, reason] of [
    [
      'an error',
      { status: 500, body: { error: { code: 'x', message: 'link refused' } } },
      'link refused',
    ],
    [
      'a javascript: URL',
      { status: 200, body: { url: 'javascript:alert(document.domain)' } },
      'HTTP 200',
    ],
    ['a relative URL', { status: 200, body: { url: '/payment?x=1' } }, 'HTTP 200'],
  ] as const) {
    it(`a link the server cannot give (${what}): nothing framed, the reason, the button to ask again`, async () => {
      const { payload } = await server.paymentPagePayload();
      const original = window.fetch;
      let refuse = true;
      let asked = 0;
      window.fetch = (input, init) =>
        String(input).endsWith('/payment-page') && ++asked && refuse
          ? Promise.resolve(
              new Response(JSON.stringify(answer.body), {
                status: answer.status,
                headers: { 'content-type': 'application/json' },
              }),
            )
          : original(input, init);
      try {
        const el = await mount(payload);
        await waitUntil(() => part(el, 'base')!.textContent!.includes(reason), 'the reason');
        expect(frameOf(el)).to.equal(null);
        await el.updateComplete;
        expect(asked, 'asked once, not again by itself').to.equal(1);
        refuse = false;
        button(el, 'Continue to the payment page').click();
        const frame = await frameShown(el);
        expect(new URL(frame.src).pathname).to.equal('/payment');
      } finally {
        window.fetch = original;
      }
    });
  }
});
