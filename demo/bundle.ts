/**
 * The element for the demo pages: the same files `npm run build` writes to dist/ (the ES
 * module, the classic script and their companions, the QR encoder, the customer form and the
 * QR image export, from vite.config.ts),
 * built in memory at start-up in a few seconds, so the demo shows what ships and needs no
 * build step of its own.
 */
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

export interface ElementBundles {
  esm: string;
  iife: string;
  /** `cup-qr-checkout.qr.js`, the QR encoder, served beside either bundle. */
  qr: string;
  /** `cup-qr-checkout.form.js`, served beside either bundle. */
  form: string;
  /** `cup-qr-checkout.png.js`, the QR image export, served beside either bundle. */
  png: string;
}

const configFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

async function bundle(mode: 'es' | 'iife' | 'qr' | 'form' | 'png'): Promise<string> {
  const result = await build({ configFile, mode, build: { write: false, sourcemap: false } });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs.flatMap((o) => o.output).find((file) => file.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error(`vite built no ${mode} bundle`);
  return chunk.code;
}

export async function bundleElement(): Promise<ElementBundles> {
  // One after the other: two builds at once fight over the same two cores.
  const esm = await bundle('es');
  const iife = await bundle('iife');
  const qr = await bundle('qr');
  const form = await bundle('form');
  const png = await bundle('png');
  return { esm, iife, qr, form, png };
}
