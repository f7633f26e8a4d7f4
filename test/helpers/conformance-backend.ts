/**
 * The Node toolkit as the conformance kit starts it (`--start "node --import tsx
 * test/helpers/conformance-backend.ts <data dir>"`): the README's server snippet, configured
 * from the environment the kit sets (ECOMMPAY_GATE_URL, ECOMMPAY_PAYMENT_PAGE_URL,
 * ECOMMPAY_PROJECT_ID, ECOMMPAY_SECRET_KEY, PUBLIC_URL, PORT), with a SQLite store in the
 * given folder so that a restart keeps payments and tokens, and no limit on payment starts
 * (the kit starts many from one address). Stops on SIGTERM.
 *
 * `CONFORMANCE_BREAK` makes it a deliberately broken copy, for the test that the kit names
 * what a backend gets wrong: `sse-id` drops the `id:` lines of its streams, `media-type` reads
 * a `text/plain` body as JSON (no 415), `memory` keeps payments in memory (lost on a restart).
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  createCheckout,
  MemoryStore,
  openSqliteStore,
  toNodeHandler,
  type Checkout,
} from '../../src/server/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`conformance-backend: ${name} is not set`);
  return value;
};

const dataDir = process.argv[2];
if (!dataDir) throw new Error('conformance-backend: give the data folder as the first argument');

const broken = process.env.CONFORMANCE_BREAK ?? '';
const store =
  broken === 'memory'
    ? new MemoryStore()
    : await openSqliteStore({ file: join(dataDir, 'payments.sqlite') });
const checkout = createCheckout({
  projectId: Number(env('ECOMMPAY_PROJECT_ID')),
  secretKey: env('ECOMMPAY_SECRET_KEY'),
  gateUrl: env('ECOMMPAY_GATE_URL'),
  paymentPageUrl: env('ECOMMPAY_PAYMENT_PAGE_URL'),
  publicUrl: env('PUBLIC_URL'),
  store,
  rateLimit: false,
});

/** The checkout with one thing broken, by `CONFORMANCE_BREAK`. */
function breakOne(whole: Checkout): Checkout {
  if (broken === 'media-type') {
    return Object.assign(Object.create(whole) as Checkout, {
      fetch: (request: Request, info?: { remoteAddress?: string }) => {
        if (!request.headers.get('content-type')?.startsWith('text/plain')) {
          return whole.fetch(request, info);
        }
        const headers = new Headers(request.headers);
        headers.set('content-type', 'application/json');
        return whole.fetch(
          new Request(request, { headers, body: request.body, duplex: 'half' } as RequestInit),
          info,
        );
      },
    });
  }
  if (broken === 'sse-id') {
    return Object.assign(Object.create(whole) as Checkout, {
      fetch: async (request: Request, info?: { remoteAddress?: string }) => {
        const answer = await whole.fetch(request, info);
        if (!answer.headers.get('content-type')?.startsWith('text/event-stream') || !answer.body) {
          return answer;
        }
        const drop = new TransformStream<string, string>({
          transform: (chunk, controller) => controller.enqueue(chunk.replace(/^id: .*\n/gm, '')),
        });
        const body = answer.body
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(drop)
          .pipeThrough(new TextEncoderStream());
        return new Response(body, { status: answer.status, headers: answer.headers });
      },
    });
  }
  return whole;
}

const server = createServer(toNodeHandler(breakOne(checkout)));
server.listen(Number(env('PORT')), '127.0.0.1', () =>
  console.log('conformance-backend: listening'),
);

process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void checkout.close().then(() => store.close());
});
