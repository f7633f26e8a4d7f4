/**
 * The Node toolkit as the conformance kit starts it (`--start "node --import tsx
 * test/helpers/conformance-backend.ts <data dir>"`): the README's server snippet, configured
 * from the environment the kit sets (ECOMMPAY_GATE_URL, ECOMMPAY_PAYMENT_PAGE_URL,
 * ECOMMPAY_PROJECT_ID, ECOMMPAY_SECRET_KEY, PUBLIC_URL, PORT), with a SQLite store in the
 * given folder so that a restart keeps payments and tokens, and no limit on payment starts
 * (the kit starts many from one address). Stops on SIGTERM.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createCheckout, openSqliteStore, toNodeHandler } from '../../src/server/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`conformance-backend: ${name} is not set`);
  return value;
};

const dataDir = process.argv[2];
if (!dataDir) throw new Error('conformance-backend: give the data folder as the first argument');

const store = await openSqliteStore({ file: join(dataDir, 'payments.sqlite') });
const checkout = createCheckout({
  projectId: Number(env('ECOMMPAY_PROJECT_ID')),
  secretKey: env('ECOMMPAY_SECRET_KEY'),
  gateUrl: env('ECOMMPAY_GATE_URL'),
  paymentPageUrl: env('ECOMMPAY_PAYMENT_PAGE_URL'),
  publicUrl: env('PUBLIC_URL'),
  store,
  rateLimit: false,
});
const server = createServer(toNodeHandler(checkout));
server.listen(Number(env('PORT')), '127.0.0.1');

process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void checkout.close().then(() => store.close());
});
