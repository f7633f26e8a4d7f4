/**
 * The QR code as inline SVG, at once: the encoder (element/qr-encoder.ts, `lean-qr`'s matrix
 * and the path builder) and the element's `<svg>` template (element/qr-view.ts) joined for
 * code that draws a code synchronously (the tests, the benches). The element itself never
 * imports this file: it loads the encoder on demand (element/lazy-qr-encoder.ts), so its
 * bundles do not carry it.
 * No `innerHTML` and no image service: it works under Trusted Types and a strict CSP, and the
 * payment URL never leaves the page.
 */
import type { TemplateResult } from 'lit';
import { drawingOf, type QrMatrix } from './element/qr-encoder.js';
import { qrSvg } from './element/qr-view.js';

export { QUIET_ZONE, qrMatrix, qrPath, type QrMatrix } from './element/qr-encoder.js';

/**
 * The SVG for `matrix`, scaled to its box (`width`/`height` come from CSS), dark modules in
 * `currentColor` on a `--cup-qr-background`-coloured square with the quiet zone included.
 */
export function renderQrSvg(matrix: QrMatrix, label: string): TemplateResult {
  return qrSvg(drawingOf(matrix), label);
}
