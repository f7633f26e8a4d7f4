/**
 * The companions' own CSS (src/element/companion-styles.ts): the customer form's fields, the
 * embedded Payment Page's frame and the QR view (its ring, its phone-only actions) bring their
 * styles with their files, adopted into the element's
 * shadow root beside its own, once, before their view first shows (no unstyled first frame,
 * so no layout jump). Both forms a companion's `css` takes: Lit's `CSSResult` (bundlers) and the
 * bundles' shim (scripts/lit-template-results.ts), whose templates render with the real Lit too.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { css, LitElement, render } from 'lit';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { adoptCompanionStyles } from '../../src/element/companion-styles.js';
import * as shim from '../../scripts/lit-template-results.js';
import { server, shadow, statusReached } from './helpers/checkout.js';

class StyledHost extends LitElement {
  static override styles = css`
    p {
      margin: 0;
    }
  `;
  override render() {
    return html`<p>x</p>`;
  }
}
customElements.define('companion-styles-host', StyledHost);

/**
 * The computed `property` of the first element matching `selector` at the moment a render put
 * it into the element's shadow root (a mutation observer sees it before the next frame).
 */
function styleWhenShown(el: HTMLElement, selector: string, property: string): Promise<string> {
  return new Promise((resolve) => {
    const root = el.shadowRoot!;
    const look = (): boolean => {
      const found = root.querySelector(selector);
      if (found) resolve(getComputedStyle(found).getPropertyValue(property));
      return found !== null;
    };
    if (look()) return;
    const observer = new MutationObserver(() => look() && observer.disconnect());
    observer.observe(root, { childList: true, subtree: true });
  });
}

afterEach(async () => {
  await server.reset();
  sessionStorage.clear();
});

describe('companion styles', () => {
  it("adds a companion's sheet after the element's own, once per shadow root", async () => {
    const el = await fixture<StyledHost>(html`<companion-styles-host></companion-styles-host>`);
    const own = [...el.shadowRoot!.adoptedStyleSheets];
    const styles = css`
      p {
        color: rgb(1, 2, 3);
      }
    `;
    adoptCompanionStyles(el, styles);
    adoptCompanionStyles(el, styles);
    expect(el.shadowRoot!.adoptedStyleSheets.slice(0, own.length)).to.deep.equal(own);
    expect(el.shadowRoot!.adoptedStyleSheets).to.have.length(own.length + 1);
    expect(getComputedStyle(el.shadowRoot!.querySelector('p')!).color).to.equal('rgb(1, 2, 3)');
    // A second element shares the sheet.
    const other = await fixture<StyledHost>(html`<companion-styles-host></companion-styles-host>`);
    adoptCompanionStyles(other, styles);
    expect(other.shadowRoot!.adoptedStyleSheets.at(-1)).to.equal(
      el.shadowRoot!.adoptedStyleSheets.at(-1),
    );
  });

  it("takes the bundles' shim: its css is text, its templates render with the real Lit", async () => {
    const el = await fixture<StyledHost>(html`<companion-styles-host></companion-styles-host>`);
    const styles = shim.css`p { font-weight: 700; }`;
    expect(styles.cssText).to.equal('p { font-weight: 700; }');
    adoptCompanionStyles(el, styles);
    expect(getComputedStyle(el.shadowRoot!.querySelector('p')!).fontWeight).to.equal('700');
    const place = document.createElement('div');
    render(shim.html`<b>${'y'}</b>${shim.nothing}`, place);
    expect(place.querySelector('b')!.textContent).to.equal('y');
    expect(() => shim.css`p { color: ${'red'}; }`).to.throw(/no \$\{\} parts/);
  });

  it("styles the customer form's fields from their first render", async () => {
    const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
    const el = document.createElement('cup-qr-checkout') as CupQrCheckout;
    el.payload = payload;
    document.body.append(el);
    try {
      const shown = styleWhenShown(el, '[part~="input"]', 'min-height');
      await statusReached(el, 'collecting');
      expect(await shown).to.equal('44px');
      const sheets = shadow(el).adoptedStyleSheets.length;
      await el.updateComplete;
      expect(shadow(el).adoptedStyleSheets).to.have.length(sheets, 'adopted once');
    } finally {
      el.remove();
    }
  });

  it('styles the QR view from its first render (the ring sized, the phone actions hidden)', async () => {
    const { payload } = await server.payload();
    const el = document.createElement('cup-qr-checkout') as CupQrCheckout;
    el.payload = payload;
    document.body.append(el);
    try {
      const ring = styleWhenShown(el, '[part~="timer-ring"]', 'transform');
      const actions = styleWhenShown(el, '[part~="phone-actions"]', 'display');
      // rotate(-90deg) as a matrix: the view's sheet was there when the ring first showed.
      expect(await ring).to.match(/^matrix\(/);
      expect(await actions).to.equal('none');
    } finally {
      el.remove();
    }
  });

  it("styles the embedded Payment Page's frame from its first render", async () => {
    const { payload } = await server.paymentPagePayload();
    const el = document.createElement('cup-qr-checkout') as CupQrCheckout;
    el.setAttribute('payment-page-target', 'embedded');
    el.payload = payload;
    document.body.append(el);
    try {
      expect(await styleWhenShown(el, 'iframe', 'height')).to.equal('640px');
    } finally {
      el.remove();
    }
  });
});
