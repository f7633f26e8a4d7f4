// A plain HTML page with the classic script, as a CMS page would have it: the server mints the
// order's payload into the page, serves the script from the installed package (its exported
// path), and the checkout's routes.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCheckout, createPayload, MemoryStore, toNodeHandler } from 'cup-qr-checkout/server';

const secretKey = process.env.ECOMMPAY_SECRET_KEY;
const checkout = createCheckout({
  projectId: Number(process.env.ECOMMPAY_PROJECT_ID),
  secretKey,
  gateUrl: process.env.ECOMMPAY_GATE_URL,
  publicUrl: process.env.PUBLIC_URL ?? 'https://shop.example',
  store: new MemoryStore(), // openSqliteStore({ file }) for real
  log: console.error,
});
const routes = toNodeHandler(checkout);

// The script and its companions (the QR encoder, the customer form, the image export, the English words…:
// loaded on demand from beside it) are the files of the package's dist/ folder.
const script = fileURLToPath(import.meta.resolve('cup-qr-checkout/dist/cup-qr-checkout.min.js'));
const dist = dirname(script);
const page = await readFile(new URL('index.html', import.meta.url), 'utf8');
const escapeAttribute = (text) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

let orders = 0;
function orderPayload() {
  return createPayload(
    {
      ref: `classic-${Date.now()}-${++orders}`,
      amount: 30000,
      description: '机械键盘',
      customer: {
        id: 'c-77',
        first_name: '倩文',
        last_name: '伍',
        phone: '13632264147',
        email: 'wu@example.com',
        zip: '100022',
        country: 'CN',
        city: '北京',
        street: '建国路88号',
      },
      returnUrl: 'https://shop.example/thanks',
    },
    { secretKey },
  );
}

createServer(async (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (checkout.matches(path)) return routes(req, res);
  // Only names of the package's own shape: nothing else of the disk is reachable.
  const bundled = /^\/assets\/(cup-qr-checkout\.[a-z]+\.js)$/.exec(path)?.[1];
  const file = bundled
    ? join(dist, bundled)
    : path === '/assets/page.js'
      ? new URL('page.js', import.meta.url)
      : undefined;
  const body = file && (await readFile(file).catch(() => undefined));
  if (body) {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    return res.end(body);
  }
  if (path === '/') {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'self'; require-trusted-types-for 'script'; trusted-types lit-html",
    });
    return res.end(page.replace('{{payload}}', escapeAttribute(orderPayload())));
  }
  res.writeHead(404).end();
}).listen(Number(process.env.PORT ?? 8080), '127.0.0.1');
