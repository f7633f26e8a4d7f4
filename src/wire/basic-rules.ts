/**
 * The few field rules the element needs before any form (the payment state's and the QR
 * code's parsers, the merchant-API client): kept apart from the sale's customer rules
 * (fields.ts) so that the element's main bundle does not carry those; the customer form's
 * chunk does. fields.ts re-exports these: import them from either. No DOM, no Node.
 */
import type { Rule } from './problems.js';

/**
 * A rule with a stable id, so that a form can say what is wrong in the shopper's language
 * (`translations/*`: `customerErrors`) while the rule itself stays here, in one place.
 */
export type TaggedRule<T> = Rule<T> & { readonly id: string };

export function tagged<T>(id: string, rule: Rule<T>): TaggedRule<T> {
  return Object.assign(rule, { id });
}

export const nonEmpty: Rule<string> = tagged('required', (v) =>
  v.trim().length === 0 ? 'must not be empty' : undefined,
);

export const maxLength = (max: number): Rule<string> =>
  tagged('too-long', (v: string) =>
    v.length > max ? `at most ${max} characters (got ${v.length})` : undefined,
  );

/** An absolute URL with one of `schemes` (`https:` alone unless said). */
export const absoluteUrl =
  (...schemes: string[]): Rule<string> =>
  (v) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return 'not an absolute URL';
    }
    const allowed = schemes.length > 0 ? schemes : ['https:'];
    return allowed.includes(url.protocol) ? undefined : `must be a ${allowed.join(' or ')} URL`;
  };
