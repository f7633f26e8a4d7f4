/** The demo's static files: its stylesheet and script, and the element's two bundles
 * with their companion files (loaded from beside either). */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { ElementBundles } from './bundle.js';
import { STRICT_CSP } from './pages.js';

const publicFile = (name: string): string =>
  readFileSync(new URL(`./public/${name}`, import.meta.url), 'utf8');

const JS = 'text/javascript; charset=utf-8';

export function serveStatic(
  pathname: string,
  bundles: ElementBundles,
  res: ServerResponse,
): boolean {
  const files: Record<string, [type: string, body: () => string]> = {
    '/assets/cup-qr-checkout.esm.js': [JS, () => bundles.esm],
    '/assets/cup-qr-checkout.min.js': [JS, () => bundles.iife],
    ...Object.fromEntries(
      Object.entries(bundles.companions).map(([file, code]) => [
        `/assets/${file}`,
        [JS, () => code],
      ]),
    ),
    '/assets/demo.js': [JS, () => publicFile('demo.js')],
    '/assets/demo.css': ['text/css; charset=utf-8', () => publicFile('demo.css')],
  };
  if (pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return true;
  }
  const file = files[pathname];
  if (!file) return false;
  res.writeHead(200, {
    'Content-Type': file[0],
    'Content-Security-Policy': STRICT_CSP,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(file[1]());
  return true;
}
