/**
 * In Chromium (Debian's, through playwright-core): the element's first render against an
 * empty Lit element's (the baseline), and the time from the QR status event to the QR code
 * painted, through the real flow: the page's element, a real checkout handler, the sandbox
 * sending the `awaiting customer action` callback.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startSandbox } from '../../src/sandbox/index.js';
import { createCheckout } from '../../src/server/checkout.js';
import { toNodeHandler } from '../../src/server/node-adapter.js';
import { createPayload } from '../../src/server/payload.js';
import { MemoryStore } from '../../src/server/stores/memory.js';
import { launchChromium } from '../../test/helpers/chromium.js';
import { TEST_CUSTOMER } from '../../test/helpers/customer.js';
import { PROJECT_ID, SECRET_KEY, summarize } from '../common.js';

export interface BrowserResult {
  runs: number;
  elementFirstRender: ReturnType<typeof summarize>;
  emptyLitFirstRender: ReturnType<typeof summarize>;
  qrPaint: ReturnType<typeof summarize>;
  frameMs: number;
}

interface PageBench {
  firstRender(tag: string): Promise<number>;
  qrPaint(payload: string, endpoint: string): Promise<{ ms: number; frameMs: number }>;
}

export async function benchBrowser(runs = 20): Promise<BrowserResult> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./entry.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    write: false,
    minify: true,
    target: 'es2022',
    // package.json marks only dist/ as having side effects; the src/ entry defines the element.
    ignoreAnnotations: true,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;

  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = await startSandbox({
    port: 0,
    projects: [{ id: PROJECT_ID, secretKey: SECRET_KEY, callbackUrl: `${url}/cup-qr/callback` }],
    qrTimeoutSeconds: 600,
    timeScale: 1,
  });
  const store = new MemoryStore();
  const checkout = createCheckout({
    projectId: PROJECT_ID,
    secretKey: SECRET_KEY,
    gateUrl: sandbox.url,
    publicUrl: url,
    store,
    // One page starts a payment per run, all from 127.0.0.1.
    rateLimit: false,
  });
  const api = toNodeHandler(checkout);
  server.on('request', (req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><html lang="zh-CN"><body><script type="module" src="/bench.js"></script></body></html>',
      );
    } else if (req.url === '/bench.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(script);
    } else {
      api(req, res);
    }
  });

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'bench' in window);
    const element: number[] = [];
    const empty: number[] = [];
    const paint: number[] = [];
    const frames: number[] = [];
    // One warm-up of each, not counted.
    for (let i = -1; i < runs; i++) {
      const e = await page.evaluate(
        (tag) => (window as unknown as { bench: PageBench }).bench.firstRender(tag),
        'cup-qr-checkout',
      );
      const b = await page.evaluate(
        (tag) => (window as unknown as { bench: PageBench }).bench.firstRender(tag),
        'bench-empty',
      );
      const payload = createPayload(
        {
          ref: `bench-browser-${Date.now()}-${i + 1}`,
          amount: 30000,
          currency: 'CNY',
          description: '机械键盘 keyboard',
          customer: { ...TEST_CUSTOMER },
          returnUrl: 'https://shop.example.com/thanks',
        },
        { secretKey: SECRET_KEY },
      );
      const q = await page.evaluate(
        ([p, endpoint]) => (window as unknown as { bench: PageBench }).bench.qrPaint(p, endpoint),
        [payload, `${url}/cup-qr`] as const,
      );
      if (i < 0) continue;
      element.push(e);
      empty.push(b);
      paint.push(q.ms);
      frames.push(q.frameMs);
    }
    return {
      runs,
      elementFirstRender: summarize(element),
      emptyLitFirstRender: summarize(empty),
      qrPaint: summarize(paint),
      frameMs: summarize(frames).p50,
    };
  } finally {
    await browser.close();
    await checkout.close();
    server.closeAllConnections();
    server.close();
    await sandbox.close();
  }
}
