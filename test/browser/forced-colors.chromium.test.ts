/**
 * Under forced colours (Windows high contrast), in the dark and the light palette: axe at zero
 * in the states that show something new, the QR code in its own dark-on-light colours, and a
 * refused field marked by more than colour. (Chromium only: CDP forced colours. Firefox forces
 * colours from its preferences alone, WebKit has no forced-colours mode.) The code is read from
 * a screenshot in test/node/e2e-forced-colors.test.ts.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { part, server, shadow, statusReached } from './helpers/checkout.js';

async function mount(payload: string, locale: string): Promise<CupQrCheckout> {
  return fixture<CupQrCheckout>(
    html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
  );
}

afterEach(async () => {
  await emulateMedia({ forcedColors: 'none', colorScheme: 'light' });
  await server.faults({});
  await server.reset();
  sessionStorage.clear();
});

for (const colorScheme of ['dark', 'light'] as const) {
  describe(`<cup-qr-checkout> under forced colours, ${colorScheme} palette (Chromium only: CDP forced colours)`, () => {
    beforeEach(async () => {
      await emulateMedia({ forcedColors: 'active', colorScheme });
      expect(matchMedia('(forced-colors: active)').matches, 'forced colours on').to.equal(true);
    });

    for (const locale of ['zh-CN', 'en']) {
      it(`the QR code keeps its own colours; axe at zero through a payment (${locale})`, async () => {
        const { payload } = await server.payload();
        const el = await mount(payload, locale);
        await statusReached(el, 'awaiting-customer');
        const qr = getComputedStyle(part(el, 'qr')!);
        expect(qr.forcedColorAdjust).to.equal('none');
        expect(qr.color, 'dark modules').to.equal('rgb(0, 0, 0)');
        const ground = getComputedStyle(part(el, 'qr')!.querySelector('rect')!).fill;
        expect(ground, 'light ground').to.equal('rgb(255, 255, 255)');
        await expect(el).to.be.accessible();
        await server.approve(el.paymentSession!.paymentId);
        await statusReached(el, 'success');
        await expect(el).to.be.accessible();
      });

      it(`an error and a refused field, axe at zero, marked by more than colour (${locale})`, async () => {
        const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
        const el = await mount(payload, locale);
        await statusReached(el, 'collecting');
        const [first, second] = shadow(el).querySelectorAll<HTMLInputElement>('[part~="input"]');
        const validBorder = parseFloat(getComputedStyle(first).borderTopWidth);
        second.value = '三';
        second.dispatchEvent(new Event('input'));
        shadow(el).querySelector<HTMLElement>('button[type="submit"]')!.focus();
        await sendKeys({ press: 'Enter' });
        await el.updateComplete;
        expect(first.getAttribute('aria-invalid')).to.equal('true');
        expect(second.getAttribute('aria-invalid')).to.equal('false');
        const refusedBorder = parseFloat(getComputedStyle(first).borderTopWidth);
        expect(refusedBorder, 'a refused field’s border').to.be.at.least(validBorder + 1);
        const error = shadow(el).querySelector('[part~="field-error"]')!;
        const sign = getComputedStyle(error, '::before').content;
        expect(sign, 'a sign before the message').to.not.be.oneOf(['none', 'normal', '']);
        await expect(el).to.be.accessible();
      });

      it(`the error state, axe at zero (${locale})`, async () => {
        await server.faults({ gateError: 502 });
        const { payload } = await server.payload();
        const el = await mount(payload, locale);
        await statusReached(el, 'error');
        await expect(el).to.be.accessible();
      });
    }
  });
}
