/**
 * Where the customer form comes from in the self-contained bundles (the ES module for a CDN
 * and the classic script; vite.config.ts puts this file in customer-form-chunk.ts's place):
 * the companion file `cup-qr-checkout.form.js`, served beside the script, imported with
 * `import()` from the script's own URL the first time a payload leaves customer fields open.
 * The companion is an ES module of its own (`vite build --mode form`), so the same file serves
 * both bundles: the classic script cannot share modules with a chunk, and the ES module
 * bundle then needs no second name.
 *
 * The script's URL is read while it runs: the classic script's `document.currentScript` (gone
 * afterwards; the classic build has no `import.meta`), else the ES module's `import.meta.url`.
 * `import()` is no Trusted Types sink; `script-src` governs it, and `'self'` allows a companion
 * served beside the script.
 */
import type { CustomerFormModule } from './customer-form-chunk.js';

export type { CustomerFormModule };

/** The companion file's name; docs/embedding.md tells merchants to serve it beside the script. */
const FILE = 'cup-qr-checkout.form.js';

const script = typeof document === 'undefined' ? null : document.currentScript;
/** Where the script came from (the page itself for a script that was not loaded by a tag). */
const scriptUrl: string | undefined =
  (script instanceof HTMLScriptElement && script.src) || import.meta.url || undefined;

/** The companion file's URL, which an error names when it cannot load. */
export const CUSTOMER_FORM_FILE = scriptUrl ? new URL(FILE, scriptUrl).href : FILE;

let tries = 0;

export function importCustomerForm(): Promise<CustomerFormModule> {
  // A failed module fetch stays failed for the page's lifetime in some engines: a retry (the
  // shopper's "Try again" once back online) asks for the file under a URL of its own.
  const url = tries++ === 0 ? CUSTOMER_FORM_FILE : `${CUSTOMER_FORM_FILE}?retry=${tries - 1}`;
  return import(/* @vite-ignore */ url) as Promise<CustomerFormModule>;
}
