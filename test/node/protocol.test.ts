import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCallback, parseStatusAnswer } from '../../src/ecommpay/callback.js';
import {
  AWAITING_CUSTOMER_CODE,
  finalReasonOf,
  fromPlatformStatus,
} from '../../src/ecommpay/platform-statuses.js';
import { parseSaleRequest } from '../../src/ecommpay/sale.js';
import { parsePaymentState } from '../../src/wire/payment-state.js';
import { formatProblems, ProtocolError, unwrap, type Problem } from '../../src/wire/problems.js';
import { appLinkFor, copyableLink, MAX_QR_DATA_BYTES } from '../../src/wire/qr.js';
import { canTransition } from '../../src/wire/status.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

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

describe('parseCallback', () => {
  it('reads the awaiting customer action callback with its QR code and timeout', () => {
    const parsed = parseCallback(fixture('callback-awaiting-customer.json'));
    assert.ok(parsed.ok, parsed.ok ? '' : formatProblems(parsed.problems));
    const callback = parsed.value;
    assert.equal(callback.status, 'awaiting-customer');
    assert.equal(callback.platformStatus, 'awaiting customer action');
    assert.equal(callback.projectId, 843);
    assert.equal(callback.paymentId, 'EP761d-6f6d');
    assert.deepEqual(callback.sum, { amount: 30000, currency: 'CNY' });
    assert.deepEqual(callback.qr, {
      data: 'https://cashier.xhepay.com/paygate/union/pay/MDAyMDUxNjk0OTMwNjYyMTQzMTgwOHwwNHw0ODgxMDAwMA==',
      timeoutSeconds: 600,
    });
    assert.equal(callback.operation?.id, '2000000029');
  });

  it('reads awaiting customer (no "action") as a decline, never as a QR code to show', () => {
    // Was "maps both spellings of awaiting customer": ECommPay's own plug-ins treat
    // `awaiting customer` as a failed attempt (WooCommerce declines, Salesforce fails it).
    const data = fixture('callback-awaiting-customer.json') as Record<string, any>;
    data.payment.status = 'awaiting customer';
    const parsed = parseCallback(data);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.status, 'decline');
    assert.equal(fromPlatformStatus('Awaiting Customer', '20602'), 'decline', 'whatever its code');
    assert.deepEqual(finalReasonOf('awaiting customer', '0', 'Success'), {
      code: AWAITING_CUSTOMER_CODE,
      message: 'The payment was not completed (ECommPay: awaiting customer)',
    });
    assert.deepEqual(finalReasonOf('decline', '20105', 'Insufficient funds'), {
      code: '20105',
      message: 'Insufficient funds',
    });
  });

  it('reads success, and a time-out decline as expired with its code', () => {
    const success = parseCallback(fixture('callback-success.json'));
    assert.ok(success.ok);
    assert.equal(success.value.status, 'success');
    assert.equal(success.value.code, '0');
    const timeout = parseCallback(fixture('callback-decline-timeout.json'));
    assert.ok(timeout.ok);
    assert.equal(timeout.value.status, 'expired');
    assert.equal(timeout.value.platformStatus, 'decline');
    assert.equal(timeout.value.code, '20602');
    assert.equal(timeout.value.message, 'Time-out');
  });

  it('a decline with another code stays a decline', () => {
    const data = fixture('callback-decline-timeout.json') as Record<string, any>;
    data.operation.code = '20105';
    data.operation.message = 'Insufficient funds';
    const parsed = parseCallback(data);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.status, 'decline');
  });

  it('refuses an unknown status, a QR code with a control character and a bad timeout, by path', () => {
    const data = fixture('callback-awaiting-customer.json') as Record<string, any>;
    data.payment.status = 'paid maybe';
    data.display_data[0].data = 'javascript:\nalert(1)';
    data.display_data[1].data = '10 minutes';
    const parsed = parseCallback(data);
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.ok ? [] : paths(parsed.problems), [
      'payment.status',
      'display_data[0].data',
      'display_data[1].data',
    ]);
  });

  it('refuses a callback without payment id or project', () => {
    const data = fixture('callback-success.json') as Record<string, any>;
    delete data.project_id;
    delete data.payment.id;
    const parsed = parseCallback(data);
    assert.deepEqual(parsed.ok ? [] : paths(parsed.problems), ['project_id', 'payment.id']);
  });

  it('takes project and payment id from general when the project format puts them there', () => {
    const data = fixture('callback-success.json') as Record<string, any>;
    delete data.project_id;
    delete data.payment.id;
    data.general = { project_id: 843, payment_id: 'EP761d-6f6d', signature: 'x' };
    const parsed = parseCallback(data);
    assert.ok(parsed.ok, parsed.ok ? '' : formatProblems(parsed.problems));
    assert.equal(parsed.value.paymentId, 'EP761d-6f6d');
  });
});

