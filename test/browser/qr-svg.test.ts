import { expect, fixture, html } from '@open-wc/testing';
import { QUIET_ZONE, qrMatrix, qrPath, renderQrSvg } from '../../src/qr-svg.js';
import { decodeQrSvg } from './helpers/qr.js';

async function renderAndDecode(text: string): Promise<string | undefined> {
  const host = await fixture<HTMLDivElement>(
    html`<div style="color:#000;width:400px;height:400px">
      ${renderQrSvg(qrMatrix(text), 'QR')}
    </div>`,
  );
  return decodeQrSvg(host.querySelector('svg')!);
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
