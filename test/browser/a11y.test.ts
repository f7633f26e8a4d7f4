/**
 * Accessibility and reflow of every screen, in each browser engine, against the real toolkit
 * and sandbox: the keyboard's focus through every state change (WCAG 2.4.3), the form and the
 * phone actions on a 320 px screen (1.4.10), the skeleton holding the QR code's place, live
 * regions outside the busy stage, one name for the region and its heading, a result that fits
 * its card on a phone, and axe at zero in every state, both locales, desktop and phone.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import type { CheckoutStatus } from '../../src/events.js';
import en from '../../src/translations/en.js';
import { zhCN } from '../../src/translations/index.js';
import { PAYMENT_STATUSES } from '../../src/wire/status.js';
import { part, server, shadow, statusReached } from './helpers/checkout.js';

/** The payload fixes these; names, address and country are left to the shopper. */
const FIXED = ['id', 'email', 'phone', 'zip'];
const VALID: Record<string, string> = {
  last_name: '张',
  first_name: '三',
  city: '北京',
  street: '长安街1号',
  country: 'CN',
};

async function mount(payload: string, locale = 'en', manual = false): Promise<CupQrCheckout> {
  return fixture<CupQrCheckout>(
    html`<cup-qr-checkout ?manual=${manual} payload=${payload} locale=${locale}></cup-qr-checkout>`,
  );
}

/** Mounted in a 320 px wide box: a 320 px screen (WebKit's window is at least 447 px wide). */
async function mountNarrow(payload: string, locale: string): Promise<CupQrCheckout> {
  const box = await fixture<HTMLDivElement>(
    html`<div style="width: 320px">
      <cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>
    </div>`,
  );
  return box.firstElementChild as CupQrCheckout;
}

function primary(el: CupQrCheckout): HTMLElement {
  const found = shadow(el).querySelector<HTMLElement>('[part~="actions"] .primary');
  if (!found) throw new Error(`no primary button in ${el.status}`);
  return found;
}

/** Presses Enter on `control`, focused from the keyboard's point of view. */
async function pressEnterOn(control: HTMLElement): Promise<void> {
  control.focus();
  await sendKeys({ press: 'Enter' });
}

/** What has the focus, in words (an element in a failed assertion is too big to report). */
function describeFocus(el: CupQrCheckout): string {
  const active = document.activeElement === el ? shadow(el).activeElement : document.activeElement;
  if (!active) return 'nothing';
  const where = document.activeElement === el ? 'in the element' : 'on the page';
  const name = [active.tagName.toLowerCase(), active.getAttribute('part'), where];
  return name.filter(Boolean).join(' ');
}

/** Checks that the focus is on the element's `expected` part, never on `<body>`. */
function focusOn(el: CupQrCheckout, expected: string, when: string): void {
  const target = part(el, expected);
  const has =
    document.activeElement === el && target !== null && shadow(el).activeElement === target;
  expect(has, `${when}: focus on ${expected}, is ${describeFocus(el)}`).to.equal(true);
}

/** Fills the form with valid details through its fields' own events. */
function fillForm(el: CupQrCheckout): void {
  for (const control of shadow(el).querySelectorAll<HTMLInputElement | HTMLSelectElement>(
    '[part~="input"]',
  )) {
    control.value = VALID[control.name];
    control.dispatchEvent(new Event(control.tagName === 'SELECT' ? 'change' : 'input'));
  }
}

/** Every element of the shadow root lies within the card, which is at most `width` wide. */
function fitsWidth(el: CupQrCheckout, width: number): void {
  const base = part(el, 'base')!.getBoundingClientRect();
  expect(base.width, 'the card').to.be.at.most(width + 0.5);
  for (const node of shadow(el).querySelectorAll<HTMLElement>('*')) {
    const rect = node.getBoundingClientRect();
    if (rect.width === 0 || node.classList.contains('visually-hidden')) continue;
    const name = `${node.tagName} ${node.getAttribute('part') ?? node.className}`;
    expect(rect.right, `${name} right edge`).to.be.at.most(base.right + 0.5);
    expect(rect.left, `${name} left edge`).to.be.at.least(base.left - 0.5);
  }
}

