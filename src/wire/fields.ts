/**
 * The field rules of a CUP QR sale (the seed's Gate request format, PROTOCOL.md §2), one home
 * for the element's form and the server. Each rule returns `undefined` when the value holds,
 * else a short English message that names the rule.
 *
 * They live with the wire protocol rather than with the sale (ecommpay/sale.ts) because browser
 * code needs them (the form, the state parser) and may not import ecommpay/, while the ECommPay
 * side may import this folder. No DOM, no Node.
 */
import { maxLength, nonEmpty, tagged, type TaggedRule } from './basic-rules.js';
import type { Rule } from './problems.js';

// The rules the element's first paint needs too live in basic-rules.ts (the main bundle); the
// rest are here, with the customer form (its on-demand chunk).
export { absoluteUrl, maxLength, nonEmpty, type TaggedRule } from './basic-rules.js';

/** The only currency CUP QR takes (the seed's "VND" in its Gate section is a slip). */
export const CUP_QR_CURRENCY = 'CNY';

export const MAX_PAYMENT_ID_LENGTH = 255;
export const MAX_TEXT_LENGTH = 255;

/**
 * ISO 3166-1 alpha-2: every officially assigned code, by first letter (`C:ACDF…` is CA, CC,
 * CD, CF…). Written compactly because the form's chunk of the element carries it.
 */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'A:DEFGILMOQRSTUWXZ B:ABDEFGHIJLMNOQRSTVWYZ C:ACDFGHIKLMNORUVWXYZ D:EJKMOZ E:CEGHRST ' +
    'F:IJKMOR G:ABDEFGHILMNPQRSTUWY H:KMNRTU I:DELMNOQRST J:EMOP K:EGHIMNPRWYZ ' +
    'L:ABCIKRSTUVY M:ACDEFGHKLMNOPQRSTUVWXYZ N:ACEFGILOPRUZ O:M P:AEFGHKLMNRSTWY Q:A ' +
    'R:EOSUW S:ABCDEGHIJKLMNORSTVXYZ T:CDFGHJKLMNORTVWZ U:AGMSYZ V:ACEGINU W:FS Y:ET Z:AMW'
  )
    .split(' ')
    .flatMap((group) => [...group.slice(2)].map((second) => group[0] + second)),
);

/** A text field of the sale: not blank, at most {@link MAX_TEXT_LENGTH} characters. */
export const TEXT_RULES: readonly Rule<string>[] = [nonEmpty, maxLength(MAX_TEXT_LENGTH)];

export const positiveInteger: Rule<number> = (v) =>
  v > 0 ? undefined : `must be a positive integer of minor units (got ${v})`;

export const cupQrCurrency: Rule<string> = (v) =>
  v === CUP_QR_CURRENCY
    ? undefined
    : `CUP QR takes ${CUP_QR_CURRENCY} only (got ${JSON.stringify(v)})`;

/** How many digits a phone number may have (the PHP and Python SDKs' `customer_phone`). */
export const MIN_PHONE_DIGITS = 4;
export const MAX_PHONE_DIGITS = 24;

/** Gate's phone: digits only, no "+" (the seed), 4 to 24 of them. {@link tidyPhone} comes first. */
export const phoneDigits: Rule<string> = tagged('phone', (v) => {
  if (v.startsWith('+')) return 'digits only, no "+"';
  if (!/^[0-9]+$/.test(v)) return 'digits only';
  if (v.length < MIN_PHONE_DIGITS || v.length > MAX_PHONE_DIGITS) {
    return `${MIN_PHONE_DIGITS} to ${MAX_PHONE_DIGITS} digits (got ${v.length})`;
  }
  return undefined;
});

/**
 * What a phone number is written with around its digits: spaces (`\p{Zs}`: also no-break and
 * ideographic, never a tab, a line break or an invisible character), dashes, dots, parentheses.
 */
const PHONE_SEPARATORS = /[\p{Zs}\-\u2010-\u2015\u2212\uff0d.\uff0e()\uff08\uff09]/gu;
/** China's country code written the international way, before a number of 4 digits or more. */
const CHINA_PREFIX = /^(?:\+|00)86(?=[0-9]{4})/;

/**
 * A phone number as the shopper wrote it, made what Gate takes: full-width digits and `＋` as
 * ASCII; spaces, dashes, dots and parentheses removed; a leading `+86` or `0086` (China's
 * country code) removed, as the seed writes a Chinese mobile (`13632264147`); any other
 * leading `+` removed, its country code kept as digits (`+41 79…` -> `4179…`). Nothing else
 * changes, so what is not a phone number stays so and {@link phoneDigits} says why.
 */
