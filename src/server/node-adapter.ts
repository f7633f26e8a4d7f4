/**
 * The bridge from Node's `(req, res)` to the Web handler, like Hono's Node adapter: the request
 * becomes a `Request` (its body streamed, not buffered), the `Response` is written back chunk
 * by chunk with back-pressure, and when the client goes away the response body is cancelled,
 * which is what frees an SSE stream's subscription and timer.
 *
 * Express and Fastify may have read the body already: a Buffer or string `req.body` (from
 * `express.raw()` / `express.text()`) is used as it is; a parsed object is sent again as JSON,
 * which keeps ECommPay's signature valid (it covers values, not bytes) but loses the exact
 * text, so mount the checkout before `express.json()` or give it `express.raw()`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Checkout } from './checkout.js';

export interface NodeHandlerOptions {
  /** The origin used to build the request URL when no Host header came; default `http://localhost`. */
  origin?: string;
}

type NextFunction = (error?: unknown) => void;

/** Requests whose `body` a framework may have set. */
type MaybeParsed = IncomingMessage & { body?: unknown; originalUrl?: string };

function toRequest(req: MaybeParsed, origin: string, signal: AbortSignal): Request {
  const host = req.headers.host;
  const protocol = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const base = host ? `${protocol}://${host}` : origin;
  // Express rewrites `url` inside mounted routers; `originalUrl` is what the client asked.
  const url = new URL(req.originalUrl ?? req.url ?? '/', base);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const parsed = req.body;
    if (Buffer.isBuffer(parsed) || typeof parsed === 'string') {
      init.body = typeof parsed === 'string' ? parsed : new Uint8Array(parsed);
      headers.delete('content-length');
    } else if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) {
      init.body = JSON.stringify(parsed);
      headers.delete('content-length');
    } else {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
  }
  return new Request(url, init);
}

async function writeResponse(
  response: Response,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (!response.body) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  if (!/^text\/event-stream/i.test(response.headers.get('content-type') ?? '')) {
    // A whole answer (JSON, text): one write with its length, no chunked encoding.
    const body = Buffer.from(await response.arrayBuffer());
    headers['content-length'] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  // Headers now, not with the first chunk: an SSE client must see 200 before any event.
  res.flushHeaders();
  const reader = response.body.getReader();
  const cancel = (): void => {
    void reader.cancel().catch(() => {});
  };
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      if (res.destroyed) break;
    }
  } catch {
    /* the client went away mid-answer */
  } finally {
    signal.removeEventListener('abort', cancel);
    cancel();
    if (!res.writableEnded) res.end();
  }
}

/**
 * `(req, res, next?)` for `http.createServer`, Express (`app.use(handler)`) and Fastify
 * (`reply.hijack()` first). With `next`, requests outside the checkout's prefix are passed on.
 */
export function toNodeHandler(
  checkout: Checkout,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void {
  const origin = options.origin ?? 'http://localhost';
  return (req, res, next) => {
    const path = ((req as MaybeParsed).originalUrl ?? req.url ?? '/').split('?')[0];
    if (next && !checkout.matches(path)) {
      next();
      return;
    }
    const controller = new AbortController();
    // 'close' on the response fires when the answer is done or the client went away.
    res.once('close', () => controller.abort());
    void (async () => {
      const request = toRequest(req as MaybeParsed, origin, controller.signal);
      const response = await checkout.fetch(request, { remoteAddress: req.socket.remoteAddress });
      await writeResponse(response, res, controller.signal);
    })().catch((error: unknown) => {
      if (next) {
        next(error);
        return;
      }
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'Internal error.' } }));
      } else {
        res.destroy();
      }
    });
  };
}
