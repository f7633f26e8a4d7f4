// The toolkit's pure parts: signed payloads, the callback state machine, the shopper's IP,
// tokens and the state the element receives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCallback, type Callback } from '../../src/ecommpay/callback.js';
import { parsePaymentState } from '../../src/wire/payment-state.js';
import { readPayload } from '../../src/wire/payload.js';
import { clientIp, clientKey, normalizeIp } from '../../src/server/client-ip.js';
import {
  createPayload,
  orderProblems,
  PAYLOAD_DOMAIN,
  payloadKeyOf,
  PayloadError,
  verifyPayload,
} from '../../src/server/payload.js';
import { sign, verify } from '../../src/ecommpay/signature.js';
import { applyCallback } from '../../src/server/state-machine.js';
import type { PaymentRecord } from '../../src/server/store.js';
import { hashToken, newToken, tokenMatches } from '../../src/server/tokens.js';
import { toPaymentState } from '../../src/server/view.js';
import { order } from '../helpers/toolkit.js';

const KEY = { secretKey: 'unit-secret' };
const NOW = Date.parse('2026-11-26T12:00:00Z');

const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'));

function callback(body: Record<string, unknown>): Callback {
  const parsed = parseCallback(body);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value;
}

function payment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: 'EP761d-6f6d',
    orderRef: 'EP761d-6f6d',
    attempt: 1,
    projectId: 843,
    channel: 'gate',
    status: 'pending',
    seq: 0,
    amount: 30000,
    currency: 'CNY',
    description: '123',
    customer: {},
    returnUrl: 'https://shop.example/thanks',
    tokenHashes: [],
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

describe('payload', () => {
  it('round-trips; the page reads it without the key', () => {
    const payload = createPayload(order('order-1', { locale: 'zh-CN' }), {
      ...KEY,
      now: NOW,
      ttlSeconds: 600,
    });
    const read = readPayload(payload);
    assert.ok(read.ok);
    assert.equal(read.value.amount, 30000);
    assert.equal(read.value.description, '机械键盘 keyboard');
    assert.equal(read.value.customer?.city, '北京');
    assert.equal(read.value.exp, NOW / 1000 + 600);
    const verified = verifyPayload(payload, payloadKeyOf(KEY), NOW);
    assert.deepEqual(verified, read.value);
    assert.match(payload, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/, 'URL- and attribute-safe');
  });

  it('any change to any character is refused', () => {
    const payload = createPayload(order('order-1'), { ...KEY, now: NOW });
    const key = payloadKeyOf(KEY);
    fc.assert(
      fc.property(fc.nat(payload.length - 1), fc.constantFrom(...'AQgw-_.x0'), (index, char) => {
        fc.pre(payload[index] !== char);
        const changed = payload.slice(0, index) + char + payload.slice(index + 1);
        assert.throws(() => verifyPayload(changed, key, NOW), PayloadError);
      }),
      { numRuns: 300 },
    );
    assert.throws(() => verifyPayload(`${payload}.x`, key, NOW), PayloadError);
    assert.throws(() => verifyPayload(`${payload}=`, key, NOW), PayloadError);
  });

  it('expires, with a minute of clock skew', () => {
    const payload = createPayload(order('order-1'), { ...KEY, now: NOW, ttlSeconds: 60 });
    const key = payloadKeyOf(KEY);
    verifyPayload(payload, key, NOW + 119_000);
    assert.throws(
      () => verifyPayload(payload, key, NOW + 121_000),
      (e: unknown) => e instanceof PayloadError && e.code === 'payload-expired',
    );
  });

  it('is domain-separated from ECommPay signatures, both ways', () => {
    const payload = createPayload(order('order-1'), { ...KEY, now: NOW });
    const [body, mac] = payload.split('.');
    const json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    // The payload's MAC is no Gate signature of its body (another hash, input and key)...
    assert.equal(
      verify(
        { ...json, signature: Buffer.from(mac, 'base64url').toString('base64') },
        KEY.secretKey,
      ),
      false,
    );
    // ...and a Gate signature of the body is no payload MAC.
    const gateMac = Buffer.from(sign(json, KEY.secretKey), 'base64').toString('base64url');
    assert.throws(() => verifyPayload(`${body}.${gateMac}`, payloadKeyOf(KEY), NOW), PayloadError);
    assert.equal(PAYLOAD_DOMAIN, 'cup-qr-checkout/payload/v1\n');
    assert.notDeepEqual(payloadKeyOf(KEY), Buffer.from(KEY.secretKey));
  });

  it('takes an explicit payloadKey instead, and refuses the other key', () => {
    const payloadKey = 'a payload key of 32 bytes or so!';
    const payload = createPayload(order('order-1'), { payloadKey, now: NOW });
    verifyPayload(payload, payloadKeyOf({ payloadKey }), NOW);
    assert.throws(() => verifyPayload(payload, payloadKeyOf(KEY), NOW), PayloadError);
    assert.throws(() => payloadKeyOf({ payloadKey: 'short' }), /16 bytes/);
  });

  it('refuses orders it cannot sign, naming every problem', () => {
    const problems = orderProblems({
      ref: 'has space',
      amount: 1.5,
      currency: 'USD',
      description: '',
      returnUrl: 'javascript:alert(1)',
      customer: { ip_address: '1.2.3.4', phone: '+86123 ext. 4' } as any,
    });
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        'ref',
        'amount',
        'currency',
        'description',
        'returnUrl',
        'customer.ip_address',
        'customer.phone',
      ],
    );
    assert.throws(() => createPayload({ ...order('x'), amount: 0 }, KEY), /amount/);
    assert.throws(() => createPayload(order('x'), { secretKey: '' }), /secretKey or payloadKey/);
    // ECommPay needs the customer's id for every payment: asked for where the order is made.
    const { id: _id, ...anonymous } = order('x').customer;
    assert.throws(
      () => createPayload({ ...order('x'), customer: anonymous } as any, KEY),
      /customer\.id: required: the customer's id in your project/,
    );
    assert.throws(
      () => createPayload({ ...order('x'), customer: undefined } as any, KEY),
      /customer\.id: required/,
    );
  });
});

