import jsQRModule from 'jsqr';

// jsqr is CommonJS: its function is the module itself at run time, `.default` in its types.
type Decode = typeof jsQRModule.default;
const jsQR: Decode =
  (jsQRModule as unknown as { default?: Decode }).default ?? (jsQRModule as unknown as Decode);

/**
 * Paints a QR code's SVG onto a canvas, as a phone camera would see it, and decodes it with
 * jsQR. The SVG is copied with its colours made explicit: on its own it no longer inherits
 * the page's.
 */
export async function decodeQrSvg(svg: SVGElement, pixels = 400): Promise<string | undefined> {
  const copy = svg.cloneNode(true) as SVGElement;
  copy.setAttribute('color', '#000');
  copy.querySelector('rect')!.setAttribute('fill', '#fff');
  const markup = new XMLSerializer().serializeToString(copy);
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  try {
    const image = new Image(pixels, pixels);
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = pixels;
    canvas.height = pixels;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0, pixels, pixels);
    const { data, width, height } = context.getImageData(0, 0, pixels, pixels);
    return jsQR(data, width, height)?.data;
  } finally {
    URL.revokeObjectURL(url);
  }
}
