/**
 * How the `path:value` strings are ordered before they are joined and hashed. ECommPay documents
 * "sorted"; its five official SDKs sort five ways, which agree on ordinary messages (small
 * arrays, plain keys) and differ on arrays of 11+ items, keys with digit runs, a `:` in a key and
 * characters past U+FFFF. Each ordering below is one SDK's, read from its code and run side by
 * side on the same cases (test/fixtures/sdk-signatures.json):
 *
 * - `natural`, PHP SDK (src/SignatureHandler.php): `ksort($params, SORT_NATURAL)` on the paths
 *   (not the `path:value` strings), that is PHP's `strnatcmp_ex` on the UTF-8 bytes; a `:` inside
 *   a key is written `::`. The order ECommPay's WooCommerce and Magento plug-ins sign in. PHP
 *   sorts stably: paths it finds equal (differing only in whitespace, or in leading zeros at the
 *   start) keep the document's order, which JSON.parse keeps too but for integer-like keys.
 * - `per-level`, JS SDK (`ecommpay` on npm, src/converter.js): each object's keys sorted by
 *   UTF-16 code unit, then array-index keys (0 to 2^32-2) moved first in numeric order (what
 *   re-inserting them into a JS object does); no escaping.
 * - `path`, Python SDK (payment_page_sdk/signature_handler.py, since its PE-702 fix): `sorted`
 *   by path, by code point; `:` in keys written `::`.
 * - `utf16`, Java SDK (SignatureHandler.java): `Collections.sort` of the `path:value` strings,
 *   by UTF-16 code unit; `:` in keys written `::`.
 * - `codepoint`, Go SDK (signature-handler.go): `sort.Strings` of the `path:value` strings, by
 *   byte (code point); only a key with nothing before it (top level) has its `:` written `::`.
 *
 * All five join a key to an empty prefix without a `:` (`{"": {"a": 1}}` signs as `a:1`).
 */

/** How the `path:value` strings are ordered before hashing: one official SDK's way each. */
export type SignatureOrdering =
  /** PHP SDK: paths in PHP's natural order (`strnatcmp`: `a001 < a01 < a1 < a2 < a10`); `:` in keys written `::`. */
  | 'natural'
  /** JS SDK (`ecommpay` on npm): keys sorted level by level, array indexes first in numeric order; no escaping. */
  | 'per-level'
  /** Python SDK: paths sorted by code point; `:` in keys written `::`. */
  | 'path'
  /** Java SDK: `path:value` strings sorted by UTF-16 code unit; `:` in keys written `::`. */
  | 'utf16'
  /** Go SDK: `path:value` strings sorted by code point; `:` written `::` in top-level keys only. */
  | 'codepoint';

/** Every ordering a verifier accepts, the one we sign with first. */
export const SIGNATURE_ORDERINGS: readonly SignatureOrdering[] = [
  'natural',
  'per-level',
  'path',
  'utf16',
  'codepoint',
];

/** The keys from the root to a value, as a chain from the last: a value's descendants share it. */
export interface KeyTrail {
  key: string;
  up: KeyTrail | undefined;
}

/** One leaf of the signed data, with its path as each SDK writes it. */
export interface Leaf {
  /** The keys joined with `:` as they are (JS SDK). */
  path: string;
  /** The keys joined with `:`, a `:` inside a key written `::` (PHP, Python, Java SDKs). */
  escapedPath: string;
  /** The keys from the root (array indexes as strings). */
  trail: KeyTrail;
}

function keysOf(trail: KeyTrail): string[] {
  const keys: string[] = [];
  for (let at: KeyTrail | undefined = trail; at; at = at.up) keys.push(at.key);
  return keys.reverse();
}

/** Go SDK's path: a `:` written `::` only in a key with nothing (or only empty keys) before it. */
function goPath(trail: KeyTrail): string {
  let path = '';
  for (const key of keysOf(trail)) {
    path = path === '' ? key.replaceAll(':', '::') : `${path}:${key}`;
  }
  return path;
}

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

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** C's `isspace` in the C locale, as PHP uses it. */
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * PHP's `strnatcmp_ex` (ext/standard/strnatcmp.c, PHP 8), byte for byte: leading zeros of the
 * whole string skipped; whitespace skipped (except right after a digit run); two digit runs
 * compared as numbers (`compare_right`: the longer run wins) unless either starts with `0`,
 * then digit by digit (`compare_left`: `a001 < a01 < a1`); the rest byte by byte. Reading past
 * the end gives 0, as PHP's NUL-terminated strings do.
 */
function strnatcmp(a: Uint8Array, b: Uint8Array): number {
  const aEnd = a.length;
  const bEnd = b.length;
  if (aEnd === 0 || bEnd === 0) return aEnd === bEnd ? 0 : aEnd > bEnd ? 1 : -1;
  const at = (s: Uint8Array, i: number): number => (i < s.length ? s[i] : 0);
  let ap = 0;
  let bp = 0;
  while (a[ap] === 0x30 && ap + 1 < aEnd && isDigit(a[ap + 1])) ap++;
  while (b[bp] === 0x30 && bp + 1 < bEnd && isDigit(b[bp + 1])) bp++;
  let ca = at(a, ap);
  let cb = at(b, bp);
  for (;;) {
    while (isSpace(ca)) ca = at(a, ++ap);
    while (isSpace(cb)) cb = at(b, ++bp);
    if (isDigit(ca) && isDigit(cb)) {
      const fractional = ca === 0x30 || cb === 0x30;
      let result = 0;
      for (; ; ap++, bp++) {
        const aDigit = ap < aEnd && isDigit(a[ap]);
        const bDigit = bp < bEnd && isDigit(b[bp]);
        if (!aDigit && !bDigit) break;
        if (!aDigit) return -1;
        if (!bDigit) return 1;
        if (a[ap] !== b[bp]) {
          if (fractional) return a[ap] < b[bp] ? -1 : 1;
          if (result === 0) result = a[ap] < b[bp] ? -1 : 1;
        }
      }
      if (result !== 0) return result;
      if (ap === aEnd && bp === bEnd) return 0;
      if (ap === aEnd) return -1;
      if (bp === bEnd) return 1;
      ca = a[ap];
      cb = b[bp];
    }
    if (ca !== cb) return ca < cb ? -1 : 1;
    ap++;
    bp++;
    if (ap >= aEnd && bp >= bEnd) return 0;
    if (ap >= aEnd) return -1;
    if (bp >= bEnd) return 1;
    ca = a[ap];
    cb = b[bp];
  }
}

