/**
 * Text from outside (a request's path, a callback's field, a problem's message) made safe for one
 * log line: control, format and line-breaking characters escaped as `\u{…}`, the length cut with an
 * ellipsis. A log line is read by people and parsed by tools: a value that brings its own newline
 * could forge a line ("[checkout] callback applied … success"), a huge one could fill the disk.
 */

/** The longest piece of outside text one log line quotes. */
export const MAX_LOGGED_TEXT = 200;

// C0/C1 controls, DEL, the line and paragraph separators, bidi controls and other format
// characters, and lone surrogates.
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `value` as text for a log line: escaped, and cut to `max` characters. */
export function logText(value: unknown, max = MAX_LOGGED_TEXT): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
  return cut.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}
