// An English element's first paint (src/element/locale-words.ts): the card is drawn without
// words, then again once the English table has come (this file's page has not loaded it yet).
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';

const heading = (el: CupQrCheckout) => el.shadowRoot!.querySelector('h2')?.textContent;

describe('an English first paint', () => {
  it('an English card keeps its qr-size once its words have come', async () => {
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout locale="en" qr-size="150" manual></cup-qr-checkout>`,
    );
    expect(heading(el)).to.equal('Pay with UnionPay QR');
    const base = el.shadowRoot!.querySelector<HTMLElement>('[part~="base"]')!;
    expect(base.style.getPropertyValue('--_size')).to.equal('150px');
  });
});
