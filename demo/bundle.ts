/**
 * The element for the demo pages, bundled in memory at start-up by esbuild (a second or less):
 * an ES module and a classic script, like `dist/cup-qr-checkout.esm.js` and `.min.js`, so the
 * demo needs no build step of its own.
 */
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

export interface ElementBundles {
  esm: string;
  iife: string;
}

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

export async function bundleElement(): Promise<ElementBundles> {
  const common: BuildOptions = {
    entryPoints: [root('src/index.ts')],
    bundle: true,
    minify: true,
    write: false,
    target: 'es2022',
    platform: 'browser',
    tsconfig: root('tsconfig.json'),
    logLevel: 'silent',
  };
  const [esm, iife] = await Promise.all([
    build({ ...common, format: 'esm' }),
    build({ ...common, format: 'iife', globalName: 'CupQrCheckout' }),
  ]);
  return { esm: esm.outputFiles![0].text, iife: iife.outputFiles![0].text };
}
