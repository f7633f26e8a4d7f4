/**
 * ECommPay's signature (PROTOCOL.md §1): every leaf of the JSON flattened to `path:value`,
 * the strings sorted and joined with `;`, HMAC-SHA512 with the project's secret key, Base64.
 *
 * The SDKs order the strings differently where the documentation is silent (long arrays, keys
 * with digit runs or a `:`). We sign one way, `natural` (the PHP SDK's, used by ECommPay's own
 * WooCommerce and Magento plug-ins), and accept a signature made in any of the known orderings.
 *
 * **Nothing we sign can be read as another message** (the signing-oracle class, PROTOCOL.md
 * §1 "The algorithm is ambiguous"). Nothing inside a value is escaped, so a `;` in a value
 * starts what reads as a new `path:value` line, and one signature covers every document
 * whose leaves join to the same string: a Payment Page link whose `customer_city` is
 * `北京;payment:id:T;payment:status:success;…;zzz:` signs the same bytes as a callback
 * "payment T: success". So {@link sign} refuses, with a {@link SignatureError} naming the
 * path, a message whose signed string would not split back into exactly one line per leaf:
 * a `;` in a value, a `:` or `;` in a key. The routes refuse such values earlier, with their
 * own errors (the customer rule `invalid-character`, `createPayload`'s `TypeError`...); this
 * is the last line.
 *
 * **Verification does not apply that rule**, by decision: the platform's own signer escapes
 * nothing either, and genuine callbacks carry texts with `;` (a description, an operation
 * message, whatever the shopper typed on the Payment Page). Refusing them would answer a real
 * payment's callbacks 403 for the 11 days the platform retries. A forged callback re-cut from
 * one of our signatures is impossible because we never sign a `;` from outside; one re-cut
 * from a platform signature would need the platform to sign a `;` the attacker chose, which no
 * check here could tell from a genuine text. So {@link checkSignature} accepts any document
 * whose signed string matches.
 *
 * **Keys left out of the signed data**, read from the official SDKs' code
 * (github.com/ITECOMMPAY/paymentpage-sdk-*, at their HEAD of 2023-2026):
 * - `signature`: every SDK's callback class reads it at `signature` or `general.signature`
 *   (PHP `src/Callback.php` getSignature, Python `payment_page_sdk/callback.py`
 *   get_signature, Java `Callback.java` getSignature, Go `callback.go` getSignature; JS
 *   `src/callback.js` takes the last one its walk meets). Before verifying, PHP
 *   (`Callback::removeParam`), Python (`__remove_param`), JS (`removeSignature`) and Go
 *   (`removeParam`) delete every key named `signature` at every depth; Java
 *   (`Callback.removeParam`) deletes the top-level one, or else the first level that has one.
 *   The platform puts it only at the top level or in `general` (every callback format in the
 *   SDKs' test data: PHP `tests/data/callbackFormats.php`, JS
 *   `__tests__/data/callbackFormats.js`). We skip exactly those two: a `signature` key
 *   anywhere else is signed data, so it cannot be added to a signed message unseen.
 * - `frame_mode`: every SDK's signer skips it at every depth for requests, Payment Page
 *   parameters and callbacks alike, through the list of ignored keys handed down its
 *   recursion (PHP `src/SignatureHandler.php` IGNORED_KEYS, Python
 *   `payment_page_sdk/signature_handler.py` IGNORE_KEYS, JS `src/signer.js` + `converter.js`,
 *   Java `SignatureHandler.java` IGNORE_KEYS, Go `signature-handler.go` isIgnoredKey). It is a
 *   top-level Payment Page parameter (`popup`, `iframe`): every SDK test vector has it at the
 *   top level (PHP `tests/SignatureHandlerTest.php`, JS `__tests__/data/signed.js`), no
 *   callback format carries it anywhere, and ECommPay's WooCommerce plug-in skips it at the
 *   top level only. We skip it at the top level only: every SDK signature of a real message
 *   still verifies, and `frame_mode` padding at depth is signed data, so a verified callback
 *   replayed with it no longer verifies.
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

/**
 * Whether the key `key` of the object at `parentPath` (`''` for the root, `depth` 0) is left
 * out of the signed data: `signature` and `frame_mode` at the top level, `general.signature`
 * (see the header for why only there).
 */
function isSkipped(parentPath: string, key: string, depth: number): boolean {
  if (depth === 0) return key === 'signature' || key === 'frame_mode';
  return depth === 1 && parentPath === 'general' && key === 'signature';
}

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
      if (isSkipped(path, key, depth)) continue;
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
      .filter((key) => !isSkipped(path, key, depth) && record[key] !== undefined)
      .sort(comparePerLevel);
    for (const key of keys) walk(record[key], depth === 0 ? key : `${path}:${key}`, depth + 1);
  };
  walk(data, '', 0);
  return lines.join(';');
}

/**
 * The string that is hashed: every leaf of `data` as `path:value`, ordered, joined with `;`.
 * `signature` and `frame_mode` at the top level and `general.signature` are left out. Exported
 * for debugging a refused signature: compare it with what the other side hashed. It applies
 * no `;` rule: it is also the string a verifier hashes (see {@link sign} for the guard).
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
 * The guard on what we sign: the signed string must split back into exactly one `path:value`
 * line per leaf. A `;` in a value would start another line, a `:` in a key a deeper path, a
 * `;` in a key another line (see the header: the signing-oracle class).
 */
function assertUnambiguous(leaves: readonly Leaf[]): void {
  for (const { path, escapedPath, value } of leaves) {
    if (escapedPath !== path) {
      throw new SignatureError(
        path,
        'a key contains ":", which the signed string reads as a deeper path: refused',
      );
    }
    if (path.includes(';')) {
      throw new SignatureError(
        path,
        'a key contains ";", which the signed string reads as the start of another line: refused',
      );
    }
    if (value.includes(';')) {
      throw new SignatureError(
        path,
        'the value contains ";", which the signed string reads as the start of another ' +
          '"path:value" line (one signature would then cover another message): refused',
      );
    }
  }
}

/**
 * The Base64 signature of `data` with the project's secret key, in `natural` ordering.
 * The `signature` it may already carry (top level or `general.signature`) is ignored.
 *
 * @throws SignatureError for a value that has no agreed form (see {@link canonicalString}), and
 *   for data whose signed string would not split back into one line per leaf: a `;` in a
 *   value, a `:` or `;` in a key. Never sign such a value from outside (a shopper's city): the
 *   signature would verify on a message of the sender's choosing.
 */
export function sign(
  data: unknown,
  secretKey: string,
  ordering: SignatureOrdering = 'natural',
): string {
  requireKey(secretKey);
  const leaves = collectLeaves(data);
  assertUnambiguous(leaves);
  return hmac(orderLeaves(data, leaves, ordering), secretKey).toString('base64');
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
