/**
 * The cheap look at a callback before its signature is checked: whether the parsed body can be
 * an ECommPay callback at all. Anyone can post to the callback URL, and verifying costs a
 * flattening, up to three orderings and HMACs over the whole body; a body that is not even
 * shaped like a callback is refused for the price of one walk over it.
 *
 * What a callback is (PROTOCOL.md §3): a JSON object with a `payment` object (or the `general`
 * object of some project formats) and a signature, top level or `general.signature`, that is
 * the Base64 of an HMAC-SHA512 (64 bytes: 88 characters with `==`). A real one has about 40
 * leaves, keys of a few letters, and values up to the QR code's content (2,330 bytes of UTF-8
 * at most, wire/qr.ts); the caps below leave room beyond that. The leaves are what
 * verifying costs (each ordering sorts them): 256 of them keep the refusal of a forged body
 * well under a millisecond (`npm run bench`), where 512 took most of one on a loaded machine.
 */
import { findSignature } from '../ecommpay/signature.js';

/** The most leaves (values that are not objects or arrays, and empty ones) a callback may have. */
export const MAX_CALLBACK_LEAVES = 256;
/** The longest key of a callback, in characters. */
export const MAX_CALLBACK_KEY_LENGTH = 128;
/** The longest string value of a callback, in characters. */
export const MAX_CALLBACK_VALUE_LENGTH = 4096;

/** Base64 (standard or URL-safe) of 64 bytes: 86 characters, padded with `==` or not. */
const SHA512_BASE64 = /^[A-Za-z0-9+/_-]{86}(?:==)?$/;

export interface ShapeProblem {
  /** 400 for a body that is not a callback; 403 for one without a plausible signature. */
  status: 400 | 403;
  code: 'bad-request' | 'bad-signature';
  /** Says what is wrong, quoting nothing from the body. */
  message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first problem that keeps `body` from being a callback; `undefined` when it may be one. */
export function callbackShapeProblem(body: unknown): ShapeProblem | undefined {
  const notCallback = (message: string): ShapeProblem => ({
    status: 400,
    code: 'bad-request',
    message: `The callback ${message}.`,
  });
  if (!isObject(body)) return notCallback('is not a JSON object');
  if (!isObject(body.payment) && !isObject(body.general)) {
    return notCallback('has neither a payment nor a general object');
  }
  // One walk, without recursion (parseJson has already bounded the depth).
  let leaves = 0;
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string' && value.length > MAX_CALLBACK_VALUE_LENGTH) {
      return notCallback(`has a value over ${MAX_CALLBACK_VALUE_LENGTH} characters`);
    }
    const children =
      typeof value === 'object' && value !== null ? Object.entries(value) : undefined;
    if (children === undefined || children.length === 0) {
      if (++leaves > MAX_CALLBACK_LEAVES) {
        return notCallback(`has more than ${MAX_CALLBACK_LEAVES} values`);
      }
      continue;
    }
    for (const [key, child] of children) {
      if (key.length > MAX_CALLBACK_KEY_LENGTH) {
        return notCallback(`has a key over ${MAX_CALLBACK_KEY_LENGTH} characters`);
      }
      stack.push(child);
    }
  }
  const signature = findSignature(body);
  if (signature === undefined || !SHA512_BASE64.test(signature)) {
    return {
      status: 403,
      code: 'bad-signature',
      message:
        'The callback carries no ECommPay signature (the Base64 of an HMAC-SHA512, in signature or general.signature).',
    };
  }
  return undefined;
}
