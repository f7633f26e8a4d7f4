/**
 * Reads a QR code the way a phone camera would: from the pixels of a screenshot (PNG), with
 * jsQR. For the end-to-end tests, whatever browser took the screenshot.
 */
import assert from 'node:assert/strict';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS: under Node its function is `.default` of the module.
const jsQR = jsQRModule.default;

/** The text of the QR code in `png`; fails the test if there is none. */
export function decodeQrPng(png: Buffer, what = 'the screenshot'): string {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  assert.ok(code, `no QR code found in ${what}`);
  return code.data;
}
