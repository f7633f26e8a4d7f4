/**
 * The customer form: in each browser engine, against the real toolkit and sandbox, used from the
 * keyboard. A payload that leaves customer details open makes the element ask for them before
 * the payment starts; what the shopper types reaches the sandbox's Gate.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import type { CheckoutStatus } from '../../src/events.js';
import { en, zhCN } from './helpers/form-words.js';
import { part, server, shadow, statusReached } from './helpers/checkout.js';

/** The payload fixes these; names and address (Chinese script) are left to the shopper. */
const FIXED = ['id', 'email', 'phone', 'zip', 'country'];

async function mount(payload: string, locale: string): Promise<CupQrCheckout> {
  return fixture<CupQrCheckout>(
    html`<cup-qr-checkout payload=${payload} locale=${locale}></cup-qr-checkout>`,
  );
}

function control(el: CupQrCheckout, name: string): HTMLInputElement | HTMLSelectElement | null {
  return shadow(el).querySelector(`[part~="input"][name="${name}"]`);
}

function names(el: CupQrCheckout): string[] {
  return [...shadow(el).querySelectorAll<HTMLInputElement>('[part~="input"]')].map((i) => i.name);
}

function errorOf(el: CupQrCheckout, name: string): string | undefined {
  const input = control(el, name)!;
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ');
  const error = shadow(el).querySelector(`[part="field-error"]#${CSS.escape(`${input.id}-error`)}`);
  if (!error) return undefined;
  expect(ids, 'the error describes its field').to.include(error.id);
  expect(input.getAttribute('aria-invalid')).to.equal('true');
  return error.textContent!.trim();
}

/** Types over a field's text with the keyboard (its old text selected, as a triple click does). */
async function typeInto(el: CupQrCheckout, name: string, text: string): Promise<void> {
  const input = control(el, name) as HTMLInputElement;
  input.focus();
  input.select();
  expect(shadow(el).activeElement).to.equal(input);
  await sendKeys({ press: 'Backspace' });
  if (text) await sendKeys({ type: text });
}

/** Submits from the keyboard: Enter in a field. */
async function pressEnterIn(el: CupQrCheckout, name: string): Promise<void> {
  control(el, name)!.focus();
  await sendKeys({ press: 'Enter' });
  await el.updateComplete;
}

afterEach(async () => {
  await server.reset();
  sessionStorage.clear();
});

