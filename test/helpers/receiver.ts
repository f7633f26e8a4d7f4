/**
 * A real HTTP callback receiver for tests: records every POST, verifies its signature with the
 * foundation's `verify`, answers with the status the test chooses (200 by default), and lets
 * a test await a condition on what arrived, event by event, instead of sleeping.
 * Any GET gets a small HTML page (a merchant's "thank you" page for return URLs).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../src/ecommpay/signature.js';

export interface ReceivedCallback {
  /** 0 for the first POST received. */
  index: number;
  path: string;
  body: Record<string, unknown>;
  /** The raw body text. */
  text: string;
  /** `verify(body, secretKey)`. */
  verified: boolean;
  /** The HTTP status the receiver answered with. */
  answered: number;
  headers: IncomingHttpHeaders;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `${url}/callback`. */
  callbackUrl: string;
  received: ReceivedCallback[];
  /** The paths GET requests asked for (return URLs followed by a browser). */
  visited: string[];
  /** Decides the status of each POST; default 200. */
  answer: (callback: { index: number; body: Record<string, unknown> }) => number;
  /**
   * Resolves with all received callbacks once `predicate` holds (checked now and on each
   * arrival); rejects after `timeoutMs` (a guard against a hung test, not a wait).
   */
  waitFor(
    predicate: (received: ReceivedCallback[]) => boolean,
    what?: string,
    timeoutMs?: number,
  ): Promise<ReceivedCallback[]>;
  /** Resolves once a GET for `path` arrived. */
  waitForVisit(path: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(secretKey: string): Promise<Receiver> {
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  const receiver: Receiver = {
    url: '',
    callbackUrl: '',
    received: [],
    visited: [],
    answer: () => 200,
    waitFor(predicate, what = 'a condition on the callbacks', timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate(receiver.received)) return;
          listeners.delete(check);
          clearTimeout(guard);
          resolve(receiver.received);
        };
        const guard = setTimeout(() => {
          listeners.delete(check);
          const seen = receiver.received.map((c) => statusOf(c.body)).join(', ');
          reject(new Error(`timed out waiting for ${what}; received: [${seen}]`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    waitForVisit(path, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!receiver.visited.includes(path)) return;
          listeners.delete(check);
          clearTimeout(guard);
          resolve();
        };
        const guard = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for a visit to ${path}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://receiver').pathname;
    if (request.method === 'GET') {
      receiver.visited.push(path);
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>Merchant</title><h1>Thank you</h1>');
      notify();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Recorded as an empty body; the test's assertions will say so.
      }
      const index = receiver.received.length;
      const answered = receiver.answer({ index, body });
      receiver.received.push({
        index,
        path,
        body,
        text,
        verified: verify(body, secretKey),
        answered,
        headers: request.headers,
      });
      response.writeHead(answered, { 'Content-Type': 'text/plain' });
      response.end(answered === 200 ? 'OK' : 'not now');
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.callbackUrl = `${receiver.url}/callback`;
  return receiver;
}

/** `payment.status` of a callback, for messages and filters. */
export function statusOf(body: Record<string, unknown>): string {
  return String((body.payment as { status?: unknown } | undefined)?.status);
}

/** The callbacks of one payment. */
export function callbacksOf(received: ReceivedCallback[], paymentId: string): ReceivedCallback[] {
  return received.filter((c) => (c.body.payment as { id?: unknown } | undefined)?.id === paymentId);
}
