/**
 * The element for the demo pages: the same files `npm run build` writes to dist/ (the ES
 * module, the classic script and their companions, from vite.config.ts's COMPANIONS table),
 * built in memory at start-up in a few seconds, so the demo shows what ships and needs no
 * build step of its own.
 */
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { COMPANIONS } from '../vite.config.js';

export interface ElementBundles {
  esm: string;
  iife: string;
  /** The companions by file name (`cup-qr-checkout.form.js` …), served beside either bundle. */
  companions: Record<string, string>;
}

const configFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

async function bundle(mode: string): Promise<string> {
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
  const companions: Record<string, string> = {};
  for (const [mode, { file }] of Object.entries(COMPANIONS)) companions[file] = await bundle(mode);
  return { esm, iife, companions };
}
