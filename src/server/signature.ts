/**
 * ECommPay's signature (PROTOCOL.md §1): every leaf of the JSON flattened to `path:value`,
 * the strings sorted and joined with `;`, HMAC-SHA512 with the project's secret key, Base64.
 *
 * The official SDKs order the strings differently where the documentation is silent (long
 * arrays, keys with digit runs or a `:`; see signature-order.ts) and write floats differently
 * (see signature-numbers.ts). We sign one way: `natural` (the PHP SDK's, used by ECommPay's own
 * WooCommerce and Magento plug-ins), floats as most SDKs write them; and accept a signature made
 * in any SDK's ordering, with any SDK's float form.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  FLOAT_FORMATS,
  type FloatFormat,
  floatForms,
  isFloatLike,
  writeNumber,
} from './signature-numbers.js';
import {
  type KeyTrail,
  type Leaf,
  orderLeaves,
  type SignatureOrdering,
  SIGNATURE_ORDERINGS,
} from './signature-order.js';

export { FLOAT_FORMATS, type FloatFormat } from './signature-numbers.js';
export { compareNatural, type SignatureOrdering, SIGNATURE_ORDERINGS } from './signature-order.js';

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

/** A leaf with its value: text as signed, or a number written later in a float form. */
interface ValuedLeaf extends Leaf {
  value: string | number;
}

/** A leaf's value as signed, numbers aside (their form depends on the signer). */
function leafValue(value: unknown, path: string): string | number {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? '1' : '0';
    case 'number':
      if (!Number.isFinite(value)) throw new SignatureError(path, `${value} cannot be signed`);
      return value;
    case 'bigint':
      throw new SignatureError(path, 'a BigInt cannot be signed: send it as a string');
    default:
      if (value === null) return '';
      throw new SignatureError(path, `a ${typeof value} cannot be signed`);
  }
}

/** Writes the leaves' numbers in one float form (see signature-numbers.ts). */
function valueWriter(floats: FloatFormat): (leaf: ValuedLeaf) => string {
  return ({ value, path }) => {
    if (typeof value === 'string') return value;
    const text = writeNumber(value, floats);
    if (text !== undefined) return text;
    if (Number.isInteger(value) && Math.abs(value) < 1e21) {
      throw new SignatureError(path, `${value} is past 2^53 and loses digits: send it as a string`);
    }
    const forms = floatForms(value);
    throw new SignatureError(
      path,
      `${value} is a float the official SDKs write differently (PHP ${forms.php}, Python ` +
        `${forms.python}, JS ${forms.js}, Java ${forms.java}; Go truncates): send it as a string`,
    );
  };
}

/** Collects the leaves of `data` in traversal order; checks every value on the way. */
function collectLeaves(data: unknown): ValuedLeaf[] {
  if (typeof data !== 'object' || data === null) {
    throw new SignatureError('', 'only a JSON object or array can be signed');
  }
  const leaves: ValuedLeaf[] = [];
  const open = new Set<object>();
  // Paths are built as the walk goes down. Every SDK joins a key to an empty prefix without
  // a `:`, so `{"": {"a": 1}}` signs as `a:1`.
  const walk = (
    value: unknown,
    path: string,
    escapedPath: string,
    trail: KeyTrail | undefined,
    depth: number,
  ): void => {
    if (typeof value !== 'object' || value === null) {
      leaves.push({ path, escapedPath, trail: trail!, value: leafValue(value, path) });
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
      const childPath = path === '' ? key : `${path}:${key}`;
      if (child === undefined) {
        // An absent property, as JSON.stringify leaves it out; an array has no such hole.
        if (isArray) throw new SignatureError(childPath, 'undefined cannot be signed');
        continue;
      }
      const escapedKey = key.includes(':') ? key.replaceAll(':', '::') : key;
      const childEscaped = escapedPath === '' ? escapedKey : `${escapedPath}:${escapedKey}`;
      walk(child, childPath, childEscaped, { key, up: trail }, depth + 1);
    }
    open.delete(value);
  };

  walk(data, '', '', undefined, 0);
  return leaves;
}

/**
 * The string that is hashed: every leaf of `data` as `path:value`, ordered as `ordering`'s SDK
 * orders them, numbers that are not plain integers written in the float form `floats`, joined
 * with `;`. Keys named `signature` or `frame_mode` are left out at every level. Exported for
 * debugging a refused signature: compare it with what the other side hashed.
 *
 * @throws SignatureError for a value that has no agreed form (NaN, Infinity, an integer past
 *   2^53, a float the SDKs write differently, BigInt, function, symbol, a non-plain object) or
 *   a cycle.
 */
export function canonicalString(
  data: unknown,
  ordering: SignatureOrdering = 'natural',
  floats: FloatFormat = 'majority',
): string {
  return orderLeaves(collectLeaves(data), ordering, valueWriter(floats));
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
 * time, against every official SDK's ordering, and each SDK's float form where `data` has a
 * float. Never throws on bad data: the reason says what is wrong.
 */
export function checkSignature(data: unknown, secretKey: string): SignatureCheck {
  requireKey(secretKey);
  const given = findSignature(data);
  if (given === undefined)
    return { valid: false, reason: 'no signature (looked at signature and general.signature)' };
  let leaves: ValuedLeaf[];
  try {
    leaves = collectLeaves(data);
  } catch (error) {
    return { valid: false, reason: `cannot be verified: ${(error as Error).message}` };
  }
  const presented = Buffer.from(given, 'base64');
  // Float forms differ only where there is a float: most messages have none, and one form.
  const formats = leaves.some(({ value }) => typeof value === 'number' && isFloatLike(value))
    ? FLOAT_FORMATS
    : FLOAT_FORMATS.slice(0, 1);
  const writers = formats.map(valueWriter);
  const tried = new Set<string>();
  // The strings are built one by one, ours first (`natural`, floats as JS writes them), and
  // only when the one before did not match: a valid callback costs one string and one HMAC.
  // Which ordering matched is no secret; the digests themselves are compared in constant time.
  for (const ordering of SIGNATURE_ORDERINGS) {
    for (const write of writers) {
      const text = orderLeaves(leaves, ordering, write);
      if (tried.has(text)) continue; // the SDKs agree here: one HMAC is enough
      tried.add(text);
      const expected = hmac(text, secretKey);
      if (presented.length === expected.length && timingSafeEqual(presented, expected)) {
        return { valid: true, ordering };
      }
    }
  }
  return {
    valid: false,
    reason: `signature does not match (${tried.size === 1 ? 'all orderings agree' : `${tried.size} different strings tried: orderings and float forms`})`,
  };
}

/** `true` when `data` carries a valid signature for `secretKey` (see {@link checkSignature}). */
export function verify(data: unknown, secretKey: string): boolean {
  return checkSignature(data, secretKey).valid;
}
