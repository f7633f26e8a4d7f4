// Signed payloads (server/payload.ts): createPayload, verifyPayload, the order's rules and the
// payload key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readPayload } from '../../../src/wire/payload.js';
import {
  createPayload,
  orderProblems,
  PAYLOAD_DOMAIN,
  payloadKeyOf,
  PayloadError,
  verifyPayload,
} from '../../../src/server/payload.js';
import { sign, verify } from '../../../src/ecommpay/signature.js';
import { order } from '../../helpers/toolkit.js';

const KEY = { secretKey: 'unit-secret' };
const NOW = Date.parse('2026-11-26T12:00:00Z');

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
