// The browser bundles: one self-contained ES module for a CDN (`vite build`) and one classic
// script for CMS pages (`vite build --mode iife`), both with Lit and the QR encoder inside.
// `tsc -p tsconfig.build.json` emits the per-module ESM (Lit external) with types for
// bundlers, and the server side. The demo builds the same two bundles in memory.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { minifyCssLiterals } from './scripts/minify-css-literals.js';

export default defineConfig(({ mode }) => {
  const format = mode === 'iife' ? 'iife' : 'es';
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    plugins: [minifyCssLiterals()],
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
        entry: 'src/index.ts',
        name: 'CupQrCheckout',
        formats: [format],
        fileName: () => (format === 'iife' ? 'cup-qr-checkout.min.js' : 'cup-qr-checkout.esm.js'),
      },
    },
  };
});
