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
  /** Path segments, unescaped. */
  keys: string[];
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

  const walk = (value: unknown, keys: string[]): void => {
    const path = keys.join(':');
    if (typeof value !== 'object' || value === null) {
      leaves.push({ keys, value: leafValue(value, path) });
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
    const entries: [string, unknown][] = isArray
      ? (value as unknown[]).map((item, index) => [String(index), item])
      : Object.entries(value);
    for (const [key, child] of entries) {
      if (SKIPPED_KEYS.has(key)) continue;
      if (child === undefined) {
        // An absent property, as JSON.stringify leaves it out; an array has no such hole.
        if (isArray)
          throw new SignatureError([...keys, key].join(':'), 'undefined cannot be signed');
        continue;
      }
      walk(child, [...keys, key]);
    }
    open.delete(value);
  };

  walk(data, []);
  return leaves;
}

const INTEGER_KEY = /^(0|[1-9][0-9]*)$/;

/** Code point order (what sorting UTF-8 bytes gives), not JavaScript's UTF-16 code unit order. */
function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const diff = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

const DIGIT_RUN = /(\d+)/;

/**
 * Natural order, as PHP's `strnatcmp`: runs of digits compare as numbers (`x2` < `x10`), the
 * rest by code point; leading zeros make the shorter-valued run sort first.
 */
export function compareNatural(a: string, b: string): number {
  const left = a.split(DIGIT_RUN);
  const right = b.split(DIGIT_RUN);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i];
    const y = right[i];
    if (x === y) continue;
    if (i % 2 === 1) {
      // Both are digit runs (split puts captures at odd indexes).
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

/** JS SDK: integer-like keys first in numeric order, then the others by UTF-16 code unit. */
function comparePerLevel(a: string, b: string): number {
  const ai = INTEGER_KEY.test(a);
  const bi = INTEGER_KEY.test(b);
  if (ai && bi) return Number(a) - Number(b);
  if (ai !== bi) return ai ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeyLists(a: string[], b: string[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = comparePerLevel(a[i], b[i]);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
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
  const leaves = collectLeaves(data);
  switch (ordering) {
    case 'natural': {
      const keyed = leaves.map(({ keys, value }) => {
        const path = keys.map((key) => key.replaceAll(':', '::')).join(':');
        return { path, line: `${path}:${value}` };
      });
      keyed.sort((x, y) => compareNatural(x.path, y.path));
      return keyed.map(({ line }) => line).join(';');
    }
    case 'per-level':
      return [...leaves]
        .sort((x, y) => compareKeyLists(x.keys, y.keys))
        .map(({ keys, value }) => `${keys.join(':')}:${value}`)
        .join(';');
    case 'codepoint':
      return leaves
        .map(({ keys, value }) => `${keys.join(':')}:${value}`)
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
  const presented = Buffer.from(given, 'base64');
  let tried = 0;
  let match: SignatureOrdering | undefined;
  let lastText: string | undefined;
  for (const ordering of SIGNATURE_ORDERINGS) {
    let text: string;
    try {
      text = canonicalString(data, ordering);
    } catch (error) {
      return { valid: false, reason: `cannot be verified: ${(error as Error).message}` };
    }
    if (text === lastText) continue; // the orderings agree: one HMAC is enough
    lastText = text;
    tried++;
    const expected = hmac(text, secretKey);
    // Always compare equal lengths so the time taken says nothing about the digest.
    const candidate =
      presented.length === expected.length ? presented : Buffer.alloc(expected.length);
    if (timingSafeEqual(candidate, expected) && candidate === presented && match === undefined)
      match = ordering;
  }
  if (match !== undefined) return { valid: true, ordering: match };
  return {
    valid: false,
    reason: `signature does not match (${tried === 1 ? 'all orderings agree' : `${tried} orderings tried`})`,
  };
}

/** `true` when `data` carries a valid signature for `secretKey` (see {@link checkSignature}). */
export function verify(data: unknown, secretKey: string): boolean {
  return checkSignature(data, secretKey).valid;
}
