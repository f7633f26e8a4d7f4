// A web-test-runner helper that runs the real merchant toolkit and the real ECommPay sandbox
// inside the test runner's process, so that browser tests drive the element end to end:
//
// - the checkout's routes are served under `/cup-qr/` by the dev server (a Koa middleware that
//   turns the Koa context into a Fetch `Request` and streams the `Response` back unbuffered,
//   which SSE needs);
// - the sandbox delivers its callbacks to the same checkout through a small `node:http`
//   listener on an ephemeral port (`toNodeHandler`);
// - a second project, whose platform sends EMVCo payloads as `qr_data` (`qrFormat: 'emv'`),
//   has its own checkout under `/cup-qr-emv/` (`?project=emv` on the test routes below);
// - `/__test__/…` routes let a browser test mint payloads (QR or Payment Page), act as the shopper's bank
//   (approve, decline, expire), count the sales that reached Gate, read the sale request the
//   sandbox received, and disturb the event stream (block it, duplicate every event, drop
//   open connections, or serve it from a second checkout on the same store and hub whose
//   streams live a moment only, so the browser's reconnect after a stream's lifetime is run).
//
// The TypeScript sources are imported through tsx, so nothing needs building first.
import { createServer } from 'node:http';
import { register } from 'tsx/esm/api';

const PROJECT_ID = 4242;
const SECRET_KEY = 'wtr-test-secret';
const PREFIX = '/cup-qr';
/** The project whose QR codes are EMVCo payloads, and the prefix of its checkout. */
const EMV_PROJECT_ID = 4243;
const EMV_SECRET_KEY = 'wtr-test-secret-emv';
const EMV_PREFIX = '/cup-qr-emv';
const TEST_PREFIX = '/__test__/';