/** The line boxes of an element's text. */
function lines(node: Element): number {
  const range = document.createRange();
  range.selectNodeContents(node);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
}

afterEach(async () => {
  await setViewport({ width: 800, height: 600 });
  await server.faults({});
  await server.reset();
  sessionStorage.clear();
});

/** How to pay: the scan instructions, or on a phone the same-phone text shown in their place. */
const howToPay = (el: CupQrCheckout): HTMLElement =>
  [part(el, 'same-phone'), part(el, 'instructions')].find(
    (node) => node && node.getClientRects().length > 0,
  )!;

describe('<cup-qr-checkout> focus through state changes', () => {
  it('"start" -> starting -> the QR code: on the stage, never <body>', async () => {
    await server.faults({ gateDelayMs: 400 });
    const { payload } = await server.payload();
    const el = await mount(payload, 'en', true);
    await pressEnterOn(primary(el));
    await statusReached(el, 'starting');
    focusOn(el, 'stage', 'starting');
    await statusReached(el, 'awaiting-customer');
    focusOn(el, 'stage', 'the QR code');
  });

  it('"new code" after an expiry -> the new QR code', async () => {
    const { payload } = await server.payload();
    const el = await mount(payload);
    await statusReached(el, 'awaiting-customer');
    await server.expire(el.paymentSession!.paymentId);
    await statusReached(el, 'expired');
    const newCode = primary(el);
    expect(newCode.textContent!.trim()).to.equal(en.newCode);
    await pressEnterOn(newCode);
    await statusReached(el, 'awaiting-customer');
    focusOn(el, 'stage', 'the new QR code');
  });

  it('"retry" after an error -> the QR code', async () => {
    await server.faults({ gateError: 502, gateFaultTimes: 1 });
    const { payload } = await server.payload();
    const el = await mount(payload);
    await statusReached(el, 'error');
    const retry = primary(el);
    expect(retry.textContent!.trim()).to.equal(en.retry);
    await pressEnterOn(retry);
    await statusReached(el, 'awaiting-customer');
    focusOn(el, 'stage', 'the QR code after retry');
  });

  it('the form: on its first field when it opens, on the stage after the submit', async () => {
    const { payload } = await server.partialPayload(FIXED);
    const el = await mount(payload, 'en', true);
    await pressEnterOn(primary(el));
    await statusReached(el, 'collecting');
    focusOn(el, 'input', 'the form');
    fillForm(el);
    await el.updateComplete;
    await pressEnterOn(shadow(el).querySelector<HTMLElement>('button[type="submit"]')!);
    await statusReached(el, 'awaiting-customer');
    focusOn(el, 'stage', 'the QR code after the form');
  });

  it('success while "copy link" had the focus (a phone) -> the result', async () => {
    await setViewport({ width: 390, height: 800 });
    const { payload } = await server.payload();
    const el = await mount(payload);
    await statusReached(el, 'awaiting-customer');
    const copy = [
      ...shadow(el).querySelectorAll<HTMLElement>('[part~="phone-actions"] button'),
    ].find((b) => b.textContent!.trim() === en.copyLink);
    expect(copy, 'the copy-link button').to.be.instanceOf(HTMLElement);
    copy!.focus();
    expect(shadow(el).activeElement === copy, 'focus on copy link').to.equal(true);
    await server.approve(el.paymentSession!.paymentId);
    await statusReached(el, 'success');
    focusOn(el, 'status', 'success');
  });

  it('takes no focus that was elsewhere on the page', async () => {
    const { payload } = await server.payload();
    const outside = await fixture<HTMLDivElement>(
      html`<div><button>page</button><cup-qr-checkout payload=${payload}></cup-qr-checkout></div>`,
    );
    const el = outside.querySelector('cup-qr-checkout') as CupQrCheckout;
    outside.querySelector('button')!.focus();
    await statusReached(el, 'awaiting-customer');
    expect(describeFocus(el)).to.equal('button on the page');
  });
});

