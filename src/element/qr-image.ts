/**
 * "Save image": the element's QR code as a file the shopper can open in a bank app's scanner.
 * A 512 px PNG drawn from the code's own `<svg>` (an SVG file where a canvas cannot be used),
 * with its colours made explicit (black on white: the page's theme is no part of the file).
 */
import type { Clock } from '../controllers/clock.js';

/** The QR code as a PNG (an SVG where a canvas cannot be used), colours made explicit. */
export async function qrImage(source: SVGSVGElement): Promise<Blob> {
  const copy = source.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('color', '#000');
  copy.querySelector('rect')?.setAttribute('fill', '#fff');
  copy.setAttribute('width', '512');
  copy.setAttribute('height', '512');
  const markup = new XMLSerializer().serializeToString(copy);
  const svgBlob = new Blob([markup], { type: 'image/svg+xml' });
  try {
    const url = URL.createObjectURL(svgBlob);
    try {
      const image = new Image(512, 512);
      image.src = url;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 512;
      canvas.height = 512;
      canvas.getContext('2d')?.drawImage(image, 0, 0, 512, 512);
      const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
      return png ?? svgBlob;
    } finally {
      URL.revokeObjectURL(url);
    }
  } catch {
    return svgBlob;
  }
}

/** Downloads the code as `unionpay-qr.png` (or `.svg`); its object URL is let go after 10 s. */
export async function downloadQrImage(source: SVGSVGElement, clock: Clock): Promise<void> {
  const blob = await qrImage(source);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = blob.type === 'image/png' ? 'unionpay-qr.png' : 'unionpay-qr.svg';
  link.rel = 'noopener';
  link.click();
  clock.setTimeout(() => URL.revokeObjectURL(url), 10000);
}
