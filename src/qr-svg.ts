/**
 * The QR code as inline SVG: the module matrix of `lean-qr` (its 2 KB "nano" encoder, ISO
 * 18004, UTF-8 byte mode) drawn with a Lit template.
 * No `innerHTML` and no image service: it works under Trusted Types and a strict CSP, and the
 * payment URL never leaves the page.
 */
import { html, type TemplateResult } from 'lit';
import { correction, generate } from 'lean-qr/nano';

/** Modules of light border kept around the code (the QR specification asks for four). */
export const QUIET_ZONE = 4;

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  size: number;
  /** Row-major, `true` for a dark module. */
  dark: (row: number, col: number) => boolean;
}

/** Encodes `text` at error-correction level M at least (15% of the code may be damaged). */
export function qrMatrix(text: string): QrMatrix {
  const code = generate(text, { minCorrectionLevel: correction.M });
  return { size: code.size, dark: (row, col) => code.get(col, row) };
}

/** One path for all dark modules: each horizontal run of dark modules is one rectangle. */
export function qrPath(matrix: QrMatrix): string {
  const parts: string[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let col = 0;
    while (col < matrix.size) {
      if (!matrix.dark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < matrix.size && matrix.dark(row, col)) col++;
      parts.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h${start - col}z`);
    }
  }
  return parts.join('');
}

/**
 * The SVG for `matrix`, scaled to its box (`width`/`height` come from CSS), dark modules in
 * `currentColor` on a `--cup-qr-background`-coloured square with the quiet zone included.
 */
export function renderQrSvg(matrix: QrMatrix, label: string): TemplateResult {
  const side = matrix.size + QUIET_ZONE * 2;
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${side} ${side}"
    role="img"
    aria-label=${label}
    shape-rendering="crispEdges"
    part="qr-svg"
  >
    <rect width=${side} height=${side} fill="var(--cup-qr-background, #fff)"></rect>
    <path d=${qrPath(matrix)} fill="currentColor"></path>
  </svg>`;
}
