/**
 * Issue #13 in Chromium, against the real toolkit and sandbox: the signing-oracle attack on a
 * victim's live QR code (test/helpers/oracle.ts), read back from the pixels as a phone would;
 * the `;` refused next to the form's field in both languages; the mode as the payload set it;
 * a second tab with other details told why it cannot take over the payment.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import { en, zhCN } from './helpers/form-words.js';
import { forgeCallback, oracleText, paymentLeaves, withLeaves } from '../helpers/oracle.js';
import { TEST_CUSTOMER } from '../helpers/customer.js';
import { decodeQr, part, server, shadow, statusReached } from './helpers/checkout.js';

const EVIL_QR = 'https://evil.example/pay';

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`/cup-qr${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

function control(el: CupQrCheckout, name: string): HTMLInputElement {
  return shadow(el).querySelector<HTMLInputElement>(`[part~="input"][name="${name}"]`)!;
}

async function typeInto(el: CupQrCheckout, name: string, text: string): Promise<void> {
  const input = control(el, name);
  input.focus();
  input.select();
  await sendKeys({ press: 'Backspace' });
  await sendKeys({ type: text });
}

async function fillAndSubmit(el: CupQrCheckout, fields: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(fields)) await typeInto(el, name, text);
  control(el, Object.keys(fields).at(-1)!).focus();
  await sendKeys({ press: 'Enter' });
  await el.updateComplete;
}

/** The error shown next to a field; `undefined` while the form is not shown (during `starting`). */
function fieldError(el: CupQrCheckout, name: string): string | undefined {
  const input = shadow(el).querySelector<HTMLInputElement>(`[part~="input"][name="${name}"]`);
  if (!input) return undefined;
  return shadow(el).getElementById(`${input.id}-error`)?.textContent?.trim();
}

afterEach(async () => {
  await server.reset();
  sessionStorage.clear();
});

describe('the signing oracle in the browser', () => {
  it("a victim's live QR code stays the genuine one (read from its pixels)", async () => {
    const { payload } = await server.payload();
    const victim = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout payload=${payload} locale="en"></cup-qr-checkout>`,
    );
    await statusReached(victim, 'awaiting-customer');
    const { paymentId, token } = victim.paymentSession!;
    const genuine = victim.paymentState!.qr!.data;
    expect(await decodeQr(victim)).to.equal(genuine);

    // Another shopper, on the same shop: a QR payload (the quick start fixes only the id) and a
    // Payment Page one, each with a city that carries the lines of "a new QR code for the victim".
    const attacker = await server.partialPayload(['id']);
    const pagePayload = await server.paymentPagePayload(['id']);
    const leaves = paymentLeaves(attacker.projectId, paymentId, 'awaiting customer action', [
      [['display_data', '0', 'type'], 'qr_data'],
      [['display_data', '0', 'data'], EVIL_QR],
    ]);
    const { id: _id, ...shopper } = TEST_CUSTOMER;
    const city = oracleText('北京', leaves);
    const tries = [
      { payload: attacker.payload, mode: 'payment-page', customer: { ...shopper, city } },
      { payload: pagePayload.payload, customer: { city } },
    ];
    const refusals: number[] = [];
    for (const body of tries) {
      const started = await post('/payments', body);
      refusals.push(started.status);
      const link = started.status < 300 ? await post('/payment-page', started.body) : undefined;
      const forged =
        link?.status === 200
          ? forgeCallback(link.body.url, 'customer_city', leaves)
          : withLeaves({}, leaves);
      await post('/callback', forged);
    }

    // The server's state is the one the element shows: unchanged, so nothing was published.
    const state = await (
      await fetch(`/cup-qr/payments/${encodeURIComponent(paymentId)}?token=${token}`)
    ).json();
    expect(state.qr.data).to.equal(genuine);
    await waitUntil(() => victim.paymentState!.seq >= state.seq, 'the element is up to date');
    await victim.updateComplete;
    expect(victim.status).to.equal('awaiting-customer');
    expect(await decodeQr(victim)).to.equal(genuine);
    const links = [...shadow(victim).querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links, '"open in bank app" never points at the forged code').to.not.include(EVIL_QR);
    // How: the mode is the shop's (field-fixed), the city refused (invalid-character).
    expect(refusals).to.deep.equal([400, 422]);
  });

  for (const [locale, t] of [
    ['zh-CN', zhCN],
    ['en', en],
  ] as const) {
    it(`the form refuses a ";" next to the field, in its own words (${locale})`, async () => {
      const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
      const sales = await server.saleRequests();
      const el = await fixture<CupQrCheckout>(
        html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
      );
      await statusReached(el, 'collecting');
      await fillAndSubmit(el, {
        last_name: '张',
        first_name: '三',
        city: '北京;payment:status:success;zzz:',
        street: '长安街1号',
      });
      await waitUntil(() => fieldError(el, 'city'), 'the error next to the city');
      expect(fieldError(el, 'city')).to.equal(t.customerErrors['invalid-character']);
      expect(fieldError(el, 'street')).to.equal(undefined);
      expect(el.status).to.equal('collecting');
      await expect(el).to.be.accessible();
      // The full-width semicolon of Chinese text is text, not a separator.
      await fillAndSubmit(el, { city: '北京', street: '长安街1号；东侧' });
      await statusReached(el, 'awaiting-customer');
      expect(await server.saleRequests()).to.equal(sales + 1);
    });
  }

  it("the server's own invalid-character refusal lands next to the field", async () => {
    const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout payload=${payload} locale="en"></cup-qr-checkout>`,
    );
    await statusReached(el, 'collecting');
    const realFetch = window.fetch;
    // An altered page sends what the form refused: the server decides, with the same rule.
    window.fetch = (input, init) => {
      if (String(input).endsWith('/cup-qr/payments') && typeof init?.body === 'string') {
        const body = JSON.parse(init.body);
        body.customer.street = '长安街1号;x';
        return realFetch(input, { ...init, body: JSON.stringify(body) });
      }
      return realFetch(input, init);
    };
    try {
      await fillAndSubmit(el, {
        last_name: '张',
        first_name: '三',
        city: '北京',
        street: '长安街1号',
      });
      await waitUntil(() => fieldError(el, 'street'), 'the server’s error next to the street', {
        timeout: 10000,
      });
      expect(fieldError(el, 'street')).to.equal(en.customerErrors['invalid-character']);
      expect(el.status).to.equal('collecting');
    } finally {
      window.fetch = realFetch;
    }
  });
});

