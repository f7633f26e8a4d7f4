/**
 * Small helpers for the Web `Request -> Response` handlers: JSON answers, the one error body
 * shape `{error: {code, message, fields?}}`, and reading a body with a size limit (the limit
 * is enforced while reading, so a huge body is never held in memory) and a deadline (a body
 * trickled a byte at a time cannot hold a connection and its memory for long), as strict
 * UTF-8 and as JSON of a bounded depth.
 */
import type { ErrorBody, ErrorCode, FieldProblem } from '../wire/errors.js';

/**
 * What a runtime tells of a request's connection beside the `Request` itself: the second
 * argument of `checkout.fetch(request, info)`. The Node bridge fills it in; elsewhere pass
 * `{ remoteAddress }` yourself (or set `trustProxy`).
 */
export interface ConnectionInfo {
  /** The connection's remote address: the shopper's IP, unless `trustProxy` says otherwise. */
  remoteAddress?: string;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** How long a request body may take to arrive, from when the handler got the request. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** The deadline of each request's body, set by the router when the request comes in. */
const bodyDeadlines = new WeakMap<Request, { at: number; timeoutMs: number }>();

/**
 * Gives `request`'s body `timeoutMs` from now to arrive in full: {@link readText} then answers
 * 408 `request-timeout` (and `Connection: close`) past it. Without it, a body gets
 * {@link DEFAULT_BODY_TIMEOUT_MS} from when reading starts.
 */
export function setBodyDeadline(request: Request, timeoutMs: number): void {
  bodyDeadlines.set(request, { at: performance.now() + timeoutMs, timeoutMs });
}

/**
 * The deepest JSON a body may nest (objects and arrays). The deepest real message, a callback,
 * nests 4 levels; a limit keeps recursive walks (the signature's) far from the stack's end.
 */
export const MAX_JSON_DEPTH = 32;

const NO_STORE = { 'Cache-Control': 'no-store' };

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
  });
}

/** An error answer; the class carries it through the handlers to the router. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): Response {
    const body: ErrorBody = {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields && this.fields.length > 0 ? { fields: this.fields } : {}),
      },
    };
    return json(this.status, body, this.headers);
  }
}

/**
 * The body as UTF-8 text, refusing more than `maxBytes` (413) without reading the rest, a body
 * that has not arrived by its deadline (408, see {@link setBodyDeadline}), and bytes that are
 * not UTF-8 (400) rather than replacing them: what is verified (a callback's signature) and
 * stored must be what was sent.
 */
export async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return '';
  const deadline = bodyDeadlines.get(request) ?? {
    at: performance.now() + DEFAULT_BODY_TIMEOUT_MS,
    timeoutMs: DEFAULT_BODY_TIMEOUT_MS,
  };
  const reader = request.body.getReader();
  let late = false;
  // Cancelling ends the pending read at once (done); the Node bridge then drops the request.
  const timer = setTimeout(
    () => {
      late = true;
      void reader.cancel().catch(() => {});
    },
    Math.max(0, deadline.at - performance.now()),
  );
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (late) throw tooSlow(deadline.timeoutMs);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    throw late ? tooSlow(deadline.timeoutMs) : error;
  } finally {
    clearTimeout(timer);
  }
  try {
    return UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'bad-request', 'The body is not UTF-8 text.');
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The rest of a refused body is left unread, so the connection cannot serve another request:
 * `Connection: close` tells the client (a browser, a proxy) not to send one on it.
 */
function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'too-large', `The body is over ${maxBytes} bytes.`, [], {
    Connection: 'close',
  });
}

/** Like {@link tooLarge}: the rest of the body is not read, the connection not reused. */
function tooSlow(timeoutMs: number): HttpError {
  return new HttpError(
    408,
    'request-timeout',
    `The body did not arrive within ${Math.round(timeoutMs / 100) / 10} s.`,
    [],
    { Connection: 'close' },
  );
}

/**
 * JSON text as a value: 400 `bad-request` when it is not JSON or nests deeper than
 * {@link MAX_JSON_DEPTH}. `what` names the body in the message (`The callback is not JSON.`).
 */
export function parseJson(text: string, what = 'The body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? ` (${error.message})` : '';
    throw new HttpError(400, 'bad-request', `${what} is not JSON${reason}.`);
  }
  if (depthOver(value, MAX_JSON_DEPTH)) {
    throw new HttpError(
      400,
      'bad-request',
      `${what} nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.`,
    );
  }
  return value;
}

/** Whether `value` nests objects or arrays deeper than `max` (without recursion). */
export function depthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The body as a JSON object (400 otherwise). */
export async function readJsonObject(
  request: Request,
  maxBytes: number,
): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported-media-type', 'Send the body as application/json.');
  }
  const value = parseJson(await readText(request, maxBytes));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'bad-request', 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
