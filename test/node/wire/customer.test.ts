/**
 * The customer details a shopper fills in: one set of rules (`wire/customer.ts`) for the
 * element's form and the server, and the server as the authority: it merges the shopper's
 * fields with the signed payload, refuses overrides, and refuses what the form refuses even
 * when a client skips the form.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import {
  checkCustomerField,
  openShopperFields,
  SHOPPER_FIELDS,
  tidyCustomerField,
  type ShopperField,
} from '../../../src/wire/customer.js';
import { TEST_CUSTOMER } from '../../helpers/customer.js';
import { foreignPayload, orderFields, startShop, type Shop } from '../../helpers/toolkit.js';

/** What the shopper would type for every open field. */
const SHOPPER = {
  last_name: '伍',
  first_name: '倩文',
  phone: '13632264147',
  email: 'wu@example.com',
  country: 'CN',
  zip: '100022',
  city: '北京',
  street: '建国路88号',
} as const;

/** A payload that fixes only the merchant's id and email: the rest is the shopper's. */
const PARTIAL = { customer: { id: 'c-42', email: 'merchant-set@example.com' } };

/** A shop whose Gate requests are recorded as sent (what the sandbox received), by payment id. */
async function recordingShop(t: TestContext): Promise<Shop & { sales: Map<string, any> }> {
  const sales = new Map<string, any>();
  const shop = await startShop(t, {
    checkout: {
      // The property tests start hundreds of payments from one address: no rate limit here.
      rateLimit: false,
      fetch: async (input, init) => {
        if (String(input).endsWith('/v2/payment/cup/qr/sale') && typeof init?.body === 'string') {
          const body = JSON.parse(init.body);
          sales.set(body.general.payment_id, body);
        }
        return fetch(input, init);
      },
    },
  });
  return Object.assign(shop, { sales });
}

