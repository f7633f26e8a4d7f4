import { expect, fixture, html } from '@open-wc/testing';
import jsQRModule from 'jsqr';
import { QUIET_ZONE, qrMatrix, qrPath, renderQrSvg } from '../../src/qr-svg.js';

// jsqr is CommonJS: its function is the module itself at run time, `.default` in its types.
type Decode = typeof jsQRModule.default;
const jsQR: Decode =
  (jsQRModule as unknown as { default?: Decode }).default ?? (jsQRModule as unknown as Decode);

/** Paints the SVG onto a canvas, as a phone camera would see it, and decodes it with jsQR. */
async function decodeSvg(svgElement: SVGSVGElement, pixels = 400): Promise<string | undefined> {
  const markup = new XMLSerializer().serializeToString(svgElement);
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

async function renderAndDecode(text: string): Promise<string | undefined> {
  const host = await fixture<HTMLDivElement>(
    html`<div style="color:#000;width:400px;height:400px">
      ${renderQrSvg(qrMatrix(text), 'QR')}
    </div>`,
  );
  const svgElement = host.querySelector('svg')!;
  // Serialized on its own, the SVG no longer inherits the page's colours: make them explicit.
  svgElement.setAttribute('color', '#000');
  svgElement.querySelector('rect')!.setAttribute('fill', '#fff');
  return decodeSvg(svgElement);
}

describe('QR code drawn as inline SVG', () => {
  it('decodes back to the seed QR URL', async () => {
    const url =
      'https://cashier.xhepay.com/paygate/union/pay/MDAyMDUxNjk0OTMwNjYyMTQzMTgwOHwwNHw0ODgxMDAwMA==';
    expect(await renderAndDecode(url)).to.equal(url);
  });

  it('decodes back UTF-8 text with Chinese characters', async () => {
    const text = 'http://127.0.0.1:8090/bank/pay?merchant=示例商店&amount=300.00';
    expect(await renderAndDecode(text)).to.equal(text);
  });

  it('keeps a quiet zone of four light modules on every side', () => {
    const matrix = qrMatrix('quiet zone');
    const coords = [...qrPath(matrix).matchAll(/M(\d+) (\d+)/g)].map(([, x, y]) => [+x, +y]);
    const xs = coords.map(([x]) => x);
    const ys = coords.map(([, y]) => y);
    expect(Math.min(...xs)).to.equal(QUIET_ZONE);
    expect(Math.min(...ys)).to.equal(QUIET_ZONE);
    expect(Math.max(...ys)).to.equal(QUIET_ZONE + matrix.size - 1);
  });

  it('is an image with an accessible name and no script-built markup', async () => {
    const host = await fixture<HTMLDivElement>(
      html`<div>${renderQrSvg(qrMatrix('a11y'), '付款二维码')}</div>`,
    );
    const svgElement = host.querySelector('svg')!;
    expect(svgElement.getAttribute('role')).to.equal('img');
    expect(svgElement.getAttribute('aria-label')).to.equal('付款二维码');
    expect(svgElement.namespaceURI).to.equal('http://www.w3.org/2000/svg');
    await expect(host).to.be.accessible();
  });
});
