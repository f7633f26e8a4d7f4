/**
 * ECommPay's signature (PROTOCOL.md §1): every leaf of the JSON flattened to `path:value`,
 * the strings sorted and joined with `;`, HMAC-SHA512 with the project's secret key, Base64.
 *
 * The SDKs order the strings differently where the documentation is silent (long arrays, keys
 * with digit runs or a `:`). We sign one way, `natural` (the PHP SDK's, used by ECommPay's own
 * WooCommerce and Magento plug-ins), and accept a signature made in any of the known orderings.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How the `path:value` strings are ordered before hashing. */
export type SignatureOrdering =
  /** PHP SDK: the full paths in natural order (digit runs compared as numbers); a `:` inside a key is written `::`. */
  | 'natural'
  /** JS SDK (`ecommpay` on npm): keys sorted level by level, integer-like keys first in numeric order, then the others by UTF-16 code unit; no escaping. */
  | 'per-level'
  /** Python, Java and Go SDKs: the `path:value` strings sorted by Unicode code point; no escaping. */
  | 'codepoint';

/** Every ordering a verifier accepts, the one we sign with first. */
export const SIGNATURE_ORDERINGS: readonly SignatureOrdering[] = [
  'natural',
  'per-level',
  'codepoint',
];

/** Keys left out of the signed data at every level. */
const SKIPPED_KEYS = new Set(['signature', 'frame_mode']);