describe('<cup-qr-checkout> layout on a 320 px screen and around the QR code', () => {
  for (const [locale, t] of [
    ['zh-CN', zhCN],
    ['en', en],
  ] as const) {
    it(`the customer form fits 320 px (${locale})`, async () => {
      await setViewport({ width: 320, height: 900 });
      const { payload } = await server.partialPayload(FIXED);
      const el = await mountNarrow(payload, locale);
      await statusReached(el, 'collecting');
      expect(shadow(el).querySelector('select[name="country"]')).to.be.instanceOf(HTMLElement);
      fitsWidth(el, 320);
      // With every field refused too (errors and their marks take room).
      await pressEnterOn(shadow(el).querySelector<HTMLElement>('button[type="submit"]')!);
      await el.updateComplete;
      expect(shadow(el).querySelectorAll('[part~="field-error"]').length).to.be.greaterThan(0);
      fitsWidth(el, 320);
    });

    it(`the phone actions wrap, apart, each label on one line, within 320 px (${locale})`, async () => {
      await setViewport({ width: 320, height: 900 });
      const { payload } = await server.payload();
      const el = await mountNarrow(payload, locale);
      await statusReached(el, 'awaiting-customer');
      const buttons = [
        ...shadow(el).querySelectorAll<HTMLElement>('[part~="phone-actions"] [part~="button"]'),
      ];
      expect(buttons.map((b) => b.textContent!.trim())).to.include(t.saveImage);
      fitsWidth(el, 320);
      const rects = buttons.map((b) => b.getBoundingClientRect());
      for (const [i, b] of buttons.entries()) {
        expect(rects[i].width, `${b.textContent} is shown`).to.be.greaterThan(0);
        expect(lines(b), `${b.textContent} on one line`).to.equal(1);
        for (const other of rects.slice(i + 1)) {
          const apart =
            other.left >= rects[i].right + 7.5 ||
            rects[i].left >= other.right + 7.5 ||
            other.top >= rects[i].bottom + 7.5 ||
            rects[i].top >= other.bottom + 7.5;
          expect(apart, `${b.textContent} and the next are 8 px apart`).to.equal(true);
        }
      }
    });
  }

  for (const [viewport, width, locale] of [
    ['desktop', 800, 'zh-CN'],
    ['phone', 390, 'en'],
  ] as const) {
    it(`the skeleton holds the QR code's place: nothing moves when it arrives (${viewport})`, async () => {
      await setViewport({ width, height: 900 });
      await server.faults({ callbackDelayMs: 600 });
      const { payload } = await server.payload();
      const el = await mount(payload, locale);
      await statusReached(el, 'pending');
      const skeleton = part(el, 'skeleton')!.getBoundingClientRect();
      const before = howToPay(el).getBoundingClientRect().top;
      await statusReached(el, 'awaiting-customer');
      const qr = part(el, 'qr')!.getBoundingClientRect();
      const after = howToPay(el).getBoundingClientRect().top;
      expect(skeleton.width, 'the skeleton is the code’s size').to.be.closeTo(qr.width, 0.5);
      expect(skeleton.height).to.be.closeTo(qr.height, 0.5);
      expect(skeleton.top).to.be.closeTo(qr.top, 0.5);
      expect(after, 'the instructions stay put').to.be.closeTo(before, 0.5);
    });
  }

  it('a result on a phone fits its card (no tall empty stage)', async () => {
    await setViewport({ width: 390, height: 900 });
    const { payload } = await server.payload();
    const el = await mount(payload);
    await statusReached(el, 'awaiting-customer');
    await server.approve(el.paymentSession!.paymentId);
    await statusReached(el, 'success');
    const stage = part(el, 'stage')!;
    const children = [...stage.children].map((child) => child.getBoundingClientRect());
    const content = children.at(-1)!.bottom - children[0].top;
    expect(stage.getBoundingClientRect().height).to.be.closeTo(content, 1);
  });
});

