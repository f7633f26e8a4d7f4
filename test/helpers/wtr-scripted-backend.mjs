// A web-test-runner helper: a tiny merchant backend that answers exactly what a browser test
// scripts, to show what the element does with a backend that breaks the wire protocol (states
// the element cannot use, on the stream or from polling). The real toolkit never sends such
// answers, so this one stands in for a buggy backend in another language.
//
// Under `/cup-qr-scripted` (the element's `endpoint`) it serves the protocol's three routes:
// - `POST /payments`: `script.created` as JSON (`{paymentId, token, state?}`);
// - `GET /payments/:id/events`: SSE with `retry: 100`, then the `script.frames` (raw `data:`
//   texts; the n-th has `id: n`) above the request's `Last-Event-ID`, then, with
//   `script.end`, the end of the stream (and `204` to a client that has them all, as a server
//   does after a final state), else the stream stays open; `script.streamStatus` answers with
//   that status instead (no stream: the element falls back to polling);
// - `GET /payments/:id`: the next of `script.statuses` (raw JSON texts; the last one repeats).
//
// `POST /__scripted__/script` (the script as JSON) starts over; `GET /__scripted__/counts`
// says what happened since: `{streamOpens, streamsOpen, statusGets}`.

import { readBody } from './wtr-checkout-server.mjs';

const PREFIX = '/cup-qr-scripted';
const CONTROL = '/__scripted__/';

export function scriptedBackend() {
  let script = {};
  let counts = { streamOpens: 0, statusGets: 0 };
  /** The responses of the event streams open now. */
  const open = new Set();

  function json(ctx, status, body) {
    ctx.status = status;
    ctx.type = 'application/json';
    ctx.body = typeof body === 'string' ? body : JSON.stringify(body);
  }

  function stream(ctx) {
    counts.streamOpens++;
    if (script.streamStatus) return json(ctx, script.streamStatus, { error: { code: 'blocked' } });
    const frames = script.frames ?? [];
    const last = Number(ctx.get('last-event-id') || 0);
    const due = frames.map((data, i) => ({ id: i + 1, data })).filter(({ id }) => id > last);
    if (script.end && due.length === 0) {
      ctx.status = 204;
      return undefined;
    }
    ctx.respond = false;
    const res = ctx.res;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('retry: 100\n\n');
    for (const { id, data } of due) res.write(`id: ${id}\nevent: status\ndata: ${data}\n\n`);
    if (script.end) {
      res.end();
      return undefined;
    }
    open.add(res);
    res.on('close', () => open.delete(res));
    return undefined;
  }

  async function middleware(ctx, next) {
    if (ctx.path === `${CONTROL}script`) {
      script = JSON.parse((await readBody(ctx.req)).toString() || '{}');
      counts = { streamOpens: 0, statusGets: 0 };
      for (const res of open) res.destroy();
      return json(ctx, 200, {});
    }
    if (ctx.path === `${CONTROL}counts`) {
      return json(ctx, 200, { ...counts, streamsOpen: open.size });
    }
    if (!ctx.path.startsWith(`${PREFIX}/`)) return next();
    const route = ctx.path.slice(PREFIX.length);
    if (ctx.method === 'POST' && route === '/payments') {
      await readBody(ctx.req);
      return json(ctx, 200, script.created ?? {});
    }
    if (ctx.method === 'GET' && /^\/payments\/[^/]+\/events$/.test(route)) return stream(ctx);
    if (ctx.method === 'GET' && /^\/payments\/[^/]+$/.test(route)) {
      const statuses = script.statuses ?? ['{}'];
      const body = statuses[Math.min(counts.statusGets, statuses.length - 1)];
      counts.statusGets++;
      return json(ctx, 200, body);
    }
    return json(ctx, 404, { error: { code: 'not-found', message: route } });
  }

  const plugin = {
    name: 'scripted-backend',
    serverStop() {
      for (const res of open) res.destroy();
    },
  };

  return { middleware, plugin };
}
