// What 'lit' is inside the customer form's companion file (`vite build --mode form`): the
// form only writes templates, and the element's bundle (ES module or classic script, whose Lit
// the companion cannot import) renders them. A template result is a plain object that
// lit-html renders from any copy of Lit: `{_$litType$: 1, strings, values}` (the tag's own
// code in lit-html 3, and what Lit's template compiler emits), and `nothing` is the registered
// symbol `lit-nothing`. So the companion carries these few lines instead of a second Lit.
// Anything else imported from 'lit' there fails the build (the import is missing here).
// test/browser/customer-form-chunk.test.ts renders this shim's results with the real Lit.
import type { TemplateResult } from 'lit';

export const html = (strings: TemplateStringsArray, ...values: unknown[]): TemplateResult<1> =>
  ({ ['_$litType$']: 1, strings, values }) as TemplateResult<1>;

export const nothing: unique symbol = Symbol.for('lit-nothing') as never;