export function tidyPhone(value: string): string {
  const bare = value
    .replace(/[\uff10-\uff19\uff0b]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(PHONE_SEPARATORS, '')
    .replace(CHINA_PREFIX, '');
  return /^\+[0-9]+$/.test(bare) ? bare.slice(1) : bare;
}

// Pragmatic address check (local@domain.tld), as HTML's <input type="email"> with a TLD.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const email: Rule<string> = tagged('email', (v) =>
  v.length <= 254 && EMAIL.test(v) ? undefined : 'not a valid email address',
);

export const countryCode: Rule<string> = tagged('country', (v) =>
  COUNTRY_CODES.has(v) ? undefined : 'an ISO 3166-1 alpha-2 country code, such as CN',
);

export const postalCode: Rule<string> = tagged('zip', (v) =>
  /^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/.test(v) ? undefined : '2 to 10 letters or digits',
);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(v: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(v) || v.length > 45) return false;
  const halves = v.split('::');
  if (halves.length > 2) return false;
  const groups = (part: string): string[] | undefined => {
    if (part === '') return [];
    const pieces = part.split(':');
    const last = pieces[pieces.length - 1];
    const withV4 = last.includes('.');
    if (withV4 && !IPV4.test(last)) return undefined;
    const hex = withV4 ? pieces.slice(0, -1) : pieces;
    if (!hex.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
    return withV4 ? [...hex, 'v4', 'v4'] : hex;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return false;
  if (halves.length === 2 && halves[0].includes('.')) return false; // IPv4 tail only at the end
  const count = head.length + tail.length;
  return halves.length === 2 ? count <= 7 : count === 8;
}

export const ipAddress: Rule<string> = (v) =>
  IPV4.test(v) || isIpv6(v) ? undefined : 'not a valid IPv4 or IPv6 address';

/**
 * One line of visible text: no control characters (NUL, newline, tab...), no line or
 * paragraph separators (U+2028, U+2029), no invisible format characters (zero-width spaces
 * and joiners, right-to-left overrides and isolates, soft hyphens) and no lone surrogates.
 * They are never part of a name or an address, and they make what is stored, signed and
 * shown differ from what it looks like.
 */
export const plainText: TaggedRule<string> = tagged('invalid', (v) => {
  const bad = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.exec(v);
  if (!bad) return undefined;
  const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `no control or invisible characters (U+${code} at ${bad.index})`;
});

/**
 * No `;`: it separates the `path:value` lines of ECommPay's signed string and nothing escapes
 * it, so a value carrying one can make a signature cover another message (PROTOCOL.md §1).
 * Every value that enters a message the server signs is held to it: the shopper's form, the
 * payload's fields, the Gate requests, the Payment Page link.
 */
export const noSeparator: TaggedRule<string> = tagged('invalid-character', (v) => {
  const at = v.indexOf(';');
  return at < 0 ? undefined : `no ";" (at ${at}): it separates the fields of ECommPay's signature`;
});

/**
 * A letter of the two scripts names and addresses are written in: Han (Chinese, which the seed
 * asks for and the form asks first) and Latin (pinyin, a Western name, an address abroad: the
 * seed's own example sale has `"city": "city"`). Accented Latin letters are Latin.
 */
const LETTER = /[\p{Script=Han}\p{Script=Latin}]/u;
/**
 * A name: Han or Latin letters and the marks that accent them, with what names hold between
 * letters: spaces (also no-break and ideographic), `'` `’` `ʼ`, hyphens (`-` `‐` `‑` `－`),
 * dots (`.` `．`) and middle dots (`·` `・` `•` `‧` `･`).
 */
const NAME =
  /^[\p{Script=Han}\p{Script=Latin}\p{M} \u00a0\u3000'\u2019\u02bc\-\u2010\u2011\uff0d.\uff0e\u00b7\u30fb\u2022\u2027\uff65]+$/u;

/** First or last name: `张`, `阿依·买买提`, `Zhang San`, `O'Brien`, `Jean-Luc`. */
export const personName: Rule<string> = tagged('name', (v) =>
  NAME.test(v) && LETTER.test(v) ? undefined : 'in Chinese characters or Latin letters',
);

/**
 * City or street: any visible text (see {@link plainText}, which comes first) with at least one
 * Han or Latin letter: `北京市`, `建国路88号`, `Bahnhofstrasse 1`, `Flat 3/F, 12 Nathan Rd.`
 */
export const address: Rule<string> = tagged('address', (v) =>
  LETTER.test(v) ? undefined : 'needs Chinese characters or Latin letters',
);
