import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import {
  CupQrDeclineEvent,
  CupQrErrorEvent,
  CupQrExpireEvent,
  CupQrStatusEvent,
  CupQrSuccessEvent,
} from '../../src/events.js';

const detail = { paymentId: 'p-1', amount: 30000, currency: 'CNY', resumed: false };

describe('events', () => {
  it('bubble out of shadow roots with a typed detail', async () => {
    const outer = await fixture<HTMLDivElement>(html`<div></div>`);
    const root = outer.attachShadow({ mode: 'open' });
    const inner = document.createElement('span');
    root.append(inner);
    const heard = oneEvent(outer, 'cup-qr-success');
    inner.dispatchEvent(new CupQrSuccessEvent(detail));
    const event = await heard;
    expect(event).to.be.instanceOf(CupQrSuccessEvent);
    expect(event.detail.paymentId).to.equal('p-1');
    expect(event.bubbles).to.equal(true);
    expect(event.composed).to.equal(true);
    expect(event.cancelable).to.equal(false);
  });

  it('have the names of DESIGN.md', () => {
    expect(
      new CupQrStatusEvent({ ...detail, status: 'pending', previous: 'starting' }).type,
    ).to.equal('cup-qr-status');
    expect(new CupQrSuccessEvent(detail).type).to.equal('cup-qr-success');
    expect(new CupQrDeclineEvent(detail).type).to.equal('cup-qr-decline');
    expect(new CupQrExpireEvent(detail).type).to.equal('cup-qr-expire');
    expect(new CupQrErrorEvent({ ...detail, code: '500', message: 'x' }).type).to.equal(
      'cup-qr-error',
    );
  });
});
