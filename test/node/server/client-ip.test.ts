// The shopper's IP (server/client-ip.ts) and the payment's tokens (server/tokens.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIp, clientKey, normalizeIp } from '../../../src/server/client-ip.js';
import { hashToken, newToken, tokenMatches } from '../../../src/server/tokens.js';

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
