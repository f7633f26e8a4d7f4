/**
 * What a QR code may carry, and what of it may become a link: one home for the rule the
 * callback parser (`qr_data`), the element's state parser and the element's phone actions
 * share (PROTOCOL.md §3: "Encode whatever string comes; only a `https:` one can also be a
 * link").
 *
 * The platform sends a URL (the seed's `https://cashier…`) or, as QR payment providers do, an
 * EMVCo payload (`000201010212…6304A13A`). Either is drawn as it is: the QR code is only ever
 * read by the shopper's bank app, never by this page. A link is another matter: the page
 * itself would follow it, so only an absolute `https:` URL becomes one.
 */
import { absoluteUrl, nonEmpty } from './basic-rules.js';
import type { Rule } from './problems.js';

/**
 * The most UTF-8 bytes the element's QR code holds: what `lean-qr` encodes at error-correction
 * level M in its largest symbol (version 40, 177 modules; byte mode, 2,331 data bytes less its
 * headers). test/browser/qr-svg.test.ts holds it to the encoder.
 */
export const MAX_QR_DATA_BYTES = 2330;

const utf8 = new TextEncoder();

/** At most `max` bytes once written in UTF-8, as the QR code's byte mode stores it. */
export const maxUtf8Bytes =
  (max: number): Rule<string> =>
  (v) => {
    // A character is at most 3 bytes per UTF-16 unit: short strings need no encoding.
    if (v.length * 3 <= max) return undefined;
    const bytes = utf8.encode(v).length;
    return bytes > max ? `at most ${max} bytes of UTF-8 (got ${bytes})` : undefined;
  };

/**
 * No control characters (C0, DEL, C1: a tab, a newline, NUL) and no lone surrogates, which
 * UTF-8 cannot hold (the encoder would draw U+FFFD instead). No URL or EMVCo payload means
 * them; invisible format characters are left alone, since a merchant name in an EMVCo
 * template may need them and nobody reads the code but a bank app.
 */
export const noControlCharacters: Rule<string> = (v) => {
  const bad = /[\p{Cc}\p{Cs}]/u.exec(v);
  if (!bad) return undefined;
  const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `no control characters or lone surrogates (U+${code} at ${bad.index})`;
};

/** The rules of a QR code's content: any string that fits, without control characters. */
export const QR_DATA_RULES: readonly Rule<string>[] = [
  nonEmpty,
  maxUtf8Bytes(MAX_QR_DATA_BYTES),
  noControlCharacters,
];

/**
 * The link "open in bank app" may point at: the QR code's content only when it is an absolute
 * `https:` URL. `http:` (the sandbox), an EMVCo payload, `javascript:`, `data:` and anything
 * relative never become a link.
 */
export function appLinkFor(data: string): string | undefined {
  try {
    const parsed = new URL(data);
    return parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

const webUrl = absoluteUrl('https:', 'http:');

/**
 * What "copy payment link" copies: the QR code's content when it is an absolute `http(s):` URL
 * (the sandbox's bank app on a LAN is `http:`), exactly as the code carries it, so the copy is
 * what a camera would read. Nothing for an EMVCo payload: it is no link, only a bank app reads it.
 */
export function copyableLink(data: string): string | undefined {
  return webUrl(data) === undefined ? data : undefined;
}
