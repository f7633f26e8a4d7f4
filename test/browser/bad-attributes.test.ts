/**
 * Issue #8, bad input on the element: every attribute set to hostile values (empty, huge,
 * markup, `javascript:` URLs, non-numbers, unknown keywords, prototype keys, odd Unicode), a
 * server state whose QR code is `javascript:` or markup (drawn, never a link) or holds what
 * no QR code can (refused), a Payment Page link that is `javascript:`.
 *
 * Each time: no uncaught error, no injected markup (nothing runs: `window.__pwned` stays
 * unset), no link but an https one, no navigation away from this page, a known status; and a
 * clear error, or the documented default. Against the real toolkit and sandbox (under
 * /cup-qr/); the hostile server answers are made by the element's own injection points
 * (`streamOptions.EventSource`) or, for the Payment Page link alone, by this page's `fetch`.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import type { PaymentState } from '../../src/wire/payment-state.js';
import { PAYMENT_STATUSES } from '../../src/wire/status.js';
import { base64UrlEncodeText } from '../../src/wire/payload.js';
import { TEST_CUSTOMER } from '../helpers/customer.js';
import { decodeQr, part, server, shadow, statusReached } from './helpers/checkout.js';

declare global {
  interface Window {
    __pwned?: unknown;
  }
}

const PWN = 'window.__pwned=1';
/** Values no attribute should choke on. */
const HOSTILE = [
  '',
  ' ',
  'x'.repeat(100_000),
  `<img src=x onerror="${PWN}">`,
  `<script>${PWN}</script>`,
  `"><svg onload="${PWN}">`,
  `javascript:${PWN}`,
  `JaVaScRiPt:${PWN}`,
  `data:text/html,<script>${PWN}</script>`,
  '\u0000\u202e\u200b\ud800',
  '${7*7}{{7*7}}',
  '__proto__',
  'constructor',
  'toString',
  '-1',
  '0',
  'NaN',
  'Infinity',
  '1e309',
  '0x10',
];
/** The element's statuses: the payment's, and those before there is one. */
const STATUSES = ['idle', 'collecting', 'starting', ...PAYMENT_STATUSES];

const uncaught: string[] = [];
window.addEventListener('error', (event) => uncaught.push(String(event.message)));
window.addEventListener('unhandledrejection', (event) => uncaught.push(String(event.reason)));
const HOME = location.href;
let tried = 0;

/** The checks every hostile input must pass. */
function assertSafe(el: CupQrCheckout, what: string): void {
  tried++;
  const root = shadow(el);
  expect(window.__pwned, `${what}: injected code ran`).to.equal(undefined);
  expect(uncaught, `${what}: uncaught errors`).to.deep.equal([]);
  expect(location.href, `${what}: the page navigated`).to.equal(HOME);
  const injected = root.querySelectorAll(
    'script, img, iframe, object, embed, foreignObject, [onerror], [onload], [onclick], [srcdoc]',
  );
  expect(injected.length, `${what}: injected markup`).to.equal(0);
  for (const link of root.querySelectorAll<HTMLAnchorElement | SVGAElement>('a')) {
    const href = link.getAttribute('href') ?? '';
    expect(new URL(href, location.href).protocol, `${what}: a link to ${href}`).to.equal('https:');
  }
  expect(STATUSES, `${what}: status`).to.include(el.status);
  expect(el.getAttribute('status')).to.equal(el.status);
}

async function mount(attributes: Record<string, string>, manual = true): Promise<CupQrCheckout> {
  const el = await fixture<CupQrCheckout>(
    manual
      ? html`<cup-qr-checkout manual></cup-qr-checkout>`
      : html`<cup-qr-checkout></cup-qr-checkout>`,
  );
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  await el.updateComplete;
  return el;
}

/** An unsigned payload whose readable body is `fields` (the server refuses it; the page can read it). */
function forgedPayload(fields: Record<string, unknown>): string {
  return `${base64UrlEncodeText(JSON.stringify(fields))}.${'A'.repeat(43)}`;
}

