/**
 * The optional allow-list of the callback route (`callbackAllowedIps`): the addresses ECommPay
 * sends callbacks from, as single addresses (`203.0.113.7`, `2001:db8::1`) or CIDR blocks
 * (`203.0.113.0/24`, `2001:db8::/32`). Checked once at `createCheckout`, so a typo fails at
 * start-up instead of refusing every callback; matched with plain integer arithmetic.
 */
import { normalizeIp } from './client-ip.js';
import { expandIpv6 } from './rate-limit.js';

interface Block {
  bits: 32 | 128;
  /** The block's first address, as an integer. */
  base: bigint;
  /** Set bits for the prefix. */
  mask: bigint;
}

/** An address as an integer and its width; `undefined` when it is not one. */
function toInteger(ip: string): { bits: 32 | 128; value: bigint } | undefined {
  const address = normalizeIp(ip);
  if (address === undefined) return undefined;
  if (!address.includes(':')) {
    const value = address.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
    return { bits: 32, value };
  }
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  return { bits: 128, value: groups.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n) };
}

function parseEntry(entry: unknown): Block {
  const fail = (why: string): never => {
    throw new TypeError(
      `createCheckout: callbackAllowedIps: ${JSON.stringify(entry)} ${why} (an IPv4 or IPv6 address, or a CIDR block such as 203.0.113.0/24)`,
    );
  };
  if (typeof entry !== 'string') return fail('is not a string');
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined) return fail('has two "/"');
  // The list is the merchant's: a zone id or a port there is a mistake, not a form to forgive.
  if (/[%[\]]/.test(address) || /^\d+\.\d+\.\d+\.\d+:/.test(address))
    fail('has a zone id or a port');
  const parsed = toInteger(address) ?? fail('is not an address');
  const length = prefix === undefined ? parsed.bits : Number(prefix);
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) fail('has a prefix that is not a number');
  if (length > parsed.bits) fail(`has a prefix over ${parsed.bits}`);
  const all = (1n << BigInt(parsed.bits)) - 1n;
  const mask = all ^ ((1n << BigInt(parsed.bits - length)) - 1n);
  if ((parsed.value & mask) !== parsed.value) fail('has bits set past its prefix');
  return { bits: parsed.bits, base: parsed.value, mask };
}

/** Whether an address may post callbacks; `undefined` (address unknown) never may. */
export type IpAllowList = (ip: string | undefined) => boolean;

/** The matcher of a list of addresses and blocks; throws a `TypeError` naming a bad entry. */
export function ipAllowList(entries: readonly string[]): IpAllowList {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new TypeError(
      'createCheckout: callbackAllowedIps must be a non-empty list of addresses or CIDR blocks',
    );
  }
  const blocks = entries.map(parseEntry);
  return (ip) => {
    const address = ip === undefined ? undefined : toInteger(ip);
    if (!address) return false;
    return blocks.some((b) => b.bits === address.bits && (address.value & b.mask) === b.base);
  };
}