export function checkoutServer({ qrTimeoutSeconds = 300 } = {}) {
  /** @type {Promise<Env> | undefined} */
  let starting;
  /** Open event-stream responses, with the payment they follow. */
  const streams = new Set();
  const flags = { blockSse: false, duplicateSse: false, shortStreams: false };
  /** Event streams opened, by payment id. */
  const opens = new Map();
  let orders = 0;
  /** Status events sent twice while `duplicateSse` was on. */
  let duplicated = 0;
  /** Every sale request sent to the sandbox's Gate, as sent, by payment id. */
  const sales = new Map();

  async function start() {
    register();
    const { startSandbox } = await import('../../src/sandbox/index.ts');
    const toolkit = await import('../../src/server/index.ts');
    let nodeHandler = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    const callbackServer = createServer((req, res) => nodeHandler(req, res));
    await new Promise((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    const callbackPort = callbackServer.address().port;
    const sandbox = await startSandbox({
      port: 0,
      projects: [
        {
          id: PROJECT_ID,
          secretKey: SECRET_KEY,
          callbackUrl: `http://127.0.0.1:${callbackPort}${PREFIX}/callback`,
        },
        {
          id: EMV_PROJECT_ID,
          secretKey: EMV_SECRET_KEY,
          callbackUrl: `http://127.0.0.1:${callbackPort}${EMV_PREFIX}/callback`,
          qrFormat: 'emv',
        },
      ],
      qrTimeoutSeconds,
    });
    const store = new toolkit.MemoryStore();
    const hub = new toolkit.MemoryHub();
    const options = {
      projectId: PROJECT_ID,
      secretKey: SECRET_KEY,
      gateUrl: sandbox.url,
      // Where the sandbox sends callbacks: the listener above, on the same checkout.
      publicUrl: `http://127.0.0.1:${callbackPort}`,
      store,
      hub,
      prefix: PREFIX,
      paymentPageUrl: `${sandbox.url}/payment`,
      // A dropped stream comes back within half a second (the browser's EventSource waits this).
      // Every browser test's streams come from 127.0.0.1: no cap per client address.
      streams: { retryMs: 500, maxPerClient: 10_000 },
      // Every browser test starts its payments from 127.0.0.1: over the default rate limit.
      rateLimit: false,
      // Records what the sandbox receives, so a test can check what the shopper typed got there.
      fetch: (input, init) => {
        if (String(input).endsWith('/v2/payment/cup/qr/sale') && typeof init?.body === 'string') {
          const sale = JSON.parse(init.body);
          sales.set(sale.general.payment_id, sale);
        }
        return fetch(input, init);
      },
    };
    const checkout = toolkit.createCheckout(options);
    // Streams that end at their first heartbeat, as every stream does after maxLifetimeMs.
    const shortCheckout = toolkit.createCheckout({
      ...options,
      streams: { ...options.streams, maxLifetimeMs: 1, heartbeatMs: 300 },
    });
    // The EMV project's own shop: its own store, the same sandbox.
    const emvCheckout = toolkit.createCheckout({
      ...options,
      projectId: EMV_PROJECT_ID,
      secretKey: EMV_SECRET_KEY,
      store: new toolkit.MemoryStore(),
      prefix: EMV_PREFIX,
    });
    const nodeHandlers = {
      main: toolkit.toNodeHandler(checkout),
      emv: toolkit.toNodeHandler(emvCheckout),
    };
    nodeHandler = (req, res) =>
      (req.url?.startsWith(`${EMV_PREFIX}/`) ? nodeHandlers.emv : nodeHandlers.main)(req, res);
    return { sandbox, checkout, shortCheckout, emvCheckout, hub, toolkit, callbackServer };
  }

  const env = () => (starting ??= start());

  async function mintPayload(url) {
    const { toolkit } = await env();
    orders++;
    // `?customer=id,email`: only those customer fields fixed (the element asks for the rest).
    const only = url.searchParams.get('customer')?.split(',');
    const order = {
      ref: `wtr-${Date.now().toString(36)}-${orders}`,
      amount: Number(url.searchParams.get('amount') ?? 30000),
      currency: 'CNY',
      description: url.searchParams.get('description') ?? '测试订单 Test order',
      customer: {
        id: `customer-${orders}`,
        first_name: '三',
        last_name: '张',
        phone: '8613800138000',
        email: 'shopper@example.com',
        zip: '100000',
        country: 'CN',
        city: '北京市',
        street: '长安街1号',
      },
      returnUrl: 'http://127.0.0.1/shop/thanks',
      // `?mode=payment-page`: the shop decides on ECommPay's Payment Page for this order.
      ...(url.searchParams.has('mode') ? { mode: url.searchParams.get('mode') } : {}),
    };
    if (only) {
      order.customer = Object.fromEntries(
        Object.entries(order.customer).filter(([field]) => only.includes(field)),
      );
    }
    const payload = await toolkit.createPayload(order, {
      secretKey: emvProject(url) ? EMV_SECRET_KEY : SECRET_KEY,
      ttlSeconds: Number(url.searchParams.get('ttl') ?? 600),
    });
    return { payload, order, projectId: emvProject(url) ? EMV_PROJECT_ID : PROJECT_ID };
  }

  async function handleTest(ctx) {
    const { sandbox } = await env();
    const url = new URL(ctx.url, 'http://wtr');
    const [action, id] = url.pathname.slice(TEST_PREFIX.length).split('/').map(decodeURIComponent);
    const projectId = emvProject(url) ? EMV_PROJECT_ID : PROJECT_ID;
    const send = (status, body) => {
      ctx.status = status;
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(body);
    };
    try {
      switch (action) {
        case 'payload':
          return send(200, await mintPayload(url));
        case 'approve':
          return send(200, await sandbox.control.approve(projectId, id));
        case 'decline': {
          // `?status=awaiting customer`: the platform's status of an attempt left unfinished.
          const status = url.searchParams.get('status');
          return send(200, await sandbox.control.decline(projectId, id, status ? { status } : {}));
        }
        case 'expire':
          return send(200, await sandbox.control.expire(projectId, id));
        case 'settled':
          await sandbox.control.settled();
          return send(200, {});
        case 'payment':
          return send(200, sandbox.control.payment(projectId, id) ?? null);
        case 'sale': {
          // The sale request the sandbox received, and the payment it made of it.
          const sale = sales.get(id);
          const payment = sandbox.control.payment(PROJECT_ID, id);
          return send(200, sale ? { request: sale, accepted: Boolean(payment) } : null);
        }
        case 'sale-requests':
          return send(200, { count: sandbox.control.saleRequests() });
        case 'streams':
          return send(200, {
            count: [...streams].filter((s) => !id || s.paymentId === id).length,
          });
        case 'stream-opens':
          return send(200, { count: opens.get(id) ?? 0 });
        case 'sse':
          if (url.searchParams.has('block')) flags.blockSse = url.searchParams.get('block') === '1';
          if (url.searchParams.has('duplicate')) {
            flags.duplicateSse = url.searchParams.get('duplicate') === '1';
          }
          if (url.searchParams.has('short'))
            flags.shortStreams = url.searchParams.get('short') === '1';
          return send(200, { ...flags, duplicated });
        case 'drop-streams': {
          const dropped = [...streams].filter((s) => !id || s.paymentId === id);
          for (const stream of dropped) stream.drop();
          return send(200, { dropped: dropped.length });
        }
        case 'pay-on-payment-page': {
          // The shopper on ECommPay's Payment Page: CUP QR is preselected, so pick a bank.
          const pageUrl = url.searchParams.get('url') ?? '';
          if (!pageUrl.startsWith(`${sandbox.url}/payment?`)) {
            return send(400, { error: { code: 'bad-url', message: pageUrl } });
          }
          const page = await (await fetch(pageUrl)).text();
          const q = /name="q" value="([^"]*)"/.exec(page)?.[1];
          if (!q) return send(500, { error: { code: 'no-form', message: page.slice(0, 500) } });
          const chosen = await fetch(`${sandbox.url}/payment/bank`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ q: unescapeHtml(q), bank: 'icbc' }).toString(),
            redirect: 'manual',
          });
          return send(200, { status: chosen.status });
        }
        case 'faults':
          sandbox.control.setFaults(JSON.parse((await readBody(ctx.req)).toString() || '{}'));
          return send(200, {});
        case 'reset':
          flags.blockSse = false;
          flags.duplicateSse = false;
          flags.shortStreams = false;
          duplicated = 0;
          sandbox.control.setFaults({});
          return send(200, {});
        default:
          return send(404, { error: { code: 'not_found', message: action } });
      }
    } catch (error) {
      return send(500, { error: { code: error?.code ?? 'test_error', message: String(error) } });
    }
  }

  /** Koa middleware: `/__test__/…` and the checkout's routes under `/cup-qr/`. */
  async function middleware(ctx, next) {
    if (ctx.path.startsWith(TEST_PREFIX)) return handleTest(ctx);
    const emv = ctx.path.startsWith(`${EMV_PREFIX}/`);
    if (!emv && ctx.path !== PREFIX && !ctx.path.startsWith(`${PREFIX}/`)) return next();
    const { checkout, shortCheckout, emvCheckout } = await env();
    const events = /\/payments\/([^/]+)\/events$/.exec(ctx.path);
    if (events && flags.blockSse) {
      ctx.status = 503;
      ctx.body = 'blocked by the test';
      return undefined;
    }
    // The response's 'close': the answer is done or the browser went away (a request's own
    // 'close' only means its body was read).
    const abort = new AbortController();
    ctx.res.once('close', () => abort.abort());
    const method = ctx.method;
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(ctx.req);
    const headers = new Headers();
    for (const [name, value] of Object.entries(ctx.request.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const request = new Request(new URL(ctx.url, `http://${ctx.host || '127.0.0.1'}`), {
      method,
      headers,
      body,
      signal: abort.signal,
    });
    const handler = emv ? emvCheckout : events && flags.shortStreams ? shortCheckout : checkout;
    const response = await handler.fetch(request, { remoteAddress: ctx.req.socket.remoteAddress });
    // Write straight to Node's response: Koa would buffer (and might compress) the body.
    ctx.respond = false;
    const res = ctx.res;
    const outHeaders = {};
    response.headers.forEach((value, name) => {
      outHeaders[name] = value;
    });
    res.writeHead(response.status, outHeaders);
    if (!response.body) {
      res.end();
      return undefined;
    }
    const reader = response.body.getReader();
    const isStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    const entry = isStream
      ? {
          paymentId: events ? decodeURIComponent(events[1]) : undefined,
          drop: () => {
            void reader.cancel().catch(() => {});
            res.destroy();
          },
        }
      : undefined;
    if (entry) {
      streams.add(entry);
      opens.set(entry.paymentId, (opens.get(entry.paymentId) ?? 0) + 1);
    }
    res.on('close', () => {
      if (entry) streams.delete(entry);
      void reader.cancel().catch(() => {});
    });
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!entry || !flags.duplicateSse) {
          res.write(value);
          continue;
        }
        // Every status event twice (whole frames, `id:` included), as a replaying server or a
        // misbehaving proxy would send it.
        pending += decoder.decode(value, { stream: true });
        const frames = pending.split('\n\n');
        pending = frames.pop() ?? '';
        for (const frame of frames) {
          const isStatus = frame.split('\n').includes('event: status');
          if (isStatus) duplicated++;
          res.write(isStatus ? `${frame}\n\n${frame}\n\n` : `${frame}\n\n`);
        }
      }
    } catch {
      // The client went away or the stream was dropped.
    } finally {
      res.end();
    }
    return undefined;
  }

  const plugin = {
    name: 'checkout-server',
    async serverStop() {
      if (!starting) return;
      const { sandbox, checkout, shortCheckout, emvCheckout, hub, callbackServer } = await starting;
      for (const stream of streams) stream.drop();
      await checkout.close();
      await shortCheckout.close();
      await emvCheckout.close();
      await hub.close();
      await sandbox.close();
      await new Promise((resolve) => callbackServer.close(resolve));
    },
  };

  return { middleware, plugin };
}

/** `?project=emv`: the test route is about the EMV project. */
function emvProject(url) {
  return url.searchParams.get('project') === 'emv';
}

function unescapeHtml(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A Node request's whole body. */
export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