afterEach(() => {
  delete window.__pwned;
  uncaught.length = 0;
});

after(() => {
  expect(tried).to.be.greaterThan(150);
});

describe('bad attributes', () => {
  for (const attribute of [
    'payload',
    'endpoint',
    'locale',
    'lang',
    'qr-size',
    'mode',
    'payment-page-target',
  ]) {
    it(`${attribute}: any hostile value renders safely (manual, nothing started)`, async () => {
      for (const value of HOSTILE) {
        const el = await mount({ [attribute]: value });
        assertSafe(el, `${attribute}=${JSON.stringify(value.slice(0, 40))}`);
        expect(el.status).to.equal('idle');
        // Whatever text the attribute carries shows as text, never as markup.
        expect(shadow(el).querySelector('[part="base"]')).to.not.equal(null);
        el.remove();
      }
    });
  }

  it('qr-size: only a finite positive number sizes the code; anything else keeps the default', async () => {
    for (const value of [...HOSTILE, '120', '96.5']) {
      const el = await mount({ 'qr-size': value });
      const size = part(el, 'base')!.style.getPropertyValue('--_size');
      const number = Number(value);
      if (value.trim() !== '' && Number.isFinite(number) && number > 0) {
        expect(size, value).to.equal(`${number}px`);
      } else {
        expect(size, value).to.equal('');
      }
      assertSafe(el, `qr-size=${value.slice(0, 20)}`);
      el.remove();
    }
  });

  it('payload: markup or junk ends in a clear error from the server, shown as text', async () => {
    const forged = forgedPayload({
      v: 1,
      ref: 'forged-1',
      amount: 30000,
      currency: 'CNY',
      description: `<img src=x onerror="${PWN}">`,
      customer: TEST_CUSTOMER,
      returnUrl: 'https://shop.example/thanks',
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    for (const payload of [
      `<img src=x onerror="${PWN}">`,
      `<script>${PWN}</script>`,
      `javascript:${PWN}`,
      'a.b',
      'x'.repeat(20_000),
      'x'.repeat(100_000),
      '\u0000\ud800.\u202e',
      forged,
    ]) {
      const el = await mount({ payload }, false);
      if (payload === forged) {
        // The readable part shows at once, as text.
        expect(part(el, 'description')!.textContent).to.equal(`<img src=x onerror="${PWN}">`);
      }
      await statusReached(el, 'error');
      assertSafe(el, `payload=${payload.slice(0, 30)}`);
      const text = part(el, 'status')!.textContent ?? '';
      expect(text.trim().length, 'an explanation is shown').to.be.greaterThan(0);
      el.remove();
    }
  });

  it('endpoint: a javascript:, data: or unreachable prefix ends in a clear error, never a navigation', async () => {
    for (const endpoint of [
      `javascript:${PWN}`,
      `JAVASCRIPT:${PWN}//`,
      `data:text/html,<script>${PWN}</script>`,
      'vbscript:msgbox(1)',
      'http://127.0.0.1:9',
      '/no-such-prefix',
      `<img src=x onerror="${PWN}">`,
      '   ',
    ]) {
      const { payload } = await server.payload();
      const el = await mount({ endpoint, payload }, false);
      await statusReached(el, 'error');
      assertSafe(el, `endpoint=${endpoint}`);
      expect((part(el, 'status')!.textContent ?? '').trim()).to.not.equal('');
      el.remove();
    }
  });

  it('mode: an unknown value takes the QR code on this page, as gate does', async () => {
    for (const mode of ['foo', `<b onclick="${PWN}">x</b>`]) {
      const { payload } = await server.payload();
      const el = await mount({ mode, payload }, false);
      await statusReached(el, 'awaiting-customer');
      assertSafe(el, `mode=${mode}`);
      expect(shadow(el).querySelector('[part~="qr"] svg')).to.not.equal(null);
      el.remove();
    }
    // As gate does, it asks first for the details the payload leaves open.
    const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip', 'country']);
    const el = await mount({ mode: 'foo', payload }, false);
    await statusReached(el, 'collecting');
    expect(part(el, 'form')).to.be.instanceOf(HTMLFormElement);
    el.remove();
  });
});

/** An EventSource that answers for the real server's stream with the states a test pushes. */
class HostileSource extends EventTarget {
  static last: HostileSource | undefined;
  readyState = 0;
  constructor(readonly url: string) {
    super();
    HostileSource.last = this;
  }
  close(): void {
    this.readyState = 2;
  }
  push(state: Partial<PaymentState>): void {
    this.readyState = 1;
    this.dispatchEvent(new MessageEvent('status', { data: JSON.stringify(state) }));
  }
}

/** A real payment whose states come from the test: the element, its stream, the order. */
async function hostileStream(): Promise<{
  el: CupQrCheckout;
  source: HostileSource;
  order: { amount: number };
}> {
  const { payload, order } = await server.payload();
  HostileSource.last = undefined;
  const el = await fixture<CupQrCheckout>(html`<cup-qr-checkout manual></cup-qr-checkout>`);
  el.streamOptions = { EventSource: HostileSource as unknown as typeof EventSource };
  el.payload = payload;
  await el.start();
  await waitUntil(() => HostileSource.last, 'the stream opened');
  return { el, source: HostileSource.last!, order };
}

describe('hostile answers of a server', () => {
  it('any QR content is drawn as it is, never as markup; only https is a link, only http(s) is copied; junk is no state', async () => {
    const { el, source, order } = await hostileStream();
    const paymentId = el.paymentSession!.paymentId;
    let seq = 0;
    const state = (data: string): Partial<PaymentState> => ({
      paymentId,
      status: 'awaiting-customer',
      seq: ++seq,
      amount: order.amount,
      currency: 'CNY',
      description: `<img src=x onerror="${PWN}">`,
      qr: { data, expiresInSeconds: 300, timeoutSeconds: 300 },
      updatedAt: new Date().toISOString(),
    });
    const copyButton = (): Element | undefined =>
      [...shadow(el).querySelectorAll('button')].find(
        (b) => b.textContent!.trim() === '复制付款链接',
      );
    // What no QR code can mean or hold: never a state.
    const junk = [
      '',
      '   ',
      `java\tscript:${PWN}`,
      'https://bank.example/\u0000',
      'https://bank.example/\u0085',
      'https://bank.example/\ud800',
      `https://bank.example/${'a'.repeat(3000)}`,
      '汉'.repeat(777), // 2,331 bytes of UTF-8: one more than a QR code holds
    ];
    for (const data of junk) {
      source.push(state(data));
      await el.updateComplete;
      expect(el.status, data.slice(0, 40)).to.equal('pending');
      expect(el.paymentState?.qr, data.slice(0, 40)).to.equal(undefined);
      assertSafe(el, `qr.data=${data.slice(0, 40)}`);
      // A new valid state: the count of invalid ones in a row starts over (three would be an
      // invalid-response error, bad-answer.test.ts), so that every junk value is tried here.
      const { qr: _qr, ...noCode } = state('');
      source.push({ ...noCode, status: 'pending' });
      await el.updateComplete;
      expect(el.status).to.equal('pending');
    }
    // Anything else is drawn exactly (a bank app reads it, never this page), and is no link.
    const drawn = [
      `javascript:${PWN}`,
      `JAVASCRIPT:${PWN}`,
      ` javascript:${PWN}`,
      `data:text/html,<script>${PWN}</script>`,
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      '//bank.example/qr',
      `<img src=x onerror="${PWN}">`,
      '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A',
    ];
    for (const data of drawn) {
      source.push(state(data));
      await statusReached(el, 'awaiting-customer');
      expect(el.paymentState?.qr?.data).to.equal(data);
      expect(await decodeQr(el), data.slice(0, 40)).to.equal(data);
      expect(shadow(el).querySelector('a'), `${data.slice(0, 40)}: a link`).to.equal(null);
      expect(copyButton(), `${data.slice(0, 40)}: copied`).to.equal(undefined);
      assertSafe(el, `qr.data=${data.slice(0, 40)}`);
    }
    source.push(state('http://192.168.1.20:8090/bank?p=1'));
    await el.updateComplete;
    expect(shadow(el).querySelector('a'), 'an http: code is not offered as a link').to.equal(null);
    expect(copyButton(), 'an http: code can be copied').to.not.equal(undefined);
    expect(part(el, 'description')!.textContent).to.equal(`<img src=x onerror="${PWN}">`);
    assertSafe(el, 'qr.data=http');
    source.push(state('https://cashier.example/pay?id=1'));
    await el.updateComplete;
    expect(shadow(el).querySelector('a')?.getAttribute('href')).to.equal(
      'https://cashier.example/pay?id=1',
    );
    expect(copyButton()).to.not.equal(undefined);
    for (const data of junk) {
      source.push(state(data));
      await el.updateComplete;
      expect(el.paymentState?.qr?.data).to.equal('https://cashier.example/pay?id=1');
      assertSafe(el, `after https, qr.data=${data.slice(0, 40)}`);
    }
    el.remove();
  });

  it('reads `qr.url`, as servers written to the protocol before EMVCo payloads send it', async () => {
    const { el, source, order } = await hostileStream();
    const old = {
      paymentId: el.paymentSession!.paymentId,
      status: 'awaiting-customer' as const,
      seq: 1,
      amount: order.amount,
      currency: 'CNY',
      description: 'd',
      qr: { url: 'https://cashier.example/pay?id=2', expiresInSeconds: 300, timeoutSeconds: 300 },
      updatedAt: new Date().toISOString(),
    };
    source.push(old as unknown as Partial<PaymentState>);
    await statusReached(el, 'awaiting-customer');
    expect(el.paymentState!.qr!.data).to.equal('https://cashier.example/pay?id=2');
    expect(await decodeQr(el)).to.equal('https://cashier.example/pay?id=2');
    expect(shadow(el).querySelector('a')?.getAttribute('href')).to.equal(
      'https://cashier.example/pay?id=2',
    );
    el.remove();
  });

  it('a Payment Page link that is not an absolute http(s) URL is refused with a note, never followed', async () => {
    const realFetch = window.fetch;
    let answer = '';
    let calls = 0;
    let answered = 0;
    // Only the link's answer is the hostile server's; the payment itself is the real one.
    window.fetch = (input, init) =>
      String(input).endsWith('/payment-page')
        ? Promise.resolve(Response.json({ url: answer })).finally(() => answered++)
        : realFetch(input, init);
    try {
      const { payload } = await server.paymentPagePayload();
      const el = await mount({ 'payment-page-target': 'redirect', payload }, false);
      await statusReached(el, 'pending');
      for (const url of [
        `javascript:${PWN}`,
        `  JavaScript:${PWN}`,
        `data:text/html,<script>${PWN}</script>`,
        'vbscript:msgbox(1)',
        'file:///etc/passwd',
        '/elsewhere-in-the-shop',
        '//evil.example/pay',
      ]) {
        answer = url;
        calls++;
        const button = shadow(el).querySelector<HTMLButtonElement>('[part~="actions"] button')!;
        button.click();
        await waitUntil(() => answered === calls, `the link for ${url} fetched`);
        await waitUntil(
          () => shadow(el).querySelector('.note')?.textContent?.trim(),
          `a note for ${url}`,
        );
        assertSafe(el, `payment page url=${url}`);
      }
      // A navigation would have been queued by now: one more real round trip, then look again.
      await server.settled();
      assertSafe(el, 'after every Payment Page link');
      el.remove();
    } finally {
      window.fetch = realFetch;
    }
  });
});
