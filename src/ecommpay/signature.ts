/**
 * ECommPay's signature (PROTOCOL.md §1): every leaf of the JSON flattened to `path:value`,
 * the strings sorted and joined with `;`, HMAC-SHA512 with the project's secret key, Base64.
 *
 * The official SDKs order the strings differently where the documentation is silent (long
 * arrays, keys with digit runs or a `:`; see signature-order.ts) and write floats differently
 * (see signature-numbers.ts). We sign one way: `natural` (the PHP SDK's, used by ECommPay's own
 * WooCommerce and Magento plug-ins), floats as most SDKs write them; and accept a signature made
 * in any SDK's ordering, with any SDK's float form.
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
      if (isSkipped(path, key, depth)) continue;
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
 * with `;`. `signature` and `frame_mode` at the top level and `general.signature` are left out.
 * Exported for debugging a refused signature: compare it with what the other side hashed. It
 * applies no `;` rule: it is also the string a verifier hashes (see {@link sign} for the guard).
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
 * The guard on what we sign: the signed string must split back into exactly one `path:value`
 * line per leaf. A `;` in a value would start another line, a `:` in a key a deeper path, a
 * `;` in a key another line, an empty key a shorter path (see the header: the signing-oracle
 * class).
 */
function assertUnambiguous(leaves: readonly ValuedLeaf[]): void {
  for (const { path, escapedPath, trail, value } of leaves) {
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
    for (let at: KeyTrail | undefined = trail; at; at = at.up) {
      if (at.key !== '') continue;
      // {"": {"a": 1}} signs as {"a": 1} (every SDK drops an empty prefix), {"a": {"": 1}}
      // as {"a": ":1"}.
      throw new SignatureError(
        path,
        'an empty key, which the signed string cannot tell from a shorter path: refused',
      );
    }
    if (typeof value === 'string' && value.includes(';')) {
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
  return hmac(orderLeaves(leaves, ordering, valueWriter('majority')), secretKey).toString('base64');
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
