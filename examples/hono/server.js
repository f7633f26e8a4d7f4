// Hono 4 on Node (@hono/node-server): the checkout is a Web Request -> Response handler, so a
// route hands it the request as it is, with the shopper's address from the Node socket.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createCheckout, MemoryStore } from 'cup-qr-checkout/server';

const checkout = createCheckout({
  projectId: Number(process.env.ECOMMPAY_PROJECT_ID),
  secretKey: process.env.ECOMMPAY_SECRET_KEY,
  gateUrl: process.env.ECOMMPAY_GATE_URL,
  publicUrl: process.env.PUBLIC_URL ?? 'https://shop.example',
  store: new MemoryStore(), // openSqliteStore({ file }) for real
  log: console.error,
});

const app = new Hono();
app.all('/cup-qr/*', (c) =>
  checkout.fetch(c.req.raw, { remoteAddress: c.env.incoming.socket.remoteAddress }),
);
app.get('/', (c) => c.text('shop'));

const port = Number(process.env.PORT ?? 8080);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () =>
  console.log(`shop on http://127.0.0.1:${port}`),
);
