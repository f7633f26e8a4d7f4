import { expect } from '@open-wc/testing';
import { appLinkFor, formatAmount, peekPayload } from '../../src/cup-qr-checkout.js';
import { encodeJson } from './helpers/payload.js';

describe('QR link rules', () => {
  it('offers only absolute https URLs as a link', () => {
    expect(appLinkFor('https://qr.95516.com/00010000/0123')).to.equal(
      'https://qr.95516.com/00010000/0123',
    );
    expect(appLinkFor('http://127.0.0.1:8090/bank/pay?x=1')).to.equal(undefined);
    expect(appLinkFor('javascript:alert(1)')).to.equal(undefined);
    expect(appLinkFor('JavaScript:alert(1)')).to.equal(undefined);
    expect(appLinkFor(' javascript:alert(1)')).to.equal(undefined);
    expect(appLinkFor('data:text/html,<script>alert(1)</script>')).to.equal(undefined);
    expect(appLinkFor('//evil.example/x')).to.equal(undefined);
    expect(appLinkFor('/relative')).to.equal(undefined);
    expect(appLinkFor('upwallet://pay')).to.equal(undefined);
  });
});

describe('amounts', () => {
  it('formats fen as yuan for the locale', () => {
    expect(formatAmount(30000, 'CNY', 'zh-CN')).to.equal('¥300.00');
    expect(formatAmount(30000, 'CNY', 'en')).to.equal('CN¥300.00');
    expect(formatAmount(1, 'CNY', 'en')).to.equal('CN¥0.01');
  });
});

describe('payload preview', () => {
  const encode = encodeJson;
  const body = {
    v: 1,
    ref: 'order-1',
    amount: 30000,
    currency: 'CNY',
    description: '订单 #1',
    returnUrl: 'https://shop.example/done',
    exp: 2000000000,
  };

  it('reads amount, currency and description without the key', () => {
    expect(peekPayload(`${encode(body)}.c2ln`)).to.deep.equal({
      amount: 30000,
      currency: 'CNY',
      description: '订单 #1',
    });
  });

  it('gives an empty preview for anything else', () => {
    expect(peekPayload('not a payload')).to.deep.equal({});
    expect(peekPayload('')).to.deep.equal({});
    expect(peekPayload(`${encode({ ...body, amount: -1 })}.c2ln`)).to.deep.equal({});
  });
});