describe('customer fields: the shared rules', () => {
  it('name each failed rule by id, for messages in the shopper language', () => {
    const cases: [ShopperField, string, string][] = [
      ['last_name', '', 'required'],
      ['last_name', '   ', 'required'],
      ['first_name', '倩'.repeat(256), 'too-long'],
      // Neither Han nor Latin letters, or what a name never holds.
      ['last_name', 'Wu3', 'name'],
      ['first_name', '---', 'name'],
      ['first_name', 'Иван', 'name'],
      ['last_name', '<b>Wu</b>', 'name'],
      ['first_name', 'San@', 'name'],
      // An address needs a letter of either script; digits alone are no city.
      ['city', '88', 'address'],
      ['street', '#12-01, 3/5', 'address'],
      // What can never be right, in any of them.
      ['city', '北京\u202e', 'invalid'],
      ['street', 'Main St\u2028', 'invalid'],
      ['last_name', 'Wu\u200b', 'invalid'],
      ['first_name', 'San\ud800', 'invalid'],
      ['city', 'Zurich;payment:status:success', 'invalid-character'],
      ['phone', '136-3226', 'phone'],
      ['phone', '+8613632264147', 'phone'],
      ['phone', '123', 'phone'],
      ['phone', '1'.repeat(25), 'phone'],
      ['email', 'wu@', 'email'],
      ['country', 'XX', 'country'],
      ['country', 'cn', 'country'],
      ['zip', '1', 'zip'],
    ];
    for (const [field, value, rule] of cases) {
      assert.equal(checkCustomerField(field, value)?.rule, rule, `${field}=${value}`);
      assert.ok(checkCustomerField(field, value)?.message, 'an English message too');
    }
    for (const field of SHOPPER_FIELDS) {
      assert.equal(checkCustomerField(field, SHOPPER[field]), undefined, field);
    }
  });

  it('accept Latin letters beside Chinese: pinyin, Western names, addresses abroad', () => {
    const accepted: [ShopperField, string][] = [
      ['last_name', 'Zhang'],
      ['first_name', 'San'],
      ['first_name', 'Xiao Ming'],
      ['last_name', "O'Brien"],
      ['last_name', 'O’Neil'],
      ['first_name', 'Jean-Luc'],
      ['first_name', 'Zoë'],
      ['first_name', 'J. R.'],
      ['last_name', 'Ｚｈａｎｇ'],
      ['first_name', '阿依·买买提'],
      ['first_name', '阿依・买买提'],
      ['first_name', '张　三'],
      ['city', 'city'],
      ['street', 'street'],
      ['city', 'Zürich'],
      ['street', 'Flat 3/F, 12 Nathan Rd.'],
      ['street', '#12-01, 1 Raffles Place'],
      ['street', '朝阳区建国路88号（东门）'],
      ['city', '北京；朝阳'],
      ['phone', '1'.repeat(24)],
      ['phone', '2233'],
    ];
    for (const [field, value] of accepted) {
      assert.equal(checkCustomerField(field, value), undefined, `${field}=${value}`);
    }
  });

  it('tidy a phone number as the shopper writes it; the rest is only trimmed', () => {
    const phones: [string, string][] = [
      ['13800138000', '13800138000'],
      [' 138 0013 8000 ', '13800138000'],
      ['138-0013-8000', '13800138000'],
      ['138.0013.8000', '13800138000'],
      ['(010) 6552 9988', '01065529988'],
      ['+86 138 0013 8000', '13800138000'],
      ['+8613800138000', '13800138000'],
      ['0086 138 0013 8000', '13800138000'],
      ['(+86) 138–0013–8000', '13800138000'],
      ['+86 (0)10 6552 9988', '01065529988'],
      ['１３８　００１３　８０００', '13800138000'],
      ['＋８６ １３８００１３８０００', '13800138000'],
      ['+41 79 123 45 67', '41791234567'],
      ['8613800138000', '8613800138000'],
      // Not phone numbers: left as they are (less the separators), so the rule says why.
      ['+86', '86'],
      ['138 0013 8000 转 2', '13800138000转2'],
      ['138\t0013', '138\t0013'],
      ['138\u200b0013', '138\u200b0013'],
      ['1363226414; rm -rf /', '1363226414;rmrf/'],
    ];
    for (const [typed, tidied] of phones) {
      assert.equal(tidyCustomerField('phone', typed), tidied, JSON.stringify(typed));
    }
    assert.equal(
      checkCustomerField('phone', tidyCustomerField('phone', '138\t0013'))?.rule,
      'phone',
    );
    assert.equal(
      checkCustomerField('phone', tidyCustomerField('phone', '1363226414; rm -rf /'))?.rule,
      'invalid-character',
    );
    assert.equal(tidyCustomerField('city', ' Hong Kong '), 'Hong Kong');
    assert.equal(tidyCustomerField('street', '1-2 Main St.'), '1-2 Main St.', 'not a phone');
    assert.equal(tidyCustomerField('zip', ' 100-0001 '), '100-0001');
  });

  it('ask only what the payload leaves open, never id nor ip_address', () => {
    assert.deepEqual(openShopperFields(undefined), [...SHOPPER_FIELDS]);
    assert.deepEqual(openShopperFields({ ...TEST_CUSTOMER }), []);
    assert.deepEqual(openShopperFields({ id: 'x', email: 'a@b.cn', phone: '' }), [
      'last_name',
      'first_name',
      'phone',
      'country',
      'zip',
      'city',
      'street',
    ]);
    assert.ok(!(SHOPPER_FIELDS as readonly string[]).includes('id'));
    assert.ok(!(SHOPPER_FIELDS as readonly string[]).includes('ip_address'));
  });
});

