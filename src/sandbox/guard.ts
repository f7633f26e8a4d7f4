/**
 * Which requests the sandbox serves. It has no authentication and is easy to expose (a phone on
 * the LAN reaches it with `SANDBOX_HOST=0.0.0.0`), so a web page the developer happens to visit
 * must not be able to use it through their browser:
 *
 * - **`Host`, against DNS rebinding.** A page on `evil.example` whose name is re-pointed at
 *   127.0.0.1 talks to the sandbox as its own origin and reads every answer. The sandbox answers
 *   only the names it is meant to be reached by: its listening host, `localhost`, `127.0.0.1`
 *   and `[::1]` with its port, `publicUrl`'s host, and `allowedHosts`. Anything else: 421.
 * - **Cross-site requests (CSRF).** A browser may change state only from the sandbox's own pages.
 *   `Sec-Fetch-Site` says where a request comes from (`same-origin`; `none` when the user typed
 *   it); a browser that does not send it sends `Origin`, which must then be a host the sandbox
 *   answers. A request with neither is not a browser's (curl, a merchant's server, a test) and
 *   is let through, as the toolkit's `Origin` check does: such a client could send any header.
 *   One request is let in from other sites on purpose ({@link isCrossSiteEntry}): the Payment
 *   Page's entry `POST /payment`, which merchant.js's `EPayWidget.run(config, 'POST')` posts
 *   from the merchant's page, another site by nature. It changes nothing: it checks the
 *   signed parameters and shows the first step, exactly as `GET /payment` does (which any site
 *   may link to). The payment is created only by `POST /payment/bank`, which still comes from
 *   the Payment Page itself, and only for what the merchant's signature covers.
 * - **JSON only** where a body is JSON ({@link isJsonMediaType}): a page may post `text/plain`,
 *   a form or a blob to any site without asking, but `application/json` cross-site only after a
 *   CORS preflight, which the sandbox never grants.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { normalizeOrigin } from '../shared/origin.js';

/** A `Host` (or an `Origin`'s host): the name, and the port when one is written. */
interface Authority {
  hostname: string;
  port?: string;
}

/** One name the sandbox answers, with the ports it answers it on (`undefined`: any). */
interface Allowed {
  hostname: string;
  /** `''` stands for a `Host` written without a port. */
  ports?: readonly string[];
}

