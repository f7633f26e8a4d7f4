/**
 * The backend's Gate URL points here (the "sandbox port" of the kit's options): a
 * pass-through to the kit's sandbox, which listens on a port of its own, that records each
 * request Gate gets (its path and body), so a clause can tell which sales a backend sent for
 * one payment while other clauses run at the same time (no second sale on a resume; the
 * sale's `customer.ip_address` is the request's, never the payload's).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface GateRequest {
  path: string;
  body: unknown;
}

export class GateRecorder {
  readonly #requests: GateRequest[] = [];
  /** Called on every recorded request (see {@link saleOf}). */
  readonly #waiters = new Set<() => void>();
  #server: Server | undefined;
  url = '';

  constructor(private readonly target: string) {}

  /** Listens on 127.0.0.1:`port` (0: a free one). */
  async start(port = 0): Promise<void> {
    const server = createServer((request, response) => {
      void this.#forward(request).then(
        ({ status, type, text }) => {
          response.writeHead(status, { 'Content-Type': type });
          response.end(text);
        },
        () => {
          response.writeHead(502, { 'Content-Type': 'text/plain' });
          response.end('the kit could not reach its sandbox');
        },
      );
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async #forward(
    request: IncomingMessage,
  ): Promise<{ status: number; type: string; text: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const path = request.url ?? '/';
    this.#requests.push({ path, body });
    for (const wake of this.#waiters) wake();
    const answer = await fetch(`${this.target}${path}`, {
      method: request.method ?? 'POST',
      headers: { 'Content-Type': request.headers['content-type'] ?? 'application/json' },
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: text }),
    });
    return {
      status: answer.status,
      type: answer.headers.get('content-type') ?? 'application/json',
      text: await answer.text(),
    };
  }

  /** The sale requests (`POST …/sale`) for `paymentId`, oldest first. */
  sales(paymentId: string): GateRequest[] {
    return this.#requests.filter(
      (r) =>
        r.path.endsWith('/sale') &&
        (r.body as { general?: { payment_id?: unknown } })?.general?.payment_id === paymentId,
    );
  }

  /** The first sale request for `paymentId`, as soon as it arrives; rejects after `timeoutMs`. */
  saleOf(paymentId: string, timeoutMs: number): Promise<GateRequest> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(look);
      };
      const look = (): void => {
        const sale = this.sales(paymentId)[0];
        if (!sale) return;
        done();
        resolve(sale);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no sale for ${paymentId} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#waiters.add(look);
      look();
    });
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
