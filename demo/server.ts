/**
 * The demo shop: a sample order paid with `<cup-qr-checkout>`, the merchant routes of the
 * toolkit under `/cup-qr/`, and (unless `ECOMMPAY_GATE_URL` points at the real Gate) the
 * ECommPay sandbox beside it. `npm start` runs this file; the end-to-end tests start it with
 * `startDemo()` on ephemeral ports.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PROJECT_ID } from '../src/cli/commands/sandbox.js';
import { DEMO_SECRET_KEY } from '../src/ecommpay/keys.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import {
  createCheckout,
  createPayload,
  DEFAULT_PAYMENT_PAGE_URL,
  openSqliteStore,
  toNodeHandler,
  type Checkout,
  type Store,
} from '../src/server/index.js';
import { bundleElement, type ElementBundles } from './bundle.js';
import { DEMO_PAGES, demoOrder, pageCsp, renderPage, STRICT_CSP, type DemoPage } from './pages.js';
import { serveStatic } from './static.js';

export interface DemoOptions {
  /** The shop's port; default 8080 (0: any free port). */
  port?: number;
  /** The sandbox's port; default 8090 (0: any free port). Unused with `gateUrl`. */
  sandboxPort?: number;
  host?: string;
  projectId?: number;
  secretKey?: string;
  /** The real Gate (`https://api.ecommpay.com`) or a sandbox started apart: no sandbox is started. */
  gateUrl?: string;
  /**
   * The Payment Page for `mode="payment-page"`; default ECommPay's own with the real Gate,
   * else `{gateUrl}/payment` (a sandbox started with `cup-qr-checkout sandbox`).
   */
  paymentPageUrl?: string;
  /** Where ECommPay reaches this shop; default `http://{host}:{port}`. */
  publicUrl?: string;
  /** The SQLite file's folder; default `./data`. */
  dataDir?: string;
  /** The sandbox's QR timeout in seconds; default 600. */
  qrTimeoutSeconds?: number;
  log?: (line: string) => void;
}

export interface Demo {
  url: string;
  sandbox?: Sandbox;
  checkout: Checkout;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** Reads `?lang=en` (default Chinese) and the shop's order cookie. */
function pageRequest(req: IncomingMessage): { url: URL; orderRef?: string } {
  const url = new URL(req.url ?? '/', 'http://demo.local');
  const cookie = /(?:^|;\s*)demo_order=([\w.-]{1,64})/.exec(req.headers.cookie ?? '');
  return { url, orderRef: cookie?.[1] };
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  csp = STRICT_CSP,
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const host = options.host ?? '127.0.0.1';
  const projectId = options.projectId ?? DEMO_PROJECT_ID;
  if (options.gateUrl && !options.secretKey) {
    // The demo key would only be refused by a real project: say what is missing instead.
    throw new Error(
      'ECOMMPAY_GATE_URL is set: set ECOMMPAY_SECRET_KEY (and ECOMMPAY_PROJECT_ID) too',
    );
  }
  const secretKey = options.secretKey ?? DEMO_SECRET_KEY;
  const log = options.log ?? (() => {});
  const dataDir = options.dataDir ?? 'data';
  mkdirSync(dataDir, { recursive: true });

  const bundles: ElementBundles = await bundleElement();
  const server = createServer();
  const port = await listen(server, options.port ?? 8080, host);
  const url = `http://${host}:${port}`;
  const publicUrl = options.publicUrl ?? url;

  let sandbox: Sandbox | undefined;
  let gateUrl = options.gateUrl;
  if (!gateUrl) {
    sandbox = await startSandbox({
      port: options.sandboxPort ?? 8090,
      host,
      projects: [{ id: projectId, secretKey, callbackUrl: `${publicUrl}/cup-qr/callback` }],
      qrTimeoutSeconds: options.qrTimeoutSeconds,
      merchantName: '示例商店 Demo Shop',
    });
    // This process's own sandbox: on loopback when it listens on every address, where the
    // toolkit accepts the demo key (keys.ts).
    const everywhere = host === '0.0.0.0' || host === '::';
    gateUrl = everywhere ? `http://127.0.0.1:${new URL(sandbox.url).port}` : sandbox.url;
  }

  const store: Store = await openSqliteStore({ file: join(dataDir, 'payments.sqlite') });
  const paymentPageUrl = options.paymentPageUrl ?? paymentPageFor(gateUrl);
  const paymentPageOrigin = new URL(paymentPageUrl ?? DEFAULT_PAYMENT_PAGE_URL).origin;
  const checkout = createCheckout({
    projectId,
    secretKey,
    gateUrl,
    publicUrl,
    store,
    paymentPageUrl,
    log: (message, error) => log(`[checkout] ${message}${error ? ` (${String(error)})` : ''}`),
  });
  const checkoutHandler = toNodeHandler(checkout);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { url: pageUrl, orderRef } = pageRequest(req);
    if (checkout.matches(pageUrl.pathname)) {
      checkoutHandler(req, res);
      return;
    }
    if (serveStatic(pageUrl.pathname, bundles, res)) return;
    const page: DemoPage | undefined = DEMO_PAGES.find((p) => p.path === pageUrl.pathname);
    if (!page || req.method !== 'GET') {
      send(res, 404, 'text/plain; charset=utf-8', 'Not found / 未找到');
      return;
    }
    // One order per visitor until "new order": a reload pays the same order, never a second one.
    const ref = pageUrl.searchParams.has('new') || !orderRef ? newOrderRef() : orderRef;
    const english = pageUrl.searchParams.get('lang') === 'en';
    const order = demoOrder(
      `${ref}${page.refSuffix ?? ''}`,
      publicUrl,
      english,
      page.mode,
      page.askCustomer,
    );
    const payload = createPayload(order, { secretKey, ttlSeconds: 3600 });
    res.setHeader('Set-Cookie', `demo_order=${ref}; Path=/; SameSite=Lax; HttpOnly`);
    send(
      res,
      200,
      'text/html; charset=utf-8',
      renderPage(page, { payload, order, english, sandboxUrl: sandbox?.url }),
      pageCsp(page, paymentPageOrigin),
    );
  });

  return {
    url,
    sandbox,
    checkout,
    async close() {
      await checkout.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sandbox?.close();
      await store.close();
    },
  };
}

