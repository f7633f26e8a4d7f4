/**
 * The card keeps one height from the code's placeholder to the result: nothing under it moves
 * when the QR code arrives or the payment ends. On a desktop and on a phone, in both languages;
 * on a phone the result then fits its content (a shorter card, no empty stage).
 */
import { expect, fixture, html } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { part, server, statusReached } from './helpers/checkout.js';

const height = (el: CupQrCheckout): number => part(el, 'base')!.getBoundingClientRect().height;

afterEach(async () => {
  await setViewport({ width: 800, height: 600 });
  await server.faults({});
  await server.reset();
  sessionStorage.clear();
});

describe('<cup-qr-checkout> layout', () => {
  for (const [viewport, width] of [
    ['desktop', 800],
    ['phone', 390],
  ] as const) {
    for (const locale of ['zh-CN', 'en']) {
      it(`one height from placeholder to the QR code and (desktop) every result (${viewport}, ${locale})`, async () => {
        await setViewport({ width, height: 900 });
        const outcomes = [
          ['approve', 'success'],
          ['decline', 'decline'],
          ['expire', 'expired'],
        ] as const;
        const heights: Record<string, number> = {};
        for (const [action, status] of outcomes) {
          // The QR code's callback is held back, so the placeholder can be measured.
          await server.faults({ callbackDelayMs: 500 });
          const { payload } = await server.payload();
          const el = await fixture<CupQrCheckout>(
            html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
          );
          await statusReached(el, 'pending');
          heights.pending = height(el);
          await statusReached(el, 'awaiting-customer');
          heights[`qr before ${status}`] = height(el);
          await server.faults({});
          await server[action](el.paymentSession!.paymentId);
          await statusReached(el, status);
          heights[status] = height(el);
          el.remove();
        }
        const [first, ...rest] = Object.values(heights);
        expect(first).to.be.greaterThan(0);
        for (const [name, value] of Object.entries(heights).slice(1)) {
          // On a phone a result fits its content instead (no tall empty card to scroll past).
          if (viewport === 'phone' && !name.startsWith('qr before')) {
            expect(value, `${name}: ${JSON.stringify(heights)}`).to.be.below(first);
          } else {
            expect(value, `${name}: ${JSON.stringify(heights)}`).to.equal(first);
          }
        }
        expect(rest.length).to.equal(6);
      });
    }
  }
});
