/**
 * Under a strict CSP with Trusted Types enforced (see `web-test-runner.config.mjs`, group
 * `strict-csp`): the element renders every view without `innerHTML`, inline scripts or inline
 * style attributes, so it works on merchant pages with such a policy.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../../src/define.js';
import type { CupQrCheckout } from '../../../src/cup-qr-checkout.js';
import { server, statusReached } from '../helpers/checkout.js';

describe('under Trusted Types and a strict CSP', () => {
  const violations: string[] = [];
  const record = (event: SecurityPolicyViolationEvent) =>
    violations.push(
      `${event.violatedDirective}: ${event.sample} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
    );
  before(() => document.addEventListener('securitypolicyviolation', record));
  after(() => document.removeEventListener('securitypolicyviolation', record));

  it('is enforced on this page', () => {
    expect(() => {
      document.createElement('div').innerHTML = '<b>x</b>';
    }).to.throw(TypeError);
  });

  it('renders the QR code and a result with no violation', async () => {
    const { payload } = await server.payload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout payload=${payload} qr-size="240"></cup-qr-checkout>`,
    );
    await statusReached(el, 'awaiting-customer');
    expect(el.shadowRoot!.querySelector('[part~="qr"] svg path')!.getAttribute('d')).to.match(/^M/);
    await server.approve(el.paymentSession!.paymentId);
    await statusReached(el, 'success');
    // (The report of the probe above arrives asynchronously: leave it out.)
    expect(violations.filter((v) => !v.includes('<b>x</b>'))).to.deep.equal([]);
    await server.reset();
    sessionStorage.clear();
  });

  it('frames the Payment Page (payment-page-target="embedded") and shows its result with no violation', async () => {
    const { payload } = await server.paymentPagePayload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout payment-page-target="embedded" payload=${payload}></cup-qr-checkout>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelector('iframe'), 'the frame', { timeout: 10000 });
    // Its CSS came with the Payment Page's file, as a constructed sheet (`style-src` allows it).
    expect(getComputedStyle(el.shadowRoot!.querySelector('iframe')!).height).to.equal('640px');
    await server.payOnPaymentPage(el.shadowRoot!.querySelector('iframe')!.src);
    await statusReached(el, 'awaiting-customer');
    await server.approve(el.paymentSession!.paymentId);
    await statusReached(el, 'success');
    expect(violations.filter((v) => !v.includes('<b>x</b>'))).to.deep.equal([]);
    await server.reset();
    sessionStorage.clear();
  });
});