/** Data that cannot be signed without guessing: a float, NaN, a BigInt, a function, a cycle... */
export class SignatureError extends Error {
  override readonly name = 'SignatureError';
  /** Where in the data the problem is, as a `:`-joined path (empty for the root). */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path || '(root)'}: ${problem}`);
    this.path = path;
  }
}

interface Leaf {
  /** The segments joined with `:` as they are (JS, Python, Java and Go SDKs). */
  path: string;
  /** The segments joined with `:`, a `:` inside a segment written `::` (PHP SDK). */
  escapedPath: string;
  value: string;
}

function leafValue(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? '1' : '0';
    case 'number':
      if (!Number.isFinite(value)) throw new SignatureError(path, `${value} cannot be signed`);
      if (!Number.isInteger(value)) {
        throw new SignatureError(
          path,
          `${value} is not an integer: amounts are minor units, send floats as strings`,
        );
      }
      if (!Number.isSafeInteger(value)) {
        throw new SignatureError(
          path,
          `${value} is past 2^53 and loses digits: send it as a string`,
        );
      }
      return String(value);
    case 'bigint':
      throw new SignatureError(path, 'a BigInt cannot be signed: send it as a string');
    default:
      if (value === null) return '';
      throw new SignatureError(path, `a ${typeof value} cannot be signed`);
  }
}

/** Collects the leaves of `data` in traversal order; checks every value on the way. */
function collectLeaves(data: unknown): Leaf[] {
  if (typeof data !== 'object' || data === null) {
    throw new SignatureError('', 'only a JSON object or array can be signed');
  }
  const leaves: Leaf[] = [];
  const open = new Set<object>();
  // Paths are built as the walk goes down.
  const walk = (value: unknown, path: string, escapedPath: string, depth: number): void => {
    if (typeof value !== 'object' || value === null) {
      leaves.push({ path, escapedPath, value: leafValue(value, path) });
      return;
    }
    if (open.has(value)) throw new SignatureError(path, 'the data refers to itself (a cycle)');
    const isArray = Array.isArray(value);
    const proto = Object.getPrototypeOf(value);
    if (!isArray && proto !== Object.prototype && proto !== null) {
      const kind = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'non-plain';
      throw new SignatureError(path, `a ${kind} object cannot be signed: use plain JSON`);
    }
    open.add(value);
    const record = value as Record<string, unknown>;
    const keys = isArray
      ? Array.from({ length: (value as unknown[]).length }, (_, i) => String(i))
      : Object.keys(record);
    for (const key of keys) {
      if (SKIPPED_KEYS.has(key)) continue;
      const child = record[key];
      const childPath = depth === 0 ? key : `${path}:${key}`;
      if (child === undefined) {
        // An absent property, as JSON.stringify leaves it out; an array has no such hole.
        if (isArray) throw new SignatureError(childPath, 'undefined cannot be signed');
        continue;
      }
      const escapedKey = key.includes(':') ? key.replaceAll(':', '::') : key;
      walk(child, childPath, depth === 0 ? escapedKey : `${escapedPath}:${escapedKey}`, depth + 1);
    }
    open.delete(value);
  };

  walk(data, '', '', 0);
  return leaves;
}

const INTEGER_KEY = /^(0|[1-9][0-9]*)$/;

/**
 * Code point order (what sorting UTF-8 bytes gives), not JavaScript's UTF-16 code unit order.
 * The two differ only where a surrogate meets a character above U+DFFF, so code units are
 * compared directly and code points only at a surrogate.
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogate = (x >= 0xd800 && x <= 0xdfff) || (y >= 0xd800 && y <= 0xdfff);
    return surrogate ? a.codePointAt(i)! - b.codePointAt(i)! : x - y;
  }
  return a.length - b.length;
}

const DIGIT_RUN = /(\d+)/;

/** A path cut into text and digit runs (digit runs at odd indexes), for natural order. */
type NaturalKey = string[];

function naturalKey(text: string): NaturalKey {
  return text.split(DIGIT_RUN);
}

function compareNaturalKeys(left: NaturalKey, right: NaturalKey): number {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i];
    const y = right[i];
    if (x === y) continue;
    if (i % 2 === 1) {
      // Both are digit runs: as numbers, then the one with fewer leading zeros first.
      const xs = x.replace(/^0+(?=\d)/, '');
      const ys = y.replace(/^0+(?=\d)/, '');
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      return x.length - y.length;
    }
    return compareCodePoints(x, y);
  }
  return left.length - right.length;
}

/**
 * A string whose plain (code unit) order is the natural order of `path`: each run of digits
 * becomes U+0001 (below every other character, as the end of a text run is), its length, its
 * digits without leading zeros, then how many zeros it had. `undefined` where plain order
 * would not do: a surrogate (code point order differs) or U+0000/U+0001 in the path.
 */
function naturalSortKey(path: string): string | undefined {
  if (path.includes('\u0000') || path.includes('\u0001')) return undefined;
  if (!DIGIT_OR_SURROGATE.test(path)) return path; // most paths: nothing to do
  if (SURROGATE.test(path)) return undefined;
  return path.replace(/\d+/g, (run) => {
    const digits = run.replace(/^0+(?=\d)/, '');
    const zeros = run.length - digits.length;
    return `\u0001${String.fromCharCode(0x20 + digits.length)}${digits}${String.fromCharCode(0x20 + zeros)}`;
  });
}

const SURROGATE = /[\ud800-\udfff]/;
const DIGIT_OR_SURROGATE = /[\d\ud800-\udfff]/;

/**
 * Natural order, as PHP's `strnatcmp`: runs of digits compare as numbers (`x2` < `x10`), the
 * rest by code point; leading zeros make the shorter-valued run sort first.
 */
export function compareNatural(a: string, b: string): number {
  return compareNaturalKeys(naturalKey(a), naturalKey(b));
}

/** JS SDK: integer-like keys first in numeric order, then the others by UTF-16 code unit. */
function comparePerLevel(a: string, b: string): number {
  const ai = INTEGER_KEY.test(a);
  const bi = INTEGER_KEY.test(b);
  if (ai && bi) return Number(a) - Number(b);
  if (ai !== bi) return ai ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The JS SDK's string: the data walked again with each level's keys sorted (the values were
 * checked by {@link collectLeaves} already).
 */
function perLevelString(data: unknown): string {
  const lines: string[] = [];
  const walk = (value: unknown, path: string, depth: number): void => {
    if (typeof value !== 'object' || value === null) {
      lines.push(`${path}:${leafValue(value, path)}`);
      return;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => !SKIPPED_KEYS.has(key) && record[key] !== undefined)
      .sort(comparePerLevel);
    for (const key of keys) walk(record[key], depth === 0 ? key : `${path}:${key}`, depth + 1);
  };
  walk(data, '', 0);
  return lines.join(';');
}

/**
 * The string that is hashed: every leaf of `data` as `path:value`, ordered, joined with `;`.
 * Keys named `signature` or `frame_mode` are left out at every level. Exported for debugging
 * a refused signature: compare it with what the other side hashed.
 *
 * @throws SignatureError for a value that has no agreed form (float, NaN, Infinity, an integer
 *   past 2^53, BigInt, function, symbol, a non-plain object) or a cycle.
 */
export function canonicalString(data: unknown, ordering: SignatureOrdering = 'natural'): string {
  return orderLeaves(data, collectLeaves(data), ordering);
}

function orderLeaves(data: unknown, leaves: readonly Leaf[], ordering: SignatureOrdering): string {
  switch (ordering) {
    case 'natural': {
      // Each path gets a sort key once, so that the sort compares plain strings.
      let plain = true;
      const keyed = leaves.map(({ escapedPath, value }) => {
        const key = naturalSortKey(escapedPath);
        if (key === undefined) plain = false;
        return { key, path: escapedPath, line: `${escapedPath}:${value}` };
      });
      if (plain) {
        keyed.sort((x, y) => (x.key! < y.key! ? -1 : x.key! > y.key! ? 1 : 0));
      } else {
        keyed.sort((x, y) => compareNatural(x.path, y.path));
      }
      return keyed.map(({ line }) => line).join(';');
    }
    case 'per-level':
      return perLevelString(data);
    case 'codepoint':
      return leaves
        .map(({ path, value }) => `${path}:${value}`)
        .sort(compareCodePoints)
        .join(';');
  }
}

function hmac(text: string, secretKey: string): Buffer {
  return createHmac('sha512', secretKey).update(text, 'utf8').digest();
}

function requireKey(secretKey: string): void {
  if (typeof secretKey !== 'string' || secretKey.length === 0) {
    throw new TypeError('secretKey: the project secret key is required (a non-empty string)');
  }
}

/**
 * The Base64 signature of `data` with the project's secret key, in `natural` ordering.
 * The `signature` it may already carry is ignored.
 */
export function sign(
  data: unknown,
  secretKey: string,
  ordering: SignatureOrdering = 'natural',
): string {
  requireKey(secretKey);
  return hmac(canonicalString(data, ordering), secretKey).toString('base64');
}

/** Where a message carries its signature: `general.signature` (Gate bodies), else the top level. */
export function findSignature(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const record = data as Record<string, unknown>;
  const general = record.general;
  if (
    typeof general === 'object' &&
    general !== null &&
    typeof (general as Record<string, unknown>).signature === 'string'
  ) {
    return (general as Record<string, string>).signature;
  }
  return typeof record.signature === 'string' ? record.signature : undefined;
}

export type SignatureCheck =
  { valid: true; ordering: SignatureOrdering } | { valid: false; reason: string };

/**
 * Checks the signature that `data` carries (top level or `general.signature`) in constant
 * time, against every known ordering. Never throws on bad data: the reason says what is wrong.
 */
export function checkSignature(data: unknown, secretKey: string): SignatureCheck {
  requireKey(secretKey);
  const given = findSignature(data);
  if (given === undefined)
    return { valid: false, reason: 'no signature (looked at signature and general.signature)' };
  let leaves: Leaf[];
  try {
    leaves = collectLeaves(data);
  } catch (error) {
    return { valid: false, reason: `cannot be verified: ${(error as Error).message}` };
  }
  const presented = Buffer.from(given, 'base64');
  let tried = 0;
  let lastText: string | undefined;
  // The orderings are tried one by one, ours first, and only built when the one before did not
  // match: a valid callback costs one ordering and one HMAC. Which ordering matched is no
  // secret; the digests themselves are compared in constant time.
  for (const ordering of SIGNATURE_ORDERINGS) {
    const text = orderLeaves(data, leaves, ordering);
    if (text === lastText) continue; // the orderings agree here: one HMAC is enough
    lastText = text;
    tried++;
    const expected = hmac(text, secretKey);
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) {
      return { valid: true, ordering };
    }
  }
  return {
    valid: false,
    reason: `signature does not match (${tried === 1 ? 'all orderings agree' : `${tried} orderings tried`})`,
  };
}

/** `true` when `data` carries a valid signature for `secretKey` (see {@link checkSignature}). */
export function verify(data: unknown, secretKey: string): boolean {
  return checkSignature(data, secretKey).valid;
}