describe('the mode is the payload’s; an attempt is taken over only as it started', () => {
  it('the mode attribute is read-only and reflected: the page cannot choose it', async () => {
    const qr = await server.payload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout manual mode="payment-page" payload=${qr.payload}></cup-qr-checkout>`,
    );
    expect(el.mode).to.equal('gate');
    expect(el.getAttribute('mode'), 'put right at once').to.equal('gate');
    el.setAttribute('mode', 'payment-page');
    expect(el.getAttribute('mode')).to.equal('gate');
    (el as unknown as { mode: string }).mode = 'payment-page';
    expect(el.mode).to.equal('gate');
    const page = await server.paymentPagePayload();
    el.payload = page.payload;
    await el.updateComplete;
    expect(el.mode).to.equal('payment-page');
    expect(el.getAttribute('mode')).to.equal('payment-page');
    // The QR payload with the attribute still takes the QR code on this page.
    el.payload = qr.payload;
    await el.updateComplete;
    await el.start();
    await statusReached(el, 'awaiting-customer');
    expect(await decodeQr(el)).to.equal(el.paymentState!.qr!.data);
  });

  for (const [locale, t] of [
    ['zh-CN', zhCN],
    ['en', en],
  ] as const) {
    it(`a second tab with other details is told why, in its language (${locale})`, async () => {
      const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
      const first = await fixture<CupQrCheckout>(
        html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
      );
      await statusReached(first, 'collecting');
      await fillAndSubmit(first, {
        last_name: '张',
        first_name: '三',
        city: '北京',
        street: '长安街1号',
      });
      await statusReached(first, 'awaiting-customer');
      const sales = await server.saleRequests();
      // Another tab has no session of its own: it asks again, and the shopper types another city.
      sessionStorage.clear();
      const second = await fixture<CupQrCheckout>(
        html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
      );
      await statusReached(second, 'collecting');
      await fillAndSubmit(second, {
        last_name: '张',
        first_name: '三',
        city: '上海',
        street: '长安街1号',
      });
      await statusReached(second, 'error');
      expect(part(second, 'status')!.textContent).to.contain(t.errorFor('attempt-conflict')!);
      expect(await server.saleRequests()).to.equal(sales, 'no second sale');
      expect(first.status).to.equal('awaiting-customer');
      await expect(second).to.be.accessible();
    });
  }
});
