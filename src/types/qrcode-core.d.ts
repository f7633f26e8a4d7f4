// Types for the encoder core of `qrcode` (CommonJS), imported without its renderers.
declare module 'qrcode/lib/core/qrcode.js' {
  export interface BitMatrix {
    size: number;
    data: Uint8Array;
    get(row: number, col: number): number | boolean;
  }
  export interface QRCodeCore {
    modules: BitMatrix;
    version: number;
  }
  export function create(
    text: string,
    options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H' },
  ): QRCodeCore;
}
