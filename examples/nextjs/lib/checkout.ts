// The shop's one checkout, for the route handler. Kept on globalThis so that `next dev`'s
// reloads of this module keep the payments (a real shop gives it openSqliteStore or Redis).
import { createCheckout, MemoryStore, type Checkout } from 'cup-qr-checkout/server';

const shared = globalThis as { cupQrCheckout?: Checkout };

export const checkout = (shared.cupQrCheckout ??= createCheckout({
  projectId: Number(process.env.ECOMMPAY_PROJECT_ID),
  secretKey: process.env.ECOMMPAY_SECRET_KEY ?? '',
  gateUrl: process.env.ECOMMPAY_GATE_URL,
  publicUrl: process.env.PUBLIC_URL ?? 'https://shop.example',
  store: new MemoryStore(),
  // A Request has no connection address: the shopper's is the one Next.js (or the host in
  // front of it) puts in X-Forwarded-For.
  trustProxy: true,
  log: console.error,
}));
