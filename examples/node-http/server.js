import { createServer } from 'node:http';
import {
  createCheckout,
  createPayload,
  openSqliteStore,
  toNodeHandler,
} from 'cup-qr-checkout/server';

const secretKey = process.env.ECOMMPAY_SECRET_KEY;
const checkout = createCheckout({
  projectId: Number(process.env.ECOMMPAY_PROJECT_ID),
  secretKey,
  // Unset: ECommPay's Gate. The sandbox's URL for local work (npx cup-qr-checkout sandbox).
  gateUrl: process.env.ECOMMPAY_GATE_URL,
  // Where ECommPay reaches this server: callbacks go to {PUBLIC_URL}/cup-qr/callback.
  publicUrl: process.env.PUBLIC_URL ?? 'https://shop.example',
  store: await openSqliteStore({ file: './data/payments.sqlite' }), // npm install better-sqlite3
  log: console.error, // Gate's refusals, refused requests, configuration problems
});

// For the page: the order, signed (amount in fen; the page can read it but not change it).
const payload = createPayload(
  {
    ref: 'order-1042',
    amount: 30000,
    description: '机械键盘',
    customer: { id: 'c-77' }, // the element's form asks the shopper for the other fields
    returnUrl: 'https://shop.example/thanks',
  },
  { secretKey },
);

createServer(toNodeHandler(checkout)).listen(Number(process.env.PORT ?? 8080)); // or Express, Fastify, Next.js, Hono
