// Express 5: the checkout's routes mounted before any body parser (it reads its own bodies,
// the callback's as sent), beside the shop's own routes.
import express from 'express';
import { createCheckout, MemoryStore, toNodeHandler } from 'cup-qr-checkout/server';

const checkout = createCheckout({
  projectId: Number(process.env.ECOMMPAY_PROJECT_ID),
  secretKey: process.env.ECOMMPAY_SECRET_KEY,
  gateUrl: process.env.ECOMMPAY_GATE_URL,
  publicUrl: process.env.PUBLIC_URL ?? 'https://shop.example',
  store: new MemoryStore(), // openSqliteStore({ file }) for real
  log: console.error,
});

const app = express();
app.use(toNodeHandler(checkout)); // /cup-qr/…; other paths go on to next()
app.use(express.json());
app.get('/', (_req, res) => res.send('shop'));

const port = Number(process.env.PORT ?? 8080);
app.listen(port, () => console.log(`shop on http://127.0.0.1:${port}`));