/** The seed's time-out decline as Gate's status answer has it: `operations`, `errors`. */
function timeoutStatusAnswer(): Record<string, any> {
  const { operation, ...rest } = fixture('callback-decline-timeout.json') as Record<string, any>;
  const awaiting = {
    ...operation,
    status: 'awaiting customer action',
    code: '0',
    message: 'Success',
  };
  return { ...rest, operations: [awaiting, operation], errors: [] };
}

describe('parseStatusAnswer', () => {
  it('takes the code and message of the last operation: a 20602 time-out is expired', () => {
    const parsed = parseStatusAnswer(timeoutStatusAnswer());
    assert.ok(parsed.ok, parsed.ok ? '' : formatProblems(parsed.problems));
    assert.equal(parsed.value.status, 'expired');
    assert.equal(parsed.value.code, '20602');
    assert.equal(parsed.value.message, 'Time-out');
    assert.equal(parsed.value.operations.length, 2);
    assert.equal(parsed.value.operation, parsed.value.operations[1]);
    assert.deepEqual(parsed.value.errors, []);
    // The bug this parser fixes: read as a callback, the same answer was a bare decline.
    const asCallback = parseCallback(timeoutStatusAnswer());
    assert.ok(asCallback.ok);
    assert.equal(asCallback.value.status, 'decline');
    assert.equal(asCallback.value.code, undefined);
  });

  it('falls back on the first error, then on the top-level code, when no operation says', () => {
    const answer = timeoutStatusAnswer();
    answer.operations = [];
    answer.errors = [{ code: '20602', message: 'Time-out', field: '', description: null }];
    const fromError = parseStatusAnswer(answer);
    assert.ok(fromError.ok);
    assert.equal(fromError.value.status, 'expired');
    assert.deepEqual(fromError.value.errors, [
      { code: '20602', message: 'Time-out', field: '', description: '' },
    ]);
    delete answer.errors;
    answer.code = '20602';
    const fromTop = parseStatusAnswer(answer);
    assert.ok(fromTop.ok);
    assert.equal(fromTop.value.code, '20602');
  });

  it('reads an answer with one operation object as well (never stricter than the platform)', () => {
    const parsed = parseStatusAnswer(fixture('callback-decline-timeout.json'));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.status, 'expired');
    assert.equal(parsed.value.operations.length, 1);
  });

  it('reads project and payment from general, and refuses what is not a status, by path', () => {
    const answer = timeoutStatusAnswer();
    delete answer.project_id;
    answer.general = { project_id: 843, signature: 'x' };
    const general = parseStatusAnswer(answer);
    assert.ok(general.ok && general.value.projectId === 843);
    answer.general = { project_id: -1 };
    answer.operations = [{ code: {} }, 'op'];
    const bad = parseStatusAnswer(answer);
    assert.deepEqual(bad.ok ? [] : paths(bad.problems), [
      'operations[0].code',
      'operations[1]',
      'general.project_id',
    ]);
  });
});

describe('payment states', () => {
  it('maps the platform statuses', () => {
    assert.equal(fromPlatformStatus('Awaiting Customer Action'), 'awaiting-customer');
    assert.equal(fromPlatformStatus('cancelled'), 'decline');
    assert.equal(fromPlatformStatus('internal error'), 'error');
    assert.equal(fromPlatformStatus('decline', '20602'), 'expired');
    assert.equal(fromPlatformStatus('refunded'), undefined);
  });

  it('terminal states are final and nothing goes back to pending', () => {
    assert.equal(canTransition('success', 'awaiting-customer'), false);
    assert.equal(canTransition('decline', 'success'), false);
    assert.equal(canTransition('awaiting-customer', 'pending'), false);
    assert.equal(canTransition('pending', 'success'), true);
    assert.equal(canTransition('awaiting-customer', 'awaiting-customer'), true);
  });

  it('parsePaymentState checks what the element receives', () => {
    const state = {
      paymentId: 'order-1-a1',
      status: 'awaiting-customer',
      seq: 2,
      amount: 30000,
      currency: 'CNY',
      description: '示例订单',
      qr: { data: 'https://example.com/qr', expiresInSeconds: 590, timeoutSeconds: 600 },
      updatedAt: '2026-11-26T10:00:00.000Z',
    };
    const parsed = parsePaymentState(state);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, state);
    const bad = parsePaymentState({
      ...state,
      status: 'paid',
      qr: { ...state.qr, data: 'javascript:\u0000alert(1)' },
    });
    assert.deepEqual(bad.ok ? [] : paths(bad.problems), ['status', 'qr.data']);
  });
});

