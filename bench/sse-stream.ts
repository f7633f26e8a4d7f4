/**
 * A minimal SSE reader for many streams at once: one socket each (no pool), events split on
 * the blank line, heartbeats counted. Lighter than fetch + a full parser, so the client side
 * of the benchmark stays cheap next to the server it measures.
 */
import { request, type ClientRequest } from 'node:http';

export interface BenchStream {
  /** Resolves with the HTTP status once the headers are in. */
  opened: Promise<number>;
  pings: number;
  close(): void;
}

export interface StreamHandlers {
  /** Every event's `data:` text, with the time it arrived (performance.now()). */
  onEvent?(data: string, at: number): void;
  onPing?(): void;
}

export function openStream(url: string, handlers: StreamHandlers = {}): BenchStream {
  let req: ClientRequest;
  const stream: BenchStream = {
    opened: new Promise((resolve, reject) => {
      req = request(url, { agent: false, headers: { Accept: 'text/event-stream' } }, (res) => {
        resolve(res.statusCode ?? 0);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith(':')) {
              stream.pings++;
              handlers.onPing?.();
              continue;
            }
            const data = /^data: (.*)$/m.exec(block);
            if (data) handlers.onEvent?.(data[1], at);
          }
        });
        res.on('error', () => {});
      });
      req.on('error', reject);
      req.end();
    }),
    pings: 0,
    close() {
      req.destroy();
    },
  };
  return stream;
}
