/**
 * The kit's HTTP client for the backend under test: whole answers (status, headers, text,
 * parsed JSON when it is JSON), any method, body and header, so a clause can send what a
 * browser would not (a wrong content type, a BOM, a body over the limit). And the checks every
 * error answer shares: its status, `{error: {code, message}}`, the JSON headers.
 */
import { check, shown } from './clause.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface SendOptions {
  /** A string is sent as it is; anything else as JSON (with `Content-Type: application/json`). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Abort after this many ms (default 20 s). */
  timeoutMs?: number;
}

export class BackendClient {
  constructor(
    /** `http://127.0.0.1:8080`: no trailing slash. */
    readonly baseUrl: string,
    /** `/cup-qr`: the routes' prefix, no trailing slash. */
    readonly prefix: string,
  ) {}

  /** The URL of `path` under the prefix. */
  url(path: string): string {
    return `${this.baseUrl}${this.prefix}${path}`;
  }

  async send(method: string, path: string, options: SendOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Uint8Array | undefined;
    if (typeof options.body === 'string' || options.body instanceof Uint8Array) {
      body = options.body;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
    }
    const attempt = (): Promise<Response> =>
      fetch(this.url(path), {
        method,
        headers,
        ...(body !== undefined ? { body: body as BodyInit } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
    let response: Response;
    try {
      response = await attempt();
    } catch (error) {
      // A kept-alive connection to a backend that has since restarted: it closed before the
      // request was written, so sending it again on a new connection is safe.
      if (!closedBeforeAnswer(error)) throw error;
      response = await attempt();
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer> {
    return this.send('POST', path, { body, ...(headers ? { headers } : {}) });
  }

  get(path: string, headers?: Record<string, string>): Promise<Answer> {
    return this.send('GET', path, headers ? { headers } : {});
  }
}

/** Whether `fetch` failed because the server closed a kept-alive connection under it. */
export function closedBeforeAnswer(error: unknown): boolean {
  const code = ((error as Error)?.cause as { code?: unknown } | undefined)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

/** The `{error}` of an answer, or undefined. */
export function errorOf(answer: Answer): { code?: unknown; message?: unknown; fields?: unknown } {
  const error = (answer.json as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
}

/** What an answer was, shortly: `400 bad-request` or `201`. */
export function described(answer: Answer): string {
  const code = errorOf(answer).code;
  return `${answer.status}${typeof code === 'string' ? ` ${code}` : ''}`;
}

/** Fails unless the answer carries the JSON headers of every JSON answer. */
export function checkJsonHeaders(answer: Answer): void {
  const type = answer.headers.get('content-type') ?? '';
  check(
    /^application\/json;\s*charset=utf-8$/i.test(type),
    `Content-Type ${shown(type)}, expected "application/json; charset=utf-8"`,
  );
  const cache = answer.headers.get('cache-control') ?? '';
  check(/\bno-store\b/i.test(cache), `Cache-Control ${shown(cache)}, expected "no-store"`);
}

/** Fails unless the answer is the error `code` with `status`, in the one error shape. */
export function checkError(answer: Answer, status: number, code: string): void {
  const error = errorOf(answer);
  check(
    answer.status === status && error.code === code,
    `expected ${status} ${code}, got ${described(answer)}${answer.json === undefined ? ` ${shown(answer.text, 80)}` : ''}`,
  );
  check(
    typeof error.message === 'string' && error.message.length > 0,
    `error.message missing in ${shown(answer.json)}`,
  );
  checkJsonHeaders(answer);
}

/** Fails unless the answer has `status` (any body); says what it was instead. */
export function checkStatus(answer: Answer, ...statuses: number[]): void {
  check(
    statuses.includes(answer.status),
    () =>
      `expected ${statuses.join(' or ')}, got ${described(answer)} ${shown(answer.json ?? answer.text, 120)}`,
  );
}

/** The `fields` entries of an error answer, as `path` → `rule` (rule `''` when absent). */
export function fieldRules(answer: Answer): Record<string, string> {
  const fields = errorOf(answer).fields;
  const rules: Record<string, string> = {};
  if (Array.isArray(fields)) {
    for (const field of fields as { path?: unknown; rule?: unknown }[]) {
      if (typeof field?.path === 'string') {
        rules[field.path] = typeof field.rule === 'string' ? field.rule : '';
      }
    }
  }
  return rules;
}
