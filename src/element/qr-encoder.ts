/**
 * The QR companion, `cup-qr-checkout.qr.js` (vite.config.ts, `--mode qr`; a plain `import()`
 * chunk in the per-module build, companions.ts): `lean-qr`'s 2 KB "nano" encoder (ISO 18004,
 * UTF-8 byte mode), the path builder, and the view that shows the code (qr-view.ts, with its
 * CSS): nothing of it is needed before a code is there. Its templates are plain results that
 * the element's Lit renders (scripts/lit-template-results.ts), so no second Lit comes with it.
 * The element asks for it as soon as a code may be shown (lazy-qr-encoder.ts): it arrives
 * while the payment is being created.
 */
import { correction, generate } from 'lean-qr/nano';

export { renderQrView } from './qr-view.js';
export { default as styles } from './qr-view.styles.js';

/** Modules of light border kept around the code (the QR specification asks for four). */
export const QUIET_ZONE = 4;

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  size: number;
  /** Row-major, `true` for a dark module. */
  dark: (row: number, col: number) => boolean;
}

/** What the element draws: the code's side with the quiet zone, and its dark modules. */
export interface QrDrawing {
  /** Modules per side, the quiet zone included (the `<svg>`'s `viewBox`). */
  side: number;
  /** One SVG path of every dark module, offset by the quiet zone. */
  path: string;
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

/** The drawing of `matrix`. */
export function drawingOf(matrix: QrMatrix): QrDrawing {
  return { side: matrix.size + QUIET_ZONE * 2, path: qrPath(matrix) };
}

/** The drawing of `text`'s code: what the element asks of this companion. */
export function drawQr(text: string): QrDrawing {
  return drawingOf(qrMatrix(text));
}