const encoder = new TextEncoder();

/** PHP's natural order of two strings (`strnatcmp`), the comparison of the `natural` ordering. */
export function compareNatural(a: string, b: string): number {
  return strnatcmp(encoder.encode(a), encoder.encode(b));
}

/** What makes a path need the byte-by-byte comparison: whitespace, a marker, a surrogate. */
// eslint-disable-next-line no-control-regex -- U+0000 and U+0001 are the markers the key uses
const NOT_PLAIN = /[\t\n\v\f\r \u0000\u0001\ud800-\udfff]/;
/** What makes a path need a sort key at all: a digit, or what NOT_PLAIN looks for. */
// eslint-disable-next-line no-control-regex -- as NOT_PLAIN
const NOT_PLAIN_OR_DIGIT = /[\d\t\n\v\f\r \u0000\u0001\ud800-\udfff]/;
const LEADING_ZEROS = /^0+(?=\d)/;

/**
 * A string whose plain (code unit) order is `strnatcmp`'s order of `path`, for a path with no
 * whitespace, no U+0000/U+0001 and no surrogate (`undefined` otherwise): most paths are their
 * own key. A digit run starting with 0 stays as it is, ended by U+0001 (below every digit: a
 * shorter run sorts first); any other run becomes its length (`1`-`8`, or `9` and a character
 * past U+00FF) then its digits. Both still begin with a digit, so they meet other characters
 * as their first digit would.
 */
function naturalSortKey(path: string): string | undefined {
  if (!NOT_PLAIN_OR_DIGIT.test(path)) return path;
  if (NOT_PLAIN.test(path)) return undefined;
  return path.replace(LEADING_ZEROS, '').replace(/\d+/g, (run) => {
    if (run[0] === '0') return `${run}\u0001`;
    const length =
      run.length < 9 ? String(run.length) : `9${String.fromCharCode(0x100 + run.length)}`;
    return length + run;
  });
}

/** Array-index keys, which a JS object lists first, in numeric order. */
const ARRAY_INDEX = /^(0|[1-9][0-9]{0,9})$/;
const isArrayIndex = (key: string): boolean => ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1;

/** JS SDK: array indexes first in numeric order, then the other keys by UTF-16 code unit. */
function comparePerLevel(a: string, b: string): number {
  const ai = isArrayIndex(a);
  const bi = isArrayIndex(b);
  if (ai && bi) return Number(a) - Number(b);
  if (ai !== bi) return ai ? -1 : 1;
  return compareCodeUnits(a, b);
}

function compareKeyLists(left: readonly string[], right: readonly string[]): number {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    if (left[i] !== right[i]) return comparePerLevel(left[i], right[i]);
  }
  return left.length - right.length;
}

/** `leaves` (in document order) sorted by the paths `natural` compares; ties keep their order. */
function naturalOrder<T extends Leaf>(leaves: readonly T[]): T[] {
  const keyed = leaves.map((leaf) => ({ leaf, key: naturalSortKey(leaf.escapedPath) }));
  if (keyed.every(({ key }) => key !== undefined)) {
    keyed.sort((x, y) => compareCodeUnits(x.key!, y.key!));
    return keyed.map(({ leaf }) => leaf);
  }
  const bytes = leaves.map((leaf) => ({ leaf, path: encoder.encode(leaf.escapedPath) }));
  bytes.sort((x, y) => strnatcmp(x.path, y.path));
  return bytes.map(({ leaf }) => leaf);
}

/**
 * The string to hash: `leaves` ordered as `ordering`'s SDK orders them, each written
 * `path:value` with the SDK's path and `value(leaf)`, joined with `;`.
 */
export function orderLeaves<T extends Leaf>(
  leaves: readonly T[],
  ordering: SignatureOrdering,
  value: (leaf: T) => string,
): string {
  switch (ordering) {
    case 'natural':
      return naturalOrder(leaves)
        .map((leaf) => `${leaf.escapedPath}:${value(leaf)}`)
        .join(';');
    case 'per-level':
      return leaves
        .map((leaf) => ({ leaf, keys: keysOf(leaf.trail) }))
        .sort((x, y) => compareKeyLists(x.keys, y.keys))
        .map(({ leaf }) => `${leaf.path}:${value(leaf)}`)
        .join(';');
    case 'path':
      return [...leaves]
        .sort((x, y) => compareCodePoints(x.escapedPath, y.escapedPath))
        .map((leaf) => `${leaf.escapedPath}:${value(leaf)}`)
        .join(';');
    case 'utf16':
      return leaves
        .map((leaf) => `${leaf.escapedPath}:${value(leaf)}`)
        .sort(compareCodeUnits)
        .join(';');
    case 'codepoint':
      return leaves
        .map((leaf) => `${goPath(leaf.trail)}:${value(leaf)}`)
        .sort(compareCodePoints)
        .join(';');
  }
}