describe('<cup-qr-checkout> customer form', () => {
  for (const [locale, t] of [
    ['zh-CN', zhCN],
    ['en', en],
  ] as const) {
    it(`asks for what the payload lacks, refuses invalid entries next to the field, axe-clean (${locale})`, async () => {
      const { payload } = await server.partialPayload(FIXED);
      const sales = await server.saleRequests();
      const el = await mount(payload, locale);
      await statusReached(el, 'collecting');
      expect(el.matches(':state(collecting)')).to.equal(true);
      const form = part(el, 'form')!;
      expect(form).to.be.instanceOf(HTMLFormElement);
      expect(names(el)).to.deep.equal(['last_name', 'first_name', 'city', 'street']);
      // Chinese-script fields say so to IMEs and screen readers; autofill knows each one.
      const lastName = control(el, 'last_name')!;
      expect(lastName.getAttribute('lang')).to.equal('zh-CN');
      expect(lastName.getAttribute('autocomplete')).to.equal('family-name');
      expect(control(el, 'street')!.getAttribute('autocomplete')).to.equal('address-line1');
      const label = shadow(el).querySelector(`label[for="${lastName.id}"]`)!;
      expect(label.textContent).to.equal(t.customerLabels.last_name);
      expect(lastName.getAttribute('aria-describedby')).to.equal(`${lastName.id}-hint`);
      expect(shadow(el).getElementById(`${lastName.id}-hint`)!.textContent).to.equal(
        t.customerHints.last_name,
      );
      await expect(el).to.be.accessible();

      // Nothing typed: every field refused, counted in the live region, focus on the first.
      await pressEnterIn(el, 'street');
      await waitUntil(() => shadow(el).activeElement === lastName, 'focus on the first field', {
        timeout: 10000,
      });
      for (const name of ['last_name', 'first_name', 'city', 'street']) {
        expect(errorOf(el, name), name).to.equal(t.customerErrors.required);
      }
      const alert = part(el, 'form-error')!;
      expect(alert.getAttribute('role')).to.equal('alert');
      expect(alert.textContent!.trim()).to.equal(t.customerErrorCount(4));
      await expect(el).to.be.accessible();

      // A digit in a name, a city with no letter: refused, in the element's language.
      await typeInto(el, 'last_name', 'Zhang3');
      await typeInto(el, 'first_name', '三');
      await typeInto(el, 'city', '100');
      await typeInto(el, 'street', '长安街1号');
      await pressEnterIn(el, 'street');
      await waitUntil(() => shadow(el).activeElement === lastName, 'focus back on the first', {
        timeout: 10000,
      });
      expect(errorOf(el, 'last_name')).to.equal(t.customerErrors.name);
      expect(errorOf(el, 'first_name')).to.equal(undefined);
      expect(errorOf(el, 'city')).to.equal(t.customerErrors.address);
      expect(alert.textContent!.trim()).to.equal(t.customerErrorCount(2));
      await expect(el).to.be.accessible();
      // An error goes as soon as the field is right.
      await typeInto(el, 'last_name', '张');
      await el.updateComplete;
      expect(errorOf(el, 'last_name')).to.equal(undefined);
      expect(el.status).to.equal('collecting');
      expect(await server.saleRequests()).to.equal(sales, 'nothing was sent');
    });
  }

  for (const [locale, t] of [
    ['zh-CN', zhCN],
    ['en', en],
  ] as const) {
    it(`takes pinyin and an address abroad, shows the phone tidied and sends it so (${locale})`, async () => {
      const { payload } = await server.partialPayload(['id', 'email', 'zip', 'country']);
      const el = await mount(payload, locale);
      await statusReached(el, 'collecting');
      expect(names(el)).to.deep.equal(['last_name', 'first_name', 'phone', 'city', 'street']);
      // Chinese is asked first: each hint says it is preferred and gives a Chinese example.
      for (const name of ['last_name', 'first_name', 'city', 'street'] as const) {
        const hint = shadow(el).getElementById(`cup-qr-${name}-hint`)!.textContent!;
        expect(hint).to.equal(t.customerHints[name]);
        expect(hint, name).to.match(
          locale === 'zh-CN' ? /^请尽量用汉字/ : /^Chinese( characters)? preferred/,
        );
        expect(hint, name).to.match(/\p{Script=Han}/u);
      }
      await typeInto(el, 'last_name', 'Zhang');
      await typeInto(el, 'first_name', 'Xiao Ming');
      await typeInto(el, 'phone', '+86 138-0013-8000');
      // Leaving the field shows the number as it is sent.
      await sendKeys({ press: 'Tab' });
      await el.updateComplete;
      expect(control(el, 'phone')!.value).to.equal('13800138000');
      await typeInto(el, 'city', 'Zürich');
      await typeInto(el, 'street', 'Bahnhofstrasse 1, 3/F');
      const submitted = oneEvent(el, 'cup-qr-customer');
      await pressEnterIn(el, 'street');
      const { detail } = await submitted;
      expect(detail.customer).to.deep.equal({
        last_name: 'Zhang',
        first_name: 'Xiao Ming',
        phone: '13800138000',
        city: 'Zürich',
        street: 'Bahnhofstrasse 1, 3/F',
      });
      await statusReached(el, 'awaiting-customer');
      const sale = await server.sale(el.paymentSession!.paymentId);
      expect(sale!.accepted).to.equal(true);
      expect(sale!.request.customer.phone).to.equal('13800138000');
      expect(sale!.request.customer.city).to.equal('Zürich');
    });

    it(`keeps refusing control, invisible and bidi characters and ";", next to the field (${locale})`, async () => {
      const { payload } = await server.partialPayload(['id', 'email', 'zip', 'country']);
      const sales = await server.saleRequests();
      const el = await mount(payload, locale);
      await statusReached(el, 'collecting');
      await typeInto(el, 'last_name', 'Zhang');
      await typeInto(el, 'first_name', 'San');
      await typeInto(el, 'phone', '138 0013 8000');
      await typeInto(el, 'city', '北京');
      await typeInto(el, 'street', '建国路88号');
      // Set as a paste would: a key press cannot type these.
      const paste = async (name: string, value: string): Promise<void> => {
        const input = control(el, name) as HTMLInputElement;
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        await el.updateComplete;
      };
      await paste('last_name', 'Zhang\u202e');
      await paste('first_name', 'San\u200b');
      await paste('city', '北京;payment:status:success');
      await paste('phone', '138\u20280013');
      await pressEnterIn(el, 'street');
      expect(errorOf(el, 'last_name')).to.equal(t.customerErrors.invalid);
      expect(errorOf(el, 'first_name')).to.equal(t.customerErrors.invalid);
      expect(errorOf(el, 'city')).to.equal(t.customerErrors['invalid-character']);
      expect(errorOf(el, 'phone')).to.equal(t.customerErrors.phone);
      expect(errorOf(el, 'street')).to.equal(undefined);
      expect(part(el, 'form-error')!.textContent!.trim()).to.equal(t.customerErrorCount(4));
      expect(el.status).to.equal('collecting');
      expect(await server.saleRequests()).to.equal(sales, 'nothing was sent');
      await expect(el).to.be.accessible();
    });
  }

  it('starts the payment with valid entries; the sandbox receives them', async () => {
    const { payload, order } = await server.partialPayload(FIXED);
    const el = await mount(payload, 'zh-CN');
    await statusReached(el, 'collecting');
    await typeInto(el, 'last_name', '张');
    // From field to field with Tab, as a keyboard user does.
    await sendKeys({ press: 'Tab' });
    expect(shadow(el).activeElement).to.equal(control(el, 'first_name'));
    await sendKeys({ type: '三' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: '北京市' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: ' 长安街1号 ' });
    const submitted = oneEvent(el, 'cup-qr-customer');
    await sendKeys({ press: 'Enter' });
    const { detail } = await submitted;
    expect(detail.customer).to.deep.equal({
      last_name: '张',
      first_name: '三',
      city: '北京市',
      street: '长安街1号',
    });
    await statusReached(el, 'awaiting-customer');
    const sale = await server.sale(el.paymentSession!.paymentId);
    expect(sale!.accepted).to.equal(true);
    const { ip_address: ip, ...customer } = sale!.request.customer;
    expect(ip).to.be.a('string').and.not.equal('');
    expect(customer).to.deep.equal({
      id: (order as unknown as { customer: { id: string } }).customer.id,
      email: 'shopper@example.com',
      phone: '8613800138000',
      zip: '100000',
      country: 'CN',
      last_name: '张',
      first_name: '三',
      city: '北京市',
      street: '长安街1号',
    });
  });

  it('places the server’s refusal next to its field, for a client whose own check let it by', async () => {
    const { payload } = await server.partialPayload(FIXED);
    const el = await mount(payload, 'en');
    await statusReached(el, 'collecting');
    await typeInto(el, 'last_name', '张');
    await typeInto(el, 'first_name', '三');
    await typeInto(el, 'city', '北京市');
    await typeInto(el, 'street', '长安街1号');
    // An older or altered page sends a city the rules refuse: the real server decides.
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      if (String(input).endsWith('/cup-qr/payments') && typeof init?.body === 'string') {
        const body = JSON.parse(init.body);
        body.customer.city = '100';
        return realFetch(input, { ...init, body: JSON.stringify(body) });
      }
      return realFetch(input, init);
    };
    try {
      const sales = await server.saleRequests();
      const seen: CheckoutStatus[] = [];
      el.addEventListener('cup-qr-status', (e) => seen.push(e.detail.status));
      await pressEnterIn(el, 'street');
      await waitUntil(() => seen.length === 2, 'starting, then the form again', { timeout: 10000 });
      expect(seen).to.deep.equal(['starting', 'collecting']);
      await el.updateComplete;
      expect(errorOf(el, 'city')).to.equal(en.customerErrors.address);
      await waitUntil(() => shadow(el).activeElement === control(el, 'city'), 'focus on city', {
        timeout: 10000,
      });
      expect(part(el, 'form-error')!.textContent!.trim()).to.equal(en.customerErrorCount(1));
      expect(await server.saleRequests()).to.equal(sales, 'nothing reached Gate');
      await expect(el).to.be.accessible();
    } finally {
      window.fetch = realFetch;
    }
    // Corrected, it goes through.
    await pressEnterIn(el, 'street');
    await statusReached(el, 'awaiting-customer');
  });

  it('from the keyboard: Enter on the start button, then on in the form', async () => {
    const { payload } = await server.partialPayload(FIXED);
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout manual payload=${payload} locale="zh-CN"></cup-qr-checkout>`,
    );
    shadow(el).querySelector<HTMLButtonElement>('[part~="button"]')!.focus();
    await sendKeys({ press: 'Enter' });
    await statusReached(el, 'collecting');
    await waitUntil(() => shadow(el).activeElement === control(el, 'last_name'), 'focus in form', {
      timeout: 10000,
    });
  });

  it('a payload with every field shows no form', async () => {
    const { payload } = await server.payload();
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout manual locale="en"></cup-qr-checkout>`,
    );
    const seen: CheckoutStatus[] = [];
    el.addEventListener('cup-qr-status', (e) => seen.push(e.detail.status));
    el.payload = payload;
    await el.start();
    await statusReached(el, 'awaiting-customer');
    expect(seen).to.not.include('collecting');
    expect(part(el, 'form')).to.equal(null);
  });

  it("shows the merchant's strings over the form's own words, which load with the form", async () => {
    const { payload } = await server.partialPayload(FIXED);
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout
        payload=${payload}
        locale="en"
        .strings=${{
          customerSubmit: 'Pay now',
          customerLabels: { ...en.customerLabels, city: 'Town' },
        }}
      ></cup-qr-checkout>`,
    );
    await statusReached(el, 'collecting');
    await el.updateComplete;
    const submit = shadow(el).querySelector('[part="form"] button[type="submit"]')!;
    expect(submit.textContent!.trim()).to.equal('Pay now');
    const label = shadow(el).querySelector(`label[for="${control(el, 'city')!.id}"]`)!;
    expect(label.textContent).to.equal('Town');
    // The words not overridden are the form's defaults.
    const street = shadow(el).querySelector(`label[for="${control(el, 'street')!.id}"]`)!;
    expect(street.textContent).to.equal(en.customerLabels.street);
  });

  it('prefills from the prefill property; asks every open field, a country list included', async () => {
    const { payload } = await server.partialPayload(['id']);
    const el = await fixture<CupQrCheckout>(
      html`<cup-qr-checkout manual payload=${payload} locale="en"></cup-qr-checkout>`,
    );
    const collecting = oneEvent(el, 'cup-qr-status');
    el.prefill = { email: 'me@example.com', phone: '8613800138000' };
    void el.start();
    expect((await collecting).detail.status).to.equal('collecting');
    await el.updateComplete;
    expect(names(el)).to.deep.equal([
      'last_name',
      'first_name',
      'phone',
      'email',
      'country',
      'zip',
      'city',
      'street',
    ]);
    expect(control(el, 'email')!.value).to.equal('me@example.com');
    expect(control(el, 'email')!.getAttribute('inputmode')).to.equal('email');
    expect(control(el, 'phone')!.getAttribute('inputmode')).to.equal('numeric');
    const country = control(el, 'country') as HTMLSelectElement;
    expect(country.getAttribute('autocomplete')).to.equal('country');
    expect(country.options[1].value).to.equal('CN');
    expect(country.value).to.equal('');
    // A later prefill fills what is still empty, never what the shopper typed.
    await typeInto(el, 'zip', '200000');
    el.prefill = { zip: '100000', city: '上海市' };
    await el.updateComplete;
    expect(control(el, 'zip')!.value).to.equal('200000');
    expect(control(el, 'city')!.value).to.equal('上海市');
    // A phone that no tidying makes digits: the server's rule, said in the element's words.
    await typeInto(el, 'phone', '+86 138 0013 8000 ext 2');
    await pressEnterIn(el, 'phone');
    expect(errorOf(el, 'phone')).to.equal(en.customerErrors.phone);
    // A list is chosen from, not filled in: its own words.
    expect(errorOf(el, 'country')).to.equal(en.customerErrors.country);
    await expect(el).to.be.accessible();
  });

  it('names 中国台湾, 中国香港, 中国澳门 and asks to choose a country or region (zh-CN)', async () => {
    const { payload } = await server.partialPayload(['id', 'email', 'phone', 'zip']);
    const el = await mount(payload, 'zh-CN');
    await statusReached(el, 'collecting');
    const country = control(el, 'country') as HTMLSelectElement;
    const names = Object.fromEntries([...country.options].map((o) => [o.value, o.text]));
    expect([names.TW, names.HK, names.MO]).to.deep.equal(['中国台湾', '中国香港', '中国澳门']);
    expect(names.CN).to.equal('中国');
    shadow(el).querySelector<HTMLButtonElement>('[part~="form"] button[type="submit"]')!.click();
    await el.updateComplete;
    expect(errorOf(el, 'country')).to.equal('请选择国家或地区。');
    await expect(el).to.be.accessible();
  });
});
