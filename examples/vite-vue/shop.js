// The shop's server behind the Vite dev server: the checkout's routes and one route that signs
// the page's order (GET /api/payload). Vite proxies both (vite.config.ts).
import { createServer } from 'node:http';
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

let orders = 0;
createServer((req, res) => {
  if (checkout.matches((req.url ?? '/').split('?')[0])) return routes(req, res);
  if (req.url === '/api/payload') {
    const payload = createPayload(
      {
        ref: `vite-${Date.now()}-${++orders}`,
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
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ payload }));
  }
  res.writeHead(404).end();
}).listen(Number(process.env.PORT ?? 8080), '127.0.0.1');
