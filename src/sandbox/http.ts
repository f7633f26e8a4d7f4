/**
 * The few HTTP helpers the sandbox's routes share: reading a body under a size limit, and
 * writing JSON, HTML and redirects with the headers every answer carries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * A body past the limit is still read (and dropped) up to this many times the limit, so the
 * client gets the 413 instead of a reset connection; past that, the connection is cut.
 */
const DRAIN_FACTOR = 16;

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too-large' };

/** The whole body as UTF-8, or `too-large` when it is over `maxBytes`. */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > maxBytes;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > maxBytes * DRAIN_FACTOR) {
          resolve({ ok: false, reason: 'too-large' });
          request.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (tooLarge) resolve({ ok: false, reason: 'too-large' });
      else resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
    request.on('error', reject);
  });
}

/**
 * The content security policy of every page: no scripts at all, styles from the sandbox's own
 * stylesheet, forms posting back to the sandbox.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'";

/**
 * The Payment Page's: the same, plus the sandbox's own scripts (no inline one): a framed page
 * tells merchant.js's page the outcome (pages.ts, merchant-js.ts).
 */
export const PAYMENT_PAGE_CSP = `${PAGE_CSP}; script-src 'self'`;

/**
 * No page of another site may frame it (clickjacking: a transparent bank-app page over a
 * "claim your prize" button). Sent with every answer but the Payment Page's.
 */
const NOT_FRAMEABLE = { csp: "frame-ancestors 'none'", header: { 'X-Frame-Options': 'DENY' } };

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': `default-src 'none'; ${NOT_FRAMEABLE.csp}`,
    ...NOT_FRAMEABLE.header,
  });
  response.end(text);
}

/**
 * An HTML page. `payment-page` is for the Payment Page only: ECommPay's is embedded in the
 * merchant's page in a frame (merchant.js, the seed's EPayWidget flow; the element's
 * `payment-page-target="embedded"`), so it leaves framing open and may run the sandbox's own
 * script. Every other page (the bank app above all) refuses frames and runs none.
 */
export function sendHtml(
  response: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string> = {},
  kind: 'page' | 'payment-page' = 'page',
): void {
  const frameable = kind === 'payment-page';
  response.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': frameable ? PAYMENT_PAGE_CSP : `${PAGE_CSP}; ${NOT_FRAMEABLE.csp}`,
    'X-Content-Type-Options': 'nosniff',
    // Not `no-referrer`: with it, a browser sends `Origin: null` on the pages' own form posts,
    // and one without `Sec-Fetch-Site` could not tell them from a cross-site post (guard.ts).
    // `same-origin` still sends nothing to other sites (the merchant's return URL).
    'Referrer-Policy': 'same-origin',
    ...(frameable ? {} : NOT_FRAMEABLE.header),
    ...headers,
  });
  response.end(html);
}

/** A stylesheet or script of the sandbox's own, for its pages and for merchants' pages. */
export function sendAsset(
  response: ServerResponse,
  type: 'text/css' | 'text/javascript',
  text: string,
): void {
  response.writeHead(200, {
    'Content-Type': `${type}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'max-age=300',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(text);
}

/** 303: after a form's POST, the browser GETs `location`. */
export function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  response.end();
}

/** A JSON body as a value, or `undefined` when it is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch {
    return { ok: false };
  }
}
