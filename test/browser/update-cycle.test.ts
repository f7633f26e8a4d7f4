/**
 * The element's own update cycle: starting a payment and taking a new payload change the
 * element's state within the update that saw the new property, never by scheduling another
 * update after one completed. Lit's development build warns about that on every page
 * (`change-in-update`, seen in the Next.js example); its production build, which these tests
 * run, says it through `updateComplete`: it resolves `false` when the update scheduled another.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { server, statusReached } from './helpers/checkout.js';

afterEach(async () => {
  await server.reset();
  sessionStorage.clear();
});

describe('<cup-qr-checkout> update cycle', () => {
  it('starts the payment within its first update (no update scheduled after it)', async () => {
    const { payload } = await server.payload();
    const el = document.createElement('cup-qr-checkout');
    el.payload = payload;
    document.body.append(el);
    try {
      // The promise of the first update, taken before it ran.
      const first = el.updateComplete;
      expect(await first).to.equal(true);
      expect(el.status).to.equal('starting');
      expect(el.getAttribute('status')).to.equal('starting');
      await statusReached(el, 'awaiting-customer');
    } finally {
      el.remove();
    }
  });

  it('resets and starts again for a new payload within that update', async () => {
    const one = await server.payload(30000);
    const two = await server.payload(12000);
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout payload=${one.payload} locale="en"></cup-qr-checkout>`,
    );
    await statusReached(el, 'awaiting-customer');
    el.payload = two.payload;
    expect(await el.updateComplete).to.equal(true);
    expect(el.status).to.equal('starting');
    await statusReached(el, 'awaiting-customer');
    expect(el.paymentState?.amount).to.equal(12000);
  });

  it('a manual element stays idle, its start button rendered in one update', async () => {
    const { payload } = await server.payload();
    const el = document.createElement('cup-qr-checkout');
    el.manual = true;
    el.payload = payload;
    document.body.append(el);
    try {
      expect(await el.updateComplete).to.equal(true);
      expect(el.status).to.equal('idle');
    } finally {
      el.remove();
    }
  });
});
