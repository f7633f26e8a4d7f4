// Fastify 5: one line registers the checkout's routes; the app's own parsers and routes stay.
import Fastify from 'fastify';
import { createCheckout, fastifyCheckout, MemoryStore } from 'cup-qr-checkout/server';

const checkout = createCheckout({
  projectId: Number(process.env.ECOMMPAY_PROJECT_ID),
  secretKey: process.env.ECOMMPAY_SECRET_KEY,
  gateUrl: process.env.ECOMMPAY_GATE_URL,
  publicUrl: process.env.PUBLIC_URL ?? 'https://shop.example',
  store: new MemoryStore(), // openSqliteStore({ file }) for real
  log: console.error,
});

const app = Fastify();
app.register(fastifyCheckout(checkout));
app.post('/orders', async (request) => ({ received: request.body })); // the app's JSON parser
app.get('/', async () => 'shop');

const port = Number(process.env.PORT ?? 8080);
await app.listen({ port, host: '127.0.0.1' });
console.log(`shop on http://127.0.0.1:${port}`);
