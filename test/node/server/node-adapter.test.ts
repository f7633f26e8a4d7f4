// The Node bridge (server/node-adapter.ts): other paths go to next(), a body a framework
// already read is taken as it is.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createCheckout } from '../../../src/server/checkout.js';
import { toNodeHandler } from '../../../src/server/node-adapter.js';
import { MemoryStore } from '../../../src/server/stores/memory.js';
import { SECRET_KEY } from '../../helpers/toolkit.js';

describe('node bridge', () => {
  it('passes other paths to next(), and takes a body a framework already read', async (t) => {
    const store = new MemoryStore();
    const checkout = createCheckout({
      projectId: 1,
      secretKey: SECRET_KEY,
      publicUrl: 'https://shop.example',
      store,
      gateUrl: 'http://127.0.0.1:9', // never called: the payload is refused first
    });
    const handler = toNodeHandler(checkout);
    const server = createServer((req, res) => {
      // As express.raw() would: the body read into a Buffer before the handler.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        (req as typeof req & { body: Buffer }).body = Buffer.concat(chunks);
        handler(req, res, () => {
          res.writeHead(299).end('next');
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      await checkout.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const other = await fetch(`${base}/shop/cart`);
    assert.equal(other.status, 299);
    assert.equal(await other.text(), 'next');
    const refused = await fetch(`${base}/cup-qr/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ payload: 'nope.nope' }),
    });
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).error.code, 'payload-invalid');
  });
});
