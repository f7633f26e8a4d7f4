// The browser bundles: one self-contained ES module for a CDN (`vite build`) and one classic
// script for CMS pages (`vite build --mode iife`), both with Lit inside, and their companion
// files, the QR encoder (`vite build --mode qr`), the customer form (`--mode form`), the
// Payment Page mode (`--mode page`), the QR image export (`--mode png`) and the English words
// (`--mode en`), which either bundle imports from beside itself when it needs them
// (src/element/companions.bundle.ts). `tsc -p tsconfig.build.json` emits the per-module ESM
// (Lit external) with types for bundlers, where each companion is a plain `import()` the
// consumer's bundler makes a chunk of, and the server side. The demo builds the same files in
// memory.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { minifyCssLiterals } from './scripts/minify-css-literals.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The bundles load their companions from the files beside them, not from chunks of their own. */
function companionFiles(): Plugin {
  return {
    name: 'companion-files',
    enforce: 'pre',
    resolveId(source) {
      return source === './element/companions.js' || source === './companions.js'
        ? here('src/element/companions.bundle.ts')
        : undefined;
    },
  };
}

/** The companions (`vite build --mode <name>`): entry and file name. */
export const COMPANIONS: Record<string, { entry: string; file: string }> = {
  qr: { entry: 'src/element/qr-encoder.ts', file: 'cup-qr-checkout.qr.js' },
  form: { entry: 'src/element/customer-form.ts', file: 'cup-qr-checkout.form.js' },
  page: { entry: 'src/element/payment-page.ts', file: 'cup-qr-checkout.page.js' },
  png: { entry: 'src/element/qr-image.ts', file: 'cup-qr-checkout.png.js' },
  en: { entry: 'src/translations/en.ts', file: 'cup-qr-checkout.en.js' },
};

export default defineConfig(({ mode }) => {
  const format = mode === 'iife' ? 'iife' : 'es';
  const companion = COMPANIONS[mode];
  return {
    root: here('.'),
    plugins: [minifyCssLiterals(), ...(companion ? [] : [companionFiles()])],
    // A companion renders with the bundle's Lit: its templates are plain results, its CSS text.
    resolve: companion ? { alias: { lit: here('scripts/lit-template-results.ts') } } : {},
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
        entry: companion?.entry ?? 'src/index.ts',
        name: 'CupQrCheckout',
        formats: [format],
        fileName: () =>
          companion
            ? companion.file
            : format === 'iife'
              ? 'cup-qr-checkout.min.js'
              : 'cup-qr-checkout.esm.js',
      },
    },
  };
});