const AUTHORITY = /^(\[[0-9a-f:.]+\]|[^\s:/?#@[\]\\]+)(?::(\d{1,5}))?$/;

/** `Localhost.:8090` as `{hostname: 'localhost', port: '8090'}`; undefined when it is no host. */
function readAuthority(value: string): Authority | undefined {
  const match = AUTHORITY.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const hostname = match[1].replace(/\.$/, '');
  if (hostname === '') return undefined;
  return match[2] === undefined ? { hostname } : { hostname, port: String(Number(match[2])) };
}

/**
 * An `allowedHosts` entry (`phone.local`, `192.168.1.20`, `sandbox.test:8443`); a name without
 * a port is answered on any port. Undefined for anything that is not a host.
 */
function readAllowedHost(entry: unknown): Allowed | undefined {
  if (typeof entry !== 'string') return undefined;
  const authority = readAuthority(entry);
  if (!authority) return undefined;
  return authority.port === undefined
    ? { hostname: authority.hostname }
    : { hostname: authority.hostname, ports: portsOf(authority.port, '80') };
}

/** Whether `entry` can be an `allowedHosts` entry: a host name or address, maybe with a port. */
export function isAllowedHostEntry(entry: unknown): boolean {
  return readAllowedHost(entry) !== undefined;
}

/** The port, and `''` when it is the default one (a `Host` may leave it out then). */
function portsOf(port: string, defaultPort: string): string[] {
  return port === defaultPort ? [port, ''] : [port];
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export interface HostRuleOptions {
  /** The address the sandbox listens on. */
  listenHost: string;
  /** The port it listens on (known once it listens). */
  port: number;
  publicUrl?: string;
  allowedHosts?: readonly string[];
}

/** The `Host` rule and the cross-site rule, built once the sandbox listens. */
export class RequestGuard {
  readonly #allowed: Allowed[] = [];
  /** What the refusals list: `127.0.0.1:8090, localhost:8090, …`. */
  readonly #shown: string[] = [];

  constructor(options: HostRuleOptions) {
    const port = String(options.port);
    const names = [options.listenHost, 'localhost', '127.0.0.1', '::1'].map(bracketed);
    for (const name of new Set(names.map((n) => n.toLowerCase()))) {
      this.#allowed.push({ hostname: name, ports: portsOf(port, '80') });
      this.#shown.push(`${name}:${port}`);
    }
    if (options.publicUrl !== undefined) {
      const url = new URL(options.publicUrl);
      const defaultPort = url.protocol === 'https:' ? '443' : '80';
      this.#allowed.push({
        hostname: url.hostname.toLowerCase(),
        ports: portsOf(url.port || defaultPort, defaultPort),
      });
      this.#shown.push(`${url.host} (publicUrl)`);
    }
    for (const entry of options.allowedHosts ?? []) {
      const allowed = readAllowedHost(entry);
      if (allowed) {
        this.#allowed.push(allowed);
        this.#shown.push(`${entry} (allowedHosts)`);
      }
    }
  }

  /** Whether `host` (a `Host` header, or an origin's `host`) is one the sandbox answers. */
  allowsHost(host: string | undefined): boolean {
    const authority = host === undefined ? undefined : readAuthority(host);
    if (!authority) return false;
    return this.#allowed.some(
      (allowed) =>
        allowed.hostname === authority.hostname &&
        (allowed.ports === undefined || allowed.ports.includes(authority.port ?? '')),
    );
  }

  /** Why the request's `Host` is refused, or `undefined` when it is answered. */
  hostRefusal(headers: IncomingHttpHeaders): string | undefined {
    const host = headers.host;
    if (this.allowsHost(host)) return undefined;
    const shown = host === undefined ? 'no Host header' : `Host ${quote(host)}`;
    return (
      `The sandbox answers only for ${this.#shown.join(', ')} (against DNS rebinding); ` +
      `the request has ${shown}. To reach it under another name, set publicUrl ` +
      '(CLI: SANDBOX_PUBLIC_URL) to the URL that phones and browsers use, or add the name to ' +
      'allowedHosts (CLI: SANDBOX_ALLOWED_HOSTS).'
    );
  }

  /**
   * Why a request that changes something is refused as cross-site, or `undefined` when it comes
   * from the sandbox's own pages or from a client that is not a browser.
   */
  crossSiteRefusal(headers: IncomingHttpHeaders): string | undefined {
    const site = single(headers['sec-fetch-site']);
    if (site !== undefined) {
      if (site === 'same-origin' || site === 'none') return undefined;
      return (
        `A browser sent this request from another site (Sec-Fetch-Site: ${quote(site)}). ` +
        "The sandbox takes forms and API calls from its own pages and from clients that aren't browsers."
      );
    }
    const origin = single(headers.origin);
    if (origin === undefined) return undefined;
    const normalized = normalizeOrigin(origin);
    if (normalized !== undefined && normalized !== 'null') {
      if (this.allowsHost(new URL(normalized).host)) return undefined;
    }
    return (
      `A browser sent this request from another site (Origin ${quote(origin)}). ` +
      "The sandbox takes forms and API calls from its own pages and from clients that aren't browsers."
    );
  }
}

/**
 * The requests other sites may send although they are not GETs: `POST /payment` only (see the
 * header). Everything else but GET, HEAD and OPTIONS passes {@link RequestGuard.crossSiteRefusal}.
 */
export function isCrossSiteEntry(method: string, path: string): boolean {
  return method === 'POST' && path === '/payment';
}

/**
 * `application/json`, or a `+json` type (`application/merchant+json`), with any parameters:
 * what a page of another site cannot send without a CORS preflight.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return (
    contentType !== undefined &&
    /^\s*application\/(?:[a-z0-9!#$&^_.-]+\+)?json\s*(?:;|$)/i.test(contentType)
  );
}

/** Why a JSON endpoint refuses the request's body type, or `undefined` when it is JSON. */
export function jsonBodyRefusal(
  headers: IncomingHttpHeaders,
  bodyRequired: boolean,
): string | undefined {
  const type = headers['content-type'];
  if (type === undefined) {
    const hasBody =
      headers['transfer-encoding'] !== undefined ||
      (headers['content-length'] !== undefined && headers['content-length'] !== '0');
    if (!bodyRequired && !hasBody) return undefined;
    return 'Send the body as application/json (the request has no Content-Type).';
  }
  if (isJsonMediaType(type)) return undefined;
  return `Send the body as application/json (got Content-Type ${quote(type)}).`;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Outside text in a message: quoted, and cut. */
function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