/** ECommPay's Payment Page for its Gate; a sandbox serves its own at `/payment`. */
function paymentPageFor(gateUrl: string): string | undefined {
  return new URL(gateUrl).hostname === 'api.ecommpay.com'
    ? undefined
    : `${gateUrl.replace(/\/+$/, '')}/payment`;
}

function newOrderRef(): string {
  return `demo-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** `npm start`: the configuration from the environment, both URLs printed. */
async function main(): Promise<void> {
  const env = process.env;
  const number = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 0) {
      throw new Error(`${name} must be a whole number (got ${JSON.stringify(value)})`);
    }
    return parsed;
  };
  const demo = await startDemo({
    port: number('PORT', 8080),
    sandboxPort: number('SANDBOX_PORT', 8090),
    host: env.HOST || '127.0.0.1',
    projectId: env.ECOMMPAY_PROJECT_ID ? number('ECOMMPAY_PROJECT_ID', DEMO_PROJECT_ID) : undefined,
    secretKey: env.ECOMMPAY_SECRET_KEY || undefined,
    gateUrl: env.ECOMMPAY_GATE_URL || undefined,
    paymentPageUrl: env.ECOMMPAY_PAYMENT_PAGE_URL || undefined,
    publicUrl: env.PUBLIC_URL || undefined,
    dataDir: env.DATA_DIR || undefined,
    qrTimeoutSeconds: env.SANDBOX_QR_TIMEOUT ? number('SANDBOX_QR_TIMEOUT', 600) : undefined,
    log: (line) => console.log(line),
  });
  console.log(`Demo shop:        ${demo.url}/   (English: ${demo.url}/?lang=en)`);
  console.log(
    `  other pages:    ${DEMO_PAGES.filter((p) => p.path !== '/')
      .map((p) => `${demo.url}${p.path}`)
      .join('  ')}`,
  );
  if (demo.sandbox) {
    console.log(
      `ECommPay sandbox: ${demo.sandbox.url}   (project ${env.ECOMMPAY_PROJECT_ID || DEMO_PROJECT_ID})`,
    );
  } else {
    console.log(
      `ECommPay Gate:    ${env.ECOMMPAY_GATE_URL} (real platform; callbacks to ${env.PUBLIC_URL || demo.url}/cup-qr/callback)`,
    );
  }
  console.log('Press Ctrl-C to stop.');
  const stop = (): void => {
    void demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(`demo: ${(error as Error).message}`);
    process.exit(1);
  });
}