describe('<cup-qr-checkout> regions', () => {
  it('says its progress outside the busy stage, in starting and pending', async () => {
    await server.faults({ gateDelayMs: 400, callbackDelayMs: 600 });
    const { payload } = await server.payload();
    const el = await mount(payload);
    for (const status of ['starting', 'pending'] as const) {
      await statusReached(el, status);
      expect(part(el, 'stage')!.getAttribute('aria-busy'), status).to.equal('true');
      const live = [...shadow(el).querySelectorAll('[role="status"], [role="alert"]')];
      expect(live.length).to.be.greaterThan(0);
      for (const region of live) {
        const busy = region.closest('[aria-busy="true"]') !== null;
        expect(busy, `${status}: a live region in a busy one`).to.equal(false);
      }
    }
    await statusReached(el, 'awaiting-customer');
    expect(part(el, 'stage')!.getAttribute('aria-busy')).to.equal('false');
  });

  for (const locale of ['zh-CN', 'en']) {
    it(`the region is named by its heading (${locale})`, async () => {
      const { payload } = await server.payload();
      const el = await mount(payload, locale, true);
      const base = part(el, 'base')!;
      expect(base.hasAttribute('aria-label'), 'no second name').to.equal(false);
      const heading = shadow(el).getElementById(base.getAttribute('aria-labelledby')!);
      expect(heading === part(el, 'header'), 'aria-labelledby: the heading').to.equal(true);
      expect(heading!.textContent!.trim()).to.not.equal('');
    });
  }
});

/** Brings a fresh element to `status`; resolves with it there. */
async function reach(
  status: CheckoutStatus | 'payment-page',
  locale: string,
): Promise<CupQrCheckout> {
  switch (status) {
    case 'idle':
      return mount((await server.payload()).payload, locale, true);
    case 'collecting': {
      const el = await mount((await server.partialPayload(FIXED)).payload, locale);
      await statusReached(el, 'collecting');
      return el;
    }
    case 'starting': {
      await server.faults({ gateDelayMs: 1500 });
      const el = await mount((await server.payload()).payload, locale);
      await statusReached(el, 'starting');
      return el;
    }
    case 'pending': {
      await server.faults({ callbackDelayMs: 1500 });
      const el = await mount((await server.payload()).payload, locale);
      await statusReached(el, 'pending');
      return el;
    }
    case 'error': {
      await server.faults({ gateError: 502 });
      const el = await mount((await server.payload()).payload, locale);
      await statusReached(el, 'error');
      return el;
    }
    case 'payment-page': {
      const el = await mount((await server.paymentPagePayload()).payload, locale);
      await statusReached(el, 'pending');
      expect(el.mode).to.equal('payment-page');
      return el;
    }
    default: {
      const el = await mount((await server.payload()).payload, locale);
      await statusReached(el, 'awaiting-customer');
      if (status === 'awaiting-customer') return el;
      const id = el.paymentSession!.paymentId;
      if (status === 'success') await server.approve(id);
      else if (status === 'decline') await server.decline(id);
      else await server.expire(id);
      await statusReached(el, status);
      return el;
    }
  }
}

/** Every status of the element (the payment's from the wire protocol), and Payment Page mode. */
const STATES = ['idle', 'collecting', 'starting', ...PAYMENT_STATUSES, 'payment-page'] as const;

describe('<cup-qr-checkout> axe at zero in every state', () => {
  for (const [viewport, width] of [
    ['desktop', 800],
    ['phone', 390],
  ] as const) {
    for (const locale of ['zh-CN', 'en']) {
      for (const status of STATES) {
        it(`${status}, ${locale}, ${viewport}`, async () => {
          await setViewport({ width, height: 900 });
          const el = await reach(status, locale);
          await expect(el).to.be.accessible();
          // A payment on its way ends before the next one starts (one Gate, one sandbox).
          if (el.status === 'starting' || (el.status === 'pending' && el.mode === 'gate')) {
            await server.faults({});
            await statusReached(el, 'awaiting-customer', 15000);
          }
        });
      }
    }
  }
});
