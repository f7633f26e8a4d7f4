/**
 * Where the customer form comes from: its own chunk, imported the first time a payload leaves
 * customer fields open, so that a page that shows only a QR code never loads it (with its rule
 * tables, country list and template). This file is what the per-module build (`tsc`, the
 * package's entry for bundlers) ships: a plain `import()` that Vite, webpack or esbuild turn
 * into a chunk of their own. The two self-contained bundles use customer-form-chunk.bundle.ts
 * instead (vite.config.ts swaps it in): a companion file beside the script.
 */
import type * as CustomerFormExports from './customer-form.js';

export type CustomerFormModule = typeof CustomerFormExports;

/** What an error names when the chunk cannot load. */
export const CUSTOMER_FORM_FILE = 'customer-form.js';

export function importCustomerForm(): Promise<CustomerFormModule> {
  return import('./customer-form.js');
}