/** The EMVCo specification's own example payload (its CRC is A13A). */
const EMV_EXAMPLE =
  '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A';

describe('QR code content', () => {
  const awaiting = (data: unknown): ReturnType<typeof parseCallback> => {
    const callback = fixture('callback-awaiting-customer.json') as Record<string, any>;
    callback.display_data[0].data = data;
    return parseCallback(callback);
  };

  it('a callback carries any string that fits a QR code: an EMVCo payload, any scheme', () => {
    for (const data of [
      EMV_EXAMPLE,
      'http://192.168.1.20:8090/bank?p=1',
      'javascript:alert(1)',
      'upwallet://pay?code=1',
      ' 6225 8801 2345 6789 ',
      'a'.repeat(MAX_QR_DATA_BYTES),
      `${'汉'.repeat(776)}ab`,
      'name\u200dwith a joiner',
    ]) {
      const parsed = awaiting(data);
      assert.ok(parsed.ok, parsed.ok ? '' : formatProblems(parsed.problems));
      assert.equal(parsed.value.qr?.data, data, 'as it came, not trimmed or rewritten');
    }
  });

  it('refuses what no QR code can mean or hold, naming the rule', () => {
    for (const [data, message] of [
      ['', /must not be empty/],
      ['   ', /must not be empty/],
      ['a'.repeat(MAX_QR_DATA_BYTES + 1), /at most 2330 bytes of UTF-8 \(got 2331\)/],
      ['汉'.repeat(777), /at most 2330 bytes of UTF-8 \(got 2331\)/],
      ['java\tscript:alert(1)', /no control characters .*U\+0009 at 4/],
      ['https://bank.example/\n', /U\+000A/],
      ['https://bank.example/\u0000', /U\+0000/],
      ['https://bank.example/\u007f', /U\+007F/],
      ['https://bank.example/\u0085', /U\+0085/],
      ['https://bank.example/\ud800', /lone surrogates \(U\+D800/],
      [12345, /must be a string/],
    ] as const) {
      const parsed = awaiting(data);
      assert.equal(parsed.ok, false, JSON.stringify(data).slice(0, 40));
      const problems = parsed.ok ? [] : parsed.problems;
      assert.deepEqual(paths(problems), ['display_data[0].data']);
      assert.match(problems[0].message, message);
    }
  });

  it('the element reads `qr.data`, or `qr.url` from a server written before it, by the same rule', () => {
    const state = {
      paymentId: 'p-1',
      status: 'awaiting-customer',
      seq: 1,
      amount: 30000,
      currency: 'CNY',
      description: 'd',
      updatedAt: '2026-11-26T10:00:00.000Z',
    };
    const times = { expiresInSeconds: 590, timeoutSeconds: 600 };
    const read = (qr: Record<string, unknown>) => parsePaymentState({ ...state, qr });
    const emv = read({ data: EMV_EXAMPLE, ...times });
    assert.ok(emv.ok, 'an EMVCo payload');
    assert.deepEqual(emv.value.qr, { data: EMV_EXAMPLE, ...times });
    const old = read({ url: 'https://qr.example/1', ...times });
    assert.ok(old.ok, 'qr.url from an older server');
    assert.deepEqual(old.value.qr, { data: 'https://qr.example/1', ...times });
    const both = read({ data: EMV_EXAMPLE, url: 'https://qr.example/1', ...times });
    assert.equal(both.ok && both.value.qr?.data, EMV_EXAMPLE, '`data` wins');
    for (const qr of [{ ...times }, { data: 'a\u0000', ...times }, { url: '', ...times }]) {
      assert.equal(read(qr).ok, false, JSON.stringify(qr));
    }
    const none = read({ ...times });
    assert.deepEqual(none.ok ? [] : paths(none.problems), ['qr.data']);
  });

  it('only an absolute https: URL is a link; only an http(s) one is copied', () => {
    assert.equal(
      appLinkFor('https://qr.95516.com/00010000/0123'),
      'https://qr.95516.com/00010000/0123',
    );
    for (const data of [
      EMV_EXAMPLE,
      'http://127.0.0.1:8090/bank/x',
      'javascript:alert(1)',
      '//x.example',
    ]) {
      assert.equal(appLinkFor(data), undefined, data.slice(0, 30));
    }
    assert.equal(copyableLink('http://127.0.0.1:8090/bank/x'), 'http://127.0.0.1:8090/bank/x');
    assert.equal(copyableLink('https://qr.example/1'), 'https://qr.example/1');
    for (const data of [EMV_EXAMPLE, 'javascript:alert(1)', 'upwallet://pay', '/relative']) {
      assert.equal(copyableLink(data), undefined, data.slice(0, 30));
    }
  });
});