describe('state machine', () => {
  const awaiting = callback(fixture('callback-awaiting-customer'));
  const success = callback(fixture('callback-success'));
  const timeout = callback(fixture('callback-decline-timeout'));

  it('pending -> awaiting-customer with the QR code, counted from arrival', () => {
    const effect = applyCallback(payment(), awaiting, NOW + 5);
    assert.equal(effect.outcome, 'applied');
    assert.equal(effect.next!.status, 'awaiting-customer');
    assert.equal(effect.next!.seq, 1);
    assert.deepEqual(effect.next!.qr, {
      data: awaiting.qr!.data,
      timeoutSeconds: 600,
      receivedAt: NOW + 5,
    });
    assert.equal(effect.next!.operationId, '2000000029');
  });

  it('the same QR code again is a duplicate; terminal states are final', () => {
    const waiting = applyCallback(payment(), awaiting, NOW).next!;
    assert.deepEqual(applyCallback(waiting, awaiting, NOW + 1000), { outcome: 'duplicate' });
    const paid = applyCallback(waiting, success, NOW).next!;
    assert.equal(paid.status, 'success');
    assert.equal(paid.qr, undefined);
    assert.equal(paid.code, '0');
    for (const late of [awaiting, success, timeout]) {
      assert.deepEqual(applyCallback(paid, late, NOW), { outcome: 'ignored' });
    }
  });

  it('a final state before the awaiting one; decline 20602 is expired', () => {
    const expired = applyCallback(payment(), timeout, NOW).next!;
    assert.equal(expired.status, 'expired');
    assert.equal(expired.code, '20602');
    assert.deepEqual(applyCallback(expired, awaiting, NOW), { outcome: 'ignored' });
  });

  it('another amount or currency, or a success without one, is an error, never success', () => {
    for (const sum of [
      { amount: 1, currency: 'CNY' },
      { amount: 30000, currency: 'USD' },
    ]) {
      const effect = applyCallback(payment(), { ...success, sum }, NOW);
      assert.equal(effect.outcome, 'amount-mismatch');
      assert.equal(effect.next!.status, 'error');
      assert.equal(effect.next!.code, 'amount-mismatch');
    }
    const { sum: _sum, ...noSum } = success;
    assert.equal(applyCallback(payment(), noSum, NOW).next!.status, 'error');
    const awaitingOther = applyCallback(
      payment(),
      { ...awaiting, sum: { amount: 2, currency: 'CNY' } },
      NOW,
    );
    assert.equal(awaitingOther.next!.status, 'error', 'a QR code for another amount is not shown');
  });
});

