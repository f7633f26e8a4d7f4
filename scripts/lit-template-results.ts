// What 'lit' is inside the companion files (`vite build --mode form`, `--mode page`, …): a
// companion only writes templates and CSS, and the element's bundle (ES module or classic
// script, whose Lit the companion cannot import) renders and adopts them. A template result is
// a plain object that lit-html renders from any copy of Lit: `{_$litType$: 1, strings, values}`
// (the tag's own code in lit-html 3, and what Lit's template compiler emits; `svg`'s type is 2), and `nothing` is
// the registered symbol `lit-nothing`. A companion's `css` is only its text, `{cssText}`, which
// the element makes a stylesheet of (src/element/companion-styles.ts). So the companion carries
// these few lines instead of a second Lit. Anything else imported from 'lit' there fails the
// build (the import is missing here).
// test/browser/companion-styles.test.ts renders and adopts this shim's results with the real Lit.
import type { CSSResult, TemplateResult } from 'lit';

export const html = (strings: TemplateStringsArray, ...values: unknown[]): TemplateResult<1> =>
  ({ ['_$litType$']: 1, strings, values }) as TemplateResult<1>;

export const svg = (strings: TemplateStringsArray, ...values: unknown[]): TemplateResult<2> =>
  ({ ['_$litType$']: 2, strings, values }) as TemplateResult<2>;

export const nothing: unique symbol = Symbol.for('lit-nothing') as never;

/** A companion's styles are plain text, with no `${…}` parts (refused: this shim drops them). */
export const css = (strings: TemplateStringsArray, ...values: unknown[]): CSSResult => {
  if (values.length > 0) throw new Error("a companion's css`` takes no ${} parts");
  return { cssText: strings[0] } as CSSResult;
};
