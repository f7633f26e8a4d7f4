/**
 * The shopper's IP address for Gate's `customer.ip_address`, and the key a client is counted
 * under (rate limit, stream cap). The socket's address unless a trusted proxy is configured: a
 * forwarding header is only believed when the merchant says that a proxy they run sets it,
 * since anyone can send one.
 *
 * Proxies write addresses in more than one way: an IPv6 link-local address with its zone id
 * (`fe80::1%eth0`), or the client's port beside it (`1.2.3.4:5678`, `[2001:db8::1]:443`). Both
 * are taken off before the address is checked, so such a shopper is counted under their own
 * address, not under the one key shared by every address that could not be read.
 */
import { ipAddress } from '../wire/fields.js';
import { rateKey } from './rate-limit.js';

/**
 * - `false` (default): the connection's address only.
 * - `true` or a number N: N proxies (1 for `true`) append to `X-Forwarded-For`; the client is
 *   the Nth address from the right.
 * - `{ header }`: a proxy that sets one header to the client address (`CF-Connecting-IP`,
 *   `X-Real-IP`, `Fly-Client-IP`).
 */
export type TrustProxy = boolean | number | { header: string };

/** `[v6]` or `[v6]:port`: the address inside the brackets. */
const BRACKETED = /^\[([^\]]*)\](?::\d{1,5})?$/;
/** `a.b.c.d:port` (one colon only: a bare IPv6 address has several). */
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

/**
 * The address in `value`, checked: `::ffff:1.2.3.4` (IPv4 on an IPv6 socket) as `1.2.3.4`, an
 * IPv6 zone id and a `:port` taken off; anything that is not an address as undefined.
 */
export function normalizeIp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let ip = value.trim();
  const bracketed = BRACKETED.exec(ip);
  if (bracketed) ip = bracketed[1];
  else if (ip.startsWith('[')) return undefined;
  else ip = IPV4_WITH_PORT.exec(ip)?.[1] ?? ip;
  // A zone id (`%eth0`, `%25eth0` as URLs write it) names the host's interface, not the client.
  const zone = ip.indexOf('%');
  if (zone >= 0 && ip.slice(0, zone).includes(':')) ip = ip.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1];
  return ipAddress(ip) === undefined ? ip : undefined;
}

export function clientIp(
  headers: Headers,
  socketAddress: string | undefined,
  trust: TrustProxy = false,
): string | undefined {
  if (trust === false || trust === 0) return normalizeIp(socketAddress);
  if (typeof trust === 'object') return normalizeIp(headers.get(trust.header) ?? undefined);
  const hops = trust === true ? 1 : trust;
  const forwarded = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (forwarded.length === 0) return normalizeIp(socketAddress);
  // The rightmost entries were added by our own proxies; earlier ones the client may have forged.
  return normalizeIp(forwarded[Math.max(0, forwarded.length - hops)]);
}

/**
 * The key a client is counted under ({@link rateKey} of {@link clientIp}): its IPv4 address or
 * its IPv6 /64, `undefined` when the address is unknown.
 */
export function clientKey(
  headers: Headers,
  socketAddress: string | undefined,
  trust: TrustProxy = false,
): string | undefined {
  const ip = clientIp(headers, socketAddress, trust);
  return ip === undefined ? undefined : rateKey(ip);
}
