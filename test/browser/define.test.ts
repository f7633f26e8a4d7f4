import { expect, fixture, html } from '@open-wc/testing';
import { CupQrCheckout } from '../../src/index.js';
import { TAG_NAME } from '../../src/define.js';

describe('registration', () => {
  it('defines <cup-qr-checkout> once, and tolerates being loaded twice', async () => {
    expect(customElements.get(TAG_NAME)).to.equal(CupQrCheckout);
    // A second copy of the module (a CDN script beside a bundle) must not throw.
    const copy = new URL('../../src/define.ts', import.meta.url);
    copy.search = `?copy=${Date.now()}`;
    const again = (await import(copy.href)) as { TAG_NAME: string };
    expect(again.TAG_NAME).to.equal('cup-qr-checkout');
    expect(customElements.get(TAG_NAME)).to.equal(CupQrCheckout);
  });

  it('starts idle without a payload, reflected as attribute and custom state', async () => {
    const el = await fixture<CupQrCheckout>(html`<cup-qr-checkout></cup-qr-checkout>`);
    expect(el.status).to.equal('idle');
    expect(el.getAttribute('status')).to.equal('idle');
    expect(el.matches(':state(idle)')).to.equal(true);
    expect(el.endpoint).to.equal('/cup-qr');
    expect(el.mode).to.equal('gate');
    // The page cannot set the status: it is the element's to say.
    el.setAttribute('status', 'success');
    await el.updateComplete;
    expect(el.status).to.equal('idle');
    expect(el.getAttribute('status')).to.equal('idle');
    await expect(el).to.be.accessible();
  });
});
