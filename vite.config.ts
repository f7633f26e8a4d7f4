// The browser bundles: one self-contained ES module for a CDN and one classic script (IIFE)
// for CMS pages, both with Lit and the QR encoder inside. `tsc -p tsconfig.build.json` emits the
// per-module ESM (Lit external) with types for bundlers, and the server side.
import { defineConfig } from 'vite';

const format = process.env.BUNDLE_FORMAT === 'iife' ? 'iife' : 'es';

export default defineConfig({
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
});