describe('customer fields: the server merges and decides', () => {
  it('merges the shopper fields with the payload; the IP comes from the request', async (t) => {
    const shop = await recordingShop(t);
    const { email: _fixed, ...open } = SHOPPER;
    const created = await shop.post('/payments', {
      payload: shop.payload('order-merge', PARTIAL),
      customer: { ...open, first_name: ' 倩文 ' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sale = shop.sales.get('order-merge');
    assert.deepEqual(sale.customer, {
      id: 'c-42',
      email: 'merchant-set@example.com',
      ...open,
      first_name: '倩文',
      ip_address: '127.0.0.1',
    });
    assert.ok(shop.sandbox.control.payment(843, 'order-merge'), 'the sandbox accepted the sale');
  });

  it('refuses with 400 field-fixed any override of what the payload fixes; nothing reaches Gate', async (t) => {
    const shop = await recordingShop(t);
    const payload = shop.payload('order-override', PARTIAL);
    const { email: _fixed, ...open } = SHOPPER;
    const attempts: [Record<string, unknown>, string][] = [
      [{ customer: { ...open, email: 'attacker@example.com' } }, 'customer.email'],
      [{ customer: { ...open, id: 'someone-else' } }, 'customer.id'],
      [{ customer: { ...open, ip_address: '8.8.8.8' } }, 'customer.ip_address'],
      [{ customer: open, amount: 1 }, 'amount'],
      [{ customer: open, payment: { amount: 1, currency: 'CNY' } }, 'payment'],
      [{ customer: open, currency: 'USD' }, 'currency'],
      [{ customer: open, returnUrl: 'https://evil.example' }, 'returnUrl'],
    ];
    for (const [extra, path] of attempts) {
      const answer = await shop.post('/payments', { payload, ...extra });
      assert.equal(answer.status, 400, path);
      assert.equal(answer.body.error.code, 'field-fixed', path);
      assert.deepEqual(
        answer.body.error.fields.map((f: { path: string; rule: string }) => [f.path, f.rule]),
        [[path, 'fixed']],
      );
    }
    // The same value as the payload's is an override all the same: only open fields are sent.
    const same = await shop.post('/payments', {
      payload,
      customer: { ...open, email: 'merchant-set@example.com' },
    });
    assert.equal(same.body.error.code, 'field-fixed');
    // Unknown keys are refused as well (400 bad-request, by path).
    const unknown = await shop.post('/payments', { payload, customer: { ...open, age: '30' } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.fields[0].path, 'customer.age');
    const notObject = await shop.post('/payments', { payload, customer: 'x' });
    assert.equal(notObject.body.error.code, 'bad-request');

    assert.equal(shop.sandbox.control.saleRequests(), 0, 'nothing reached Gate');
    assert.equal(await shop.store.latestAttempt('order-override'), undefined, 'nothing stored');
    // Once the details are right, the sale goes through with the payload's email.
    const ok = await shop.post('/payments', { payload, customer: open });
    assert.equal(ok.status, 201);
    assert.equal(shop.sales.get('order-override').customer.email, 'merchant-set@example.com');
    // ...and an override on the resumed attempt is still refused.
    const resumed = await shop.post('/payments', { payload, amount: 1 });
    assert.equal(resumed.body.error.code, 'field-fixed');
  });

  it('refuses what the form refuses, with the rule id by field, when the browser checks are skipped', async (t) => {
    const shop = await recordingShop(t);
    const payload = shop.payload('order-invalid', PARTIAL);
    const { email: _fixed, ...open } = SHOPPER;
    const answer = await shop.post('/payments', {
      payload,
      customer: {
        ...open,
        last_name: 'Wu3',
        phone: '+86 136 3226 4147 ext 2',
        country: 'XX',
        city: '88',
        street: '',
        zip: undefined,
      },
    });
    assert.equal(answer.status, 422);
    assert.equal(answer.body.error.code, 'customer-incomplete');
    const byPath = Object.fromEntries(
      answer.body.error.fields.map((f: { path: string; rule: string }) => [f.path, f.rule]),
    );
    assert.deepEqual(byPath, {
      'customer.last_name': 'name',
      'customer.phone': 'phone',
      'customer.country': 'country',
      'customer.zip': 'required',
      'customer.city': 'address',
      'customer.street': 'required',
    });
    const wrongType = await shop.post('/payments', { payload, customer: { ...open, zip: 100022 } });
    assert.equal(wrongType.status, 422);
    assert.deepEqual(wrongType.body.error.fields, [
      { path: 'customer.zip', message: 'must be a string', rule: 'invalid' },
    ]);
    assert.equal(shop.sandbox.control.saleRequests(), 0);
  });

  it('refuses what can never be right with 422 and the rule id by field; nothing reaches Gate', async (t) => {
    const shop = await recordingShop(t);
    const { email: _fixed, ...open } = SHOPPER;
    const refusals: [ShopperField, string, string][] = [
      ['last_name', 'Zhang\u202e', 'invalid'],
      ['first_name', 'San\u200b', 'invalid'],
      ['city', 'Zürich\u2066', 'invalid'],
      ['street', 'Main St\ud800', 'invalid'],
      ['street', 'Main St\u2029 1', 'invalid'],
      ['city', 'Zurich;payment:status:success', 'invalid-character'],
      ['first_name', 'San;', 'invalid-character'],
      ['phone', '138;0013', 'invalid-character'],
      ['last_name', 'Zhang3', 'name'],
      ['first_name', 'Иван', 'name'],
      ['city', '1234', 'address'],
      ['phone', '(+86)', 'phone'],
      ['phone', `+${'1'.repeat(25)}`, 'phone'],
      ['phone', '138\t0013\t8000', 'phone'],
    ];
    for (const [field, value, rule] of refusals) {
      const answer = await shop.post('/payments', {
        payload: shop.payload('order-refused', PARTIAL),
        customer: { ...open, [field]: value },
      });
      assert.equal(answer.status, 422, `${field}=${JSON.stringify(value)}`);
      assert.equal(answer.body.error.code, 'customer-incomplete');
      assert.deepEqual(
        answer.body.error.fields.map((f: { path: string; rule: string }) => [f.path, f.rule]),
        [[`customer.${field}`, rule]],
        `${field}=${JSON.stringify(value)}`,
      );
    }
    assert.equal(shop.sandbox.control.saleRequests(), 0);
    assert.equal(await shop.store.latestAttempt('order-refused'), undefined, 'nothing stored');
  });

  it('accepts pinyin, Latin addresses and a phone as written; the tidied phone is sent and stored', async (t) => {
    const shop = await recordingShop(t);
    const { email: _fixed, ...open } = SHOPPER;
    const created = await shop.post('/payments', {
      payload: shop.payload('order-latin', PARTIAL),
      customer: {
        ...open,
        last_name: 'Zhang',
        first_name: 'Xiao Ming',
        phone: '+86 (138) 0013-8000',
        country: 'CH',
        zip: '8001',
        city: 'Zürich',
        street: 'Bahnhofstrasse 1, 3/F #2',
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sale = shop.sales.get('order-latin');
    assert.equal(sale.customer.phone, '13800138000');
    assert.equal(sale.customer.first_name, 'Xiao Ming');
    assert.equal(sale.customer.street, 'Bahnhofstrasse 1, 3/F #2');
    assert.ok(shop.sandbox.control.payment(843, 'order-latin'), 'the sandbox accepted the sale');
    const stored = await shop.store.getPayment('order-latin');
    assert.equal(stored?.customer.phone, '13800138000');
    // Resumed with the phone as the shopper first wrote it: the same details, not a conflict.
    const again = await shop.post('/payments', {
      payload: shop.payload('order-latin', PARTIAL),
      customer: { phone: '0086 138 0013 8000', city: ' Zürich ' },
    });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.paymentId, 'order-latin');
    // A merchant's own phone in the payload is tidied the same way before it is signed.
    const merchant = await shop.post('/payments', {
      payload: shop.payload('order-merchant-phone', {
        customer: { ...TEST_CUSTOMER, phone: '+86 136-3226-4147' },
      }),
    });
    assert.equal(merchant.status, 201, JSON.stringify(merchant.body));
    assert.equal(shop.sales.get('order-merchant-phone').customer.phone, '13632264147');
  });

  it('accepts exactly what the shared rules accept, tidied (any phone, any family name)', async (t) => {
    const shop = await recordingShop(t);
    const { email: _fixed, ...open } = SHOPPER;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<ShopperField>('phone', 'last_name', 'zip'),
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.stringMatching(/^(\+|00)?(86)?[ 0-9().-]{2,28}$/),
          fc.stringMatching(/^[张王李赵·]{1,4}$/),
          fc.stringMatching(/^[A-Za-z][a-z' -]{0,12}$/),
        ),
        async (field, value) => {
          const ref = `order-prop-${++n}`;
          const answer = await shop.post('/payments', {
            payload: shop.payload(ref, PARTIAL),
            customer: { ...open, [field]: value },
          });
          const tidied = tidyCustomerField(field, value);
          const expected = checkCustomerField(field, tidied);
          if (expected) {
            assert.equal(answer.status, 422, `${field}=${JSON.stringify(value)}`);
            assert.equal(answer.body.error.fields[0].rule, expected.rule);
          } else {
            assert.equal(answer.status, 201, `${field}=${JSON.stringify(value)}`);
            assert.equal(shop.sales.get(ref).customer[field], tidied);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('Payment Page mode: open fields may stay empty (the page asks), but given ones are checked', async (t) => {
    const shop = await recordingShop(t);
    const payload = shop.payload('order-hosted', { ...PARTIAL, mode: 'payment-page' });
    const bad = await shop.post('/payments', { payload, customer: { phone: '+86' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.fields[0].path, 'customer.phone');
    const ok = await shop.post('/payments', { payload });
    assert.equal(ok.status, 201);
    assert.equal(shop.sandbox.control.saleRequests(), 0);
  });

  it('a payload without customer.id cannot become a Gate sale: a configuration error, logged', async (t) => {
    const logs: string[] = [];
    const shop = await startShop(t, { checkout: { log: (line: string) => logs.push(line) } });
    const answer = await shop.post('/payments', {
      payload: foreignPayload(orderFields('order-noid', { customer: { email: 'a@example.com' } })),
      customer: (({ email: _e, ...open }) => open)(SHOPPER),
    });
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.code, 'configuration');
    assert.ok(logs.some((line) => line.includes('customer.id')));
    assert.equal(shop.sandbox.control.saleRequests(), 0);
  });
});
