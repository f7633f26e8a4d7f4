// The companions' one loader (src/element/load-companion.ts): a companion that cannot load
// (offline, a CDN that serves the script alone) rejects with an error naming what and which file.
import { expect } from '@open-wc/testing';
import { loadCompanion } from '../../src/element/load-companion.js';
import { importQrImage } from '../../src/element/companions.js';

describe('loadCompanion', () => {
  it('names what did not load and its file', async () => {
    const missing = new URL('/no-such-companion.js', location.href).href;
    let error: unknown;
    try {
      await loadCompanion('QR image export', missing, () => import(/* @vite-ignore */ missing));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(
      /^the QR image export \(.*no-such-companion\.js\) did not load: /,
    );
    expect((error as Error).message).to.contain(missing);
  });

  it('gives the companion module once it loads', async () => {
    const module = await loadCompanion('QR image export', 'qr-image.js', importQrImage);
    expect(module.downloadQrImage).to.be.a('function');
  });
});
