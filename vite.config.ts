// The browser bundles: one self-contained ES module for a CDN (`vite build`) and one classic
// script for CMS pages (`vite build --mode iife`), both with Lit and the QR encoder inside,
// and their companion file, the customer form (`vite build --mode form`), which either bundle
// imports from beside itself when a payload leaves customer fields open
// (src/element/customer-form-chunk.bundle.ts). `tsc -p tsconfig.build.json` emits the
// per-module ESM (Lit external) with types for bundlers, where the form is a plain `import()`
// the consumer's bundler makes a chunk of, and the server side. The demo builds the same
// three files in memory.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { minifyCssLiterals } from './scripts/minify-css-literals.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The bundles load the form from their companion file, not from a chunk of their own. */
function formFromCompanion(): Plugin {
  return {
    name: 'form-from-companion',
    enforce: 'pre',
    resolveId(source) {
      return source === './customer-form-chunk.js'
        ? here('src/element/customer-form-chunk.bundle.ts')
        : undefined;
    },
  };
}

export default defineConfig(({ mode }) => {
  const format = mode === 'iife' ? 'iife' : 'es';
  const form = mode === 'form';
  return {
    root: here('.'),
    plugins: [minifyCssLiterals(), ...(form ? [] : [formFromCompanion()])],
    // The companion renders with the bundle's Lit: its templates are plain results.
    resolve: form ? { alias: { lit: here('scripts/lit-template-results.ts') } } : {},
    // The classic script has no `import.meta`: its companion's URL comes from currentScript.
    ...(format === 'iife' ? { define: { 'import.meta.url': 'undefined' } } : {}),
    logLevel: 'warn',
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      // Vite keeps the whitespace of an ES library for the consumer's bundler; this file is
      // served as it is (a CDN), so minify it fully like the classic script.
      rolldownOptions: { output: { minify: true } },
      lib: {
        entry: form ? 'src/element/customer-form.ts' : 'src/index.ts',
        name: 'CupQrCheckout',
        formats: [format],
        fileName: () =>
          form
            ? 'cup-qr-checkout.form.js'
            : format === 'iife'
              ? 'cup-qr-checkout.min.js'
              : 'cup-qr-checkout.esm.js',
      },
    },
  };
});
