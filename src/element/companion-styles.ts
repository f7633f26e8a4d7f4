/**
 * A companion's own CSS (the customer form's, the Payment Page's: they ship with their code,
 * not in the element's bundle) added to the element's shadow root beside the element's styles:
 * a constructable stylesheet, as Lit adopts the element's own (no `<style>` text, which a
 * strict `style-src` forbids). Called by the companion's holder when it first renders the
 * companion's view, just before that view's template: nothing of it ever shows unstyled.
 * The companion's `css` is Lit's `CSSResult`, or in the bundles' companion files the shim's
 * `{cssText}` (scripts/lit-template-results.ts): only the text is read.
 */
import { adoptStyles, unsafeCSS, type CSSResult, type ReactiveElement } from 'lit';

/** What a companion exports as its styles: the text is all that is needed. */
export interface CompanionStyles {
  readonly cssText: string;
}

/** One stylesheet per companion for every element of the page. */
const sheets = new Map<string, CSSResult>();
/** The companion styles each shadow root has adopted. */
const adopted = new WeakMap<ShadowRoot, Set<CSSResult>>();

export function adoptCompanionStyles(host: ReactiveElement, styles: CompanionStyles): void {
  const root = host.renderRoot;
  if (!(root instanceof ShadowRoot)) return;
  let result = sheets.get(styles.cssText);
  if (!result) sheets.set(styles.cssText, (result = unsafeCSS(styles.cssText)));
  const done = adopted.get(root) ?? new Set<CSSResult>();
  adopted.set(root, done);
  if (done.has(result)) return;
  done.add(result);
  const sheet = result.styleSheet;
  // Added to the element's own sheets; without constructable stylesheets, Lit's fallback.
  if (sheet) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  else adoptStyles(root, [result]);
}
