// QR code content (wire/qr.ts): what is drawn, what is a link and what may be copied.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCallback } from '../../../src/ecommpay/callback.js';
import { parsePaymentState } from '../../../src/wire/payment-state.js';
import { formatProblems, type Problem } from '../../../src/wire/problems.js';
import { appLinkFor, copyableLink, MAX_QR_DATA_BYTES } from '../../../src/wire/qr.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));

const paths = (problems: Problem[]): string[] => problems.map((p) => p.path);

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
