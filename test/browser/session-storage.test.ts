/**
 * What the element keeps in `sessionStorage`, in Chromium against the real toolkit and sandbox:
 * the live attempt's `{paymentId, token}` (a reload resumes it, no second sale), and once the
 * payment is final no token at all: after a success a token-less `{paymentId, paid: true}`,
 * after a decline, a time-out or an error nothing.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { FakeClock } from './helpers/fake-clock.js';
import { server, shadow, statusReached } from './helpers/checkout.js';

const PREFIX = 'cup-qr-checkout:';

/** The element's entries: key, and the value as stored. */
function entries(): [string, unknown][] {
  return Object.keys(sessionStorage)
    .filter((key) => key.startsWith(PREFIX))
    .map((key) => [key, JSON.parse(sessionStorage.getItem(key)!)]);
}

/** Whether any entry still holds `token` (or any token). */
function storedTokens(): string[] {
  return entries().flatMap(([, value]) => {
    const token = (value as { token?: unknown }).token;
    return typeof token === 'string' ? [token] : [];
  });
}

async function mount(payload: string): Promise<CupQrCheckout> {
  return fixture<CupQrCheckout>(
    html`<cup-qr-checkout payload=${payload} locale="en"></cup-qr-checkout>`,
  );
}

/** Mounted live, `awaiting-customer`, with its `{paymentId, token}` stored. */
async function live(payload?: string): Promise<CupQrCheckout> {
  const el = await mount(payload ?? (await server.payload()).payload);
  await statusReached(el, 'awaiting-customer');
  const { paymentId, token } = el.paymentSession!;
  expect(entries().map(([, value]) => value)).to.deep.equal([{ paymentId, token }]);
  return el;
}

afterEach(async () => {
  await server.reset();
  sessionStorage.clear();
});

describe('<cup-qr-checkout> in sessionStorage', () => {
  it('keeps {paymentId, token} while the payment is live (checkout.test.ts reloads it)', async () => {
    const el = await live();
    expect(storedTokens()).to.deep.equal([el.paymentSession!.token]);
  });

  for (const [outcome, act, status] of [
    ['a decline', server.decline, 'decline'],
    ['the platform’s time-out', server.expire, 'expired'],
  ] as const) {
    it(`forgets the attempt after ${outcome}; a reload then starts the next one`, async () => {
      const { payload } = await server.payload();
      const el = await live(payload);
      const { paymentId } = el.paymentSession!;
      await act(paymentId);
      await statusReached(el, status);
      expect(entries()).to.deep.equal([]);
      // As the result view's "new code" would: attempt 2 of the order, a new sale.
      const sales = await server.saleRequests();
      el.remove();
      const again = await live(payload);
      expect(again.paymentSession!.paymentId).to.equal(`${paymentId}~2`);
      expect(await server.saleRequests()).to.equal(sales + 1);
    });
  }

  it('after a success keeps only {paymentId, paid: true}: no token', async () => {
    const { payload } = await server.payload();
    const el = await live(payload);
    const { paymentId } = el.paymentSession!;
    await server.approve(paymentId);
    await statusReached(el, 'success');
    expect(entries().map(([, value]) => value)).to.deep.equal([{ paymentId, paid: true }]);
    expect(storedTokens()).to.deep.equal([]);
    // Reloaded: the server answers the paid order again (no sale); still no token kept.
    const sales = await server.saleRequests();
    el.remove();
    const again = await mount(payload);
    const success = await oneEvent(again, 'cup-qr-success');
    expect(success.detail).to.deep.include({ paymentId, resumed: true });
    expect(await server.saleRequests()).to.equal(sales);
    expect(storedTokens()).to.deep.equal([]);
  });

  it('a paid order whose payload leaves details open is shown again without the form', async () => {
    const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout
        payload=${payload}
        locale="en"
        .prefill=${{ last_name: '张', first_name: '三', city: '北京市', street: '长安街1号' }}
      ></cup-qr-checkout>`,
    );
    await statusReached(el, 'collecting');
    shadow(el).querySelector<HTMLFormElement>('form')!.requestSubmit();
    await statusReached(el, 'awaiting-customer');
    const { paymentId } = el.paymentSession!;
    await server.approve(paymentId);
    await statusReached(el, 'success');
    el.remove();
    const statuses: string[] = [];
    const again = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout
        payload=${payload}
        locale="en"
        @cup-qr-status=${(event: CustomEvent<{ status: string }>) =>
          statuses.push(event.detail.status)}
      ></cup-qr-checkout>`,
    );
    await statusReached(again, 'success');
    expect(statuses).to.not.include('collecting');
    expect(again.paymentSession!.paymentId).to.equal(paymentId);
  });

  it('a paid mark the server does not know is dropped: the next load asks for the details', async () => {
    const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
    const key = `${PREFIX}/cup-qr:${payload.slice(payload.lastIndexOf('.') + 1)}`;
    sessionStorage.setItem(key, JSON.stringify({ paymentId: 'elsewhere', paid: true }));
    const el = await mount(payload);
    const error = await oneEvent(el, 'cup-qr-error');
    expect(error.detail.code).to.equal('customer-incomplete');
    expect(entries()).to.deep.equal([]);
    el.remove();
    const again = await mount(payload);
    await statusReached(again, 'collecting');
  });

  it('forgets a token the server refuses (an error as final)', async () => {
    const { payload } = await server.payload();
    const first = await live(payload);
    const { paymentId } = first.paymentSession!;
    first.remove();
    const [key] = entries()[0];
    sessionStorage.setItem(key, JSON.stringify({ paymentId, token: 'revoked' }));
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout
        payload=${payload}
        .streamOptions=${{ retryDelaysMs: [50], pollAfterFailures: 2 }}
      ></cup-qr-checkout>`,
    );
    const error = await oneEvent(el, 'cup-qr-error');
    expect(error.detail).to.deep.include({ code: 'forbidden', resumed: true });
    expect(entries()).to.deep.equal([]);
  });

  it('keeps the attempt when only the countdown ran out (it may be paid in its last second)', async () => {
    const clock = new FakeClock();
    const { payload } = await server.payload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout manual payload=${payload} locale="en"></cup-qr-checkout>`,
    );
    el.clock = clock;
    void el.start();
    await statusReached(el, 'awaiting-customer');
    const { paymentId, token } = el.paymentSession!;
    clock.tick(el.paymentState!.qr!.expiresInSeconds * 1000 + 1000);
    await statusReached(el, 'expired');
    expect(entries().map(([, value]) => value)).to.deep.equal([{ paymentId, token }]);
    // The platform's time-out arrives on the stream that stayed open: now it is final.
    await server.expire(paymentId);
    await waitUntil(() => entries().length === 0, 'the entry removed', { timeout: 8000 });
    expect(el.status).to.equal('expired');
  });
});