describe('the state sent to the element', () => {
  it('counts expiresInSeconds at send time, from the arrival of the code', () => {
    const record = payment({
      status: 'awaiting-customer',
      seq: 1,
      qr: { data: 'https://qr.example/x', timeoutSeconds: 600, receivedAt: NOW },
    });
    const state = toPaymentState(record, NOW + 100_500);
    assert.deepEqual(state.qr, {
      data: 'https://qr.example/x',
      expiresInSeconds: 500,
      timeoutSeconds: 600,
    });
    assert.equal(toPaymentState(record, NOW + 700_000).qr!.expiresInSeconds, 0);
    assert.ok(parsePaymentState(state).ok);
  });
});

describe('shopper IP and tokens', () => {
  it('believes forwarding headers only when told to', () => {
    const headers = new Headers({
      'x-forwarded-for': '6.6.6.6, 1.2.3.4',
      'cf-connecting-ip': '9.9.9.9',
    });
    assert.equal(clientIp(headers, '::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(clientIp(headers, '10.0.0.1', true), '1.2.3.4');
    assert.equal(clientIp(headers, '10.0.0.1', 2), '6.6.6.6');
    assert.equal(clientIp(headers, '10.0.0.1', 5), '6.6.6.6');
    assert.equal(clientIp(headers, '10.0.0.1', { header: 'cf-connecting-ip' }), '9.9.9.9');
    assert.equal(clientIp(new Headers(), '10.0.0.1', true), '10.0.0.1');
    assert.equal(normalizeIp('not an ip'), undefined);
    assert.equal(normalizeIp('[::1]'), '::1');
  });

  it('takes a zone id and a port off before reading the address; a bare IPv6 keeps its groups', () => {
    const cases: [string, string | undefined][] = [
      ['fe80::1%eth0', 'fe80::1'],
      ['fe80::1%25eth0', 'fe80::1'],
      ['[fe80::1%eth0]:8080', 'fe80::1'],
      ['1.2.3.4:5678', '1.2.3.4'],
      ['[::1]:443', '::1'],
      ['[2001:db8::7]:1', '2001:db8::7'],
      ['[::ffff:10.0.0.1]:80', '10.0.0.1'],
      // A bare IPv6 address is not an address with a port: every group stays.
      ['2001:db8::1:443', '2001:db8::1:443'],
      ['::1', '::1'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      // What is still not an address.
      ['1.2.3.4%eth0', undefined],
      ['1.2.3.4:', undefined],
      ['1.2.3.4:port', undefined],
      ['[::1]x', undefined],
      ['[::1', undefined],
      ['%eth0', undefined],
    ];
    for (const [value, expected] of cases) assert.equal(normalizeIp(value), expected, value);
    // Through the headers a proxy sets: each lands in its own client's bucket, not in "unknown".
    const forwarded = (value: string): Headers => new Headers({ 'x-forwarded-for': value });
    assert.equal(clientIp(forwarded('9.9.9.9, 1.2.3.4:5678'), '10.0.0.1', true), '1.2.3.4');
    assert.equal(clientIp(forwarded('[2001:db8::5]:443'), '10.0.0.1', true), '2001:db8::5');
    assert.equal(clientIp(forwarded('fe80::9%en0'), '10.0.0.1', true), 'fe80::9');
    const header = new Headers({ 'x-real-ip': '203.0.113.9:31337' });
    assert.equal(clientIp(header, undefined, { header: 'x-real-ip' }), '203.0.113.9');
    assert.equal(clientKey(forwarded('1.2.3.4:5678'), undefined, true), '1.2.3.4');
    assert.equal(
      clientKey(forwarded('[2001:db8:0:1::5]:80'), undefined, true),
      '2001:db8:0:1::/64',
    );
    assert.equal(clientKey(forwarded('garbage'), undefined, true), undefined);
  });

  it('tokens: 256 random bits, only hashes stored, any of them opens', () => {
    const token = newToken();
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.notEqual(newToken(), token);
    const hashes = [hashToken(newToken()), hashToken(token)];
    assert.ok(tokenMatches(token, hashes));
    assert.ok(!tokenMatches(`${token}x`, hashes));
    assert.ok(!tokenMatches(token, []));
  });
});
