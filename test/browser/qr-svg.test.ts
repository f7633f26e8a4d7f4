import { expect, fixture, html } from '@open-wc/testing';
import { MAX_QR_DATA_BYTES, QR_DATA_RULES } from '../../src/wire/qr.js';
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

  it('decodes back an EMVCo payload, Chinese template included', async () => {
    const emv =
      '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A';
    expect(await renderAndDecode(emv)).to.equal(emv);
  });

  it('holds exactly MAX_QR_DATA_BYTES of UTF-8, the limit the QR rule allows', () => {
    const passes = (text: string): boolean => QR_DATA_RULES.every((rule) => !rule(text));
    const ascii = 'a'.repeat(MAX_QR_DATA_BYTES);
    // 776 three-byte characters and two ASCII ones: the limit, counted in bytes.
    const chinese = `${'汉'.repeat(776)}ab`;
    for (const text of [ascii, chinese]) {
      expect(passes(text)).to.equal(true);
      expect(qrMatrix(text).size).to.equal(177);
    }
    for (const text of [`${ascii}a`, `${chinese}a`, '汉'.repeat(777)]) {
      expect(passes(text), 'refused by the rule').to.equal(false);
      expect(() => qrMatrix(text), 'and beyond the encoder').to.throw();
    }
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
