// The element's words (src/element/locale-words.ts): Chinese at once, English once its table has
// loaded (in this file's page it is not loaded before the first test needs it), and a language
// switch mid-payment keeps the card's words until the new ones are there.
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { loadTranslation } from '../../src/element/locale-words.js';
import { zhCN } from '../../src/translations/index.js';

const heading = (el: CupQrCheckout) => el.shadowRoot!.querySelector('h2')?.textContent;

describe('the words in force', () => {
  it('switching to English keeps the Chinese words shown until the English ones have come', async () => {
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout locale="zh-CN" manual></cup-qr-checkout>`,
    );
    expect(heading(el)).to.equal(zhCN.title);
    const headings: (string | null | undefined)[] = [];
    const observer = new MutationObserver(() => headings.push(heading(el)));
    observer.observe(el.shadowRoot!, { childList: true, subtree: true, characterData: true });
    el.locale = 'en';
    await el.updateComplete;
    observer.disconnect();
    expect(heading(el)).to.equal('Pay with UnionPay QR');
    // Never a card without its heading in between.
    expect(headings).to.not.include(undefined);
  });

  it('an English element shows its words once updateComplete resolves', async () => {
    const el = await fixture<CupQrCheckout>(html`<cup-qr-checkout locale="en"></cup-qr-checkout>`);
    expect(heading(el)).to.equal('Pay with UnionPay QR');
    expect(el.shadowRoot!.querySelector('[part~="base"]')!.getAttribute('lang')).to.equal('en');
  });

  it('loadTranslation gives the English table with overrides on top', async () => {
    const t = await loadTranslation('en', { title: 'Pay here' });
    expect(t.title).to.equal('Pay here');
    expect(t.locale).to.equal('en');
    expect((await loadTranslation('en')).title).to.equal('Pay with UnionPay QR');
  });
});
