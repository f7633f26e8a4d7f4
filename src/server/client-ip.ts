/**
 * The shopper's IP address for Gate's `customer.ip_address`. The socket's address unless a
 * trusted proxy is configured: a forwarding header is only believed when the merchant says
 * that a proxy they run sets it, since anyone can send one.
 */
import { ipAddress } from '../protocol/fields.js';

/**
 * - `false` (default): the connection's address only.
 * - `true` or a number N: N proxies (1 for `true`) append to `X-Forwarded-For`; the client is
 *   the Nth address from the right.
 * - `{ header }`: a proxy that sets one header to the client address (`CF-Connecting-IP`,
 *   `X-Real-IP`, `Fly-Client-IP`).
 */
export type TrustProxy = boolean | number | { header: string };

/** `::ffff:1.2.3.4` (IPv4 on an IPv6 socket) as `1.2.3.4`; anything invalid as undefined. */
export function normalizeIp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let ip = value.trim();
  if (ip.startsWith('[') && ip.includes(']')) ip = ip.slice(1, ip.indexOf(']'));
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
