// ECommPay's sale request (ecommpay/sale.ts): what parseSaleRequest accepts and refuses, path by
// path.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseSaleRequest } from '../../../src/ecommpay/sale.js';
import { formatProblems, ProtocolError, unwrap, type Problem } from '../../../src/wire/problems.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));

/** The seed's sale request with a Chinese city and street, as the seed's text asks first. */
function validSale(): Record<string, any> {
  const sale = fixture('sale-request.json') as Record<string, any>;
  sale.customer.city = '北京';
  sale.customer.street = '朝阳区建国路88号';
  return sale;
}

const paths = (problems: Problem[]): string[] => problems.map((p) => p.path);

function problemsOf(input: unknown): Problem[] {
  const parsed = parseSaleRequest(input);
  assert.equal(parsed.ok, false, 'expected the sale request to be refused');
  return parsed.ok ? [] : parsed.problems;
}

describe('parseSaleRequest', () => {
  it('accepts the seed request once its city and street are in Chinese', () => {
    const parsed = parseSaleRequest(validSale());
    assert.equal(parsed.ok, true, parsed.ok ? '' : formatProblems(parsed.problems));
  });

  it("accepts the seed's own example as it is: Latin city and street, country CH", () => {
    const sale = fixture('sale-request.json');
    const parsed = parseSaleRequest(sale);
    assert.equal(parsed.ok, true, parsed.ok ? '' : formatProblems(parsed.problems));
    assert.deepEqual(parsed.ok && parsed.value.customer, sale.customer);
  });

  it('accepts pinyin and Western names, Latin addresses and phones of 4 to 24 digits', () => {
    const sale = validSale();
    Object.assign(sale.customer, {
      first_name: 'San',
      last_name: "Zhang-O'Brien",
      city: 'Zürich',
      street: 'Bahnhofstrasse 1, 3/F',
      phone: '1'.repeat(24),
    });
    assert.equal(parseSaleRequest(sale).ok, true);
    sale.customer.phone = '2233';
    assert.equal(parseSaleRequest(sale).ok, true);
    sale.customer.phone = '1'.repeat(25);
    assert.deepEqual(
      problemsOf(sale).map((p) => `${p.path}: ${p.message}`),
      ['customer.phone: 4 to 24 digits (got 25)'],
    );
  });

  it('keeps refusing what can never be right, as the platform reads it (no tidying here)', () => {
    const cases: [string, string][] = [
      ['first_name', 'San\u202e'],
      ['last_name', 'Zhang3'],
      ['city', '\u200b'],
      ['city', '88'],
      ['street', 'Main St\ud800'],
      ['phone', '+8613632264147'],
      ['phone', '138 0013 8000'],
    ];
    for (const [field, value] of cases) {
      const sale = validSale();
      sale.customer[field] = value;
      assert.deepEqual(paths(problemsOf(sale)), [`customer.${field}`], `${field}=${value}`);
    }
  });

  it('names every problem by path, not just the first', () => {
    const sale = validSale();
    sale.customer.phone = '+8613632264147';
    sale.customer.email = 'not-an-email';
    sale.customer.country = 'ZZ';
    sale.customer.ip_address = '300.1.1.1';
    sale.customer.first_name = 'John3';
    sale.payment.currency = 'USD';
    sale.payment.amount = 10.5;
    delete sale.return_url.success;
    const problems = problemsOf(sale);
    assert.deepEqual(
      problems.map((p) => `${p.path}: ${p.message}`),
      [
        'customer.ip_address: not a valid IPv4 or IPv6 address',
        'customer.first_name: in Chinese characters or Latin letters',
        'customer.phone: digits only, no "+"',
        'customer.email: not a valid email address',
        'customer.country: an ISO 3166-1 alpha-2 country code, such as CN',
        'payment.amount: must be an integer, not a number (10.5)',
        'payment.currency: CUP QR takes CNY only (got "USD")',
        'return_url.success: required',
      ],
    );
  });

  it('says "VND" is refused too: CNY only', () => {
    const sale = validSale();
    sale.payment.currency = 'VND';
    assert.deepEqual(paths(problemsOf(sale)), ['payment.currency']);
  });

  it('requires every field the seed marks required', () => {
    const problems = problemsOf({ general: {}, customer: {}, payment: {}, return_url: {} });
    assert.deepEqual(paths(problems), [
      'general.project_id',
      'general.payment_id',
      'customer.id',
      'customer.ip_address',
      'customer.first_name',
      'customer.last_name',
      'customer.phone',
      'customer.email',
      'customer.zip',
      'customer.country',
      'customer.city',
      'customer.street',
      'payment.amount',
      'payment.currency',
      'payment.description',
      'return_url.success',
    ]);
    assert.ok(problems.every((p) => p.message === 'required'));
  });

  it('reports a missing object once, not once per field', () => {
    const sale = validSale();
    delete sale.customer;
    assert.deepEqual(problemsOf(sale), [{ path: 'customer', message: 'required' }]);
    assert.deepEqual(problemsOf('text'), [
      { path: '', message: 'must be an object, not a string ("text")' },
    ]);
  });

  it('checks amount, payment_id and the signature when asked', () => {
    for (const amount of [0, -100, '1000', 2 ** 53]) {
      const sale = validSale();
      sale.payment.amount = amount;
      assert.deepEqual(paths(problemsOf(sale)), ['payment.amount'], String(amount));
    }
    for (const id of ['', ' ', 'x'.repeat(256), 42]) {
      const sale = validSale();
      sale.general.payment_id = id;
      assert.deepEqual(paths(problemsOf(sale)), ['general.payment_id'], String(id));
    }
    const sale = validSale();
    sale.general.payment_id = 'x'.repeat(255);
    assert.equal(parseSaleRequest(sale).ok, true);
    const unsigned = parseSaleRequest(validSale(), { requireSignature: true });
    assert.deepEqual(unsigned.ok ? [] : paths(unsigned.problems), ['general.signature']);
  });

  it('accepts IPv6, compound Chinese names and http return URLs; refuses javascript: URLs', () => {
    const sale = validSale();
    sale.customer.ip_address = '2001:db8::8a2e:370:7334';
    sale.customer.first_name = '阿依·买买提';
    assert.equal(parseSaleRequest(sale).ok, true);
    for (const ip of ['::1', '::ffff:192.0.2.1', 'fe80::1']) {
      sale.customer.ip_address = ip;
      assert.equal(parseSaleRequest(sale).ok, true, ip);
    }
    for (const ip of ['1.2.3', '2001:db8:::1', '1::2::3', '12345::', 'localhost']) {
      sale.customer.ip_address = ip;
      assert.deepEqual(paths(problemsOf(sale)), ['customer.ip_address'], ip);
    }
    sale.customer.ip_address = '183.57.40.238';
    sale.return_url.success = 'javascript:alert(1)';
    assert.deepEqual(paths(problemsOf(sale)), ['return_url.success']);
  });

  it('keeps extra parameters Gate supports', () => {
    const sale = { ...validSale(), receipt_data: { positions: [] } };
    const parsed = parseSaleRequest(sale);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.receipt_data, { positions: [] });
  });

  it('unwrap throws one ProtocolError listing every problem', () => {
    const sale = validSale();
    sale.customer.phone = '+86';
    sale.payment.currency = 'EUR';
    assert.throws(
      () => unwrap('sale request', parseSaleRequest(sale)),
      (error: unknown) =>
        error instanceof ProtocolError &&
        error.problems.length === 2 &&
        error.message ===
          'sale request: customer.phone: digits only, no "+"; payment.currency: CUP QR takes CNY only (got "EUR")',
    );
  });
});
