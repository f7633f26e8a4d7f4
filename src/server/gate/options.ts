/**
 * The options of `GateClient` (client.ts), each checked when the client is made: a wrong
 * project id, secret key, Gate URL, timeout or `fetch` is a `TypeError` naming the option,
 * at start-up rather than at the first payment. The key is never quoted.
 */
import { secretKeyProblem } from '../../ecommpay/keys.js';
import { describe } from '../../wire/problems.js';

export const DEFAULT_GATE_URL = 'https://api.ecommpay.com';
export const DEFAULT_GATE_TIMEOUT_MS = 15_000;

/** The longest delay `setTimeout` honours; a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export interface GateClientOptions {
  /** The ECommPay project id. */
  projectId: number;
  /**
   * The project's secret key: requests are signed with it, status answers verified. With a
   * Gate that is not a sandbox on this machine (`127.x.x.x`, `[::1]`, `localhost`), the
   * sandbox's public demo key and keys under 16 characters are refused (ecommpay/keys.ts).
   */
  secretKey: string;
  /** Gate's base URL (default `https://api.ecommpay.com`), or the sandbox's. */
  gateUrl?: string;
  /** How long a whole exchange (connect, send, read the answer) may take; default 15000. */
  timeoutMs?: number;
  /** A `fetch` to use instead of the global one (a proxy agent, instrumentation). */
  fetch?: typeof fetch;
}

/** The options, checked, defaults filled in: what a `GateClient` works with. */
export interface GateSettings {
  projectId: number;
  /** The base URL, without a trailing slash. */
  gateUrl: string;
  secretKey: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

/**
 * `options` checked, with their defaults.
 *
 * @throws TypeError naming the option that is wrong (never quoting the secret key).
 */
export function readGateClientOptions(options: GateClientOptions): GateSettings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('GateClient: options are required: { projectId, secretKey }');
  }
  const projectId = checkProjectId(options.projectId);
  const gateUrl = checkGateUrl(options.gateUrl ?? DEFAULT_GATE_URL);
  const secretKey = checkSecretKey(options.secretKey, gateUrl);
  const timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_GATE_TIMEOUT_MS);
  return {
    projectId,
    gateUrl,
    secretKey,
    timeoutMs,
    fetch: checkFetch(options.fetch ?? globalThis.fetch),
  };
}

/** An option's wrong value for a message: numbers and strings as they are, else their type. */
export function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return describe(value);
}

function checkProjectId(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new TypeError(
    `GateClient: projectId must be the ECommPay project id, a positive integer (got ${shown(value)})`,
  );
}

function checkSecretKey(value: unknown, gateUrl: string): string {
  // Never print the value: it may be a real key in the wrong place.
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(
      `GateClient: secretKey must be the project's secret key, a non-empty string (got ${value === '' ? 'an empty string' : typeof value})`,
    );
  }
  const problem = secretKeyProblem(value, gateUrl);
  if (problem) throw new TypeError(`GateClient: secretKey ${problem}`);
  return value;
}

function checkGateUrl(value: unknown): string {
  const problem = (what: string): TypeError =>
    new TypeError(
      `GateClient: gateUrl must be an http(s) base URL such as ${DEFAULT_GATE_URL}: ${what}`,
    );
  if (typeof value !== 'string') throw problem(`got ${shown(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem(`${JSON.stringify(value)} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw problem(`${JSON.stringify(value)} uses ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw problem(`${JSON.stringify(value)} has a query, a fragment or credentials`);
  }
  // Paths are appended to it: `https://gate/` and `https://gate` are the same base.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function checkTimeout(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_TIMEOUT_MS) {
    return value;
  }
  throw new TypeError(
    `GateClient: timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (got ${shown(value)})`,
  );
}

function checkFetch(value: unknown): typeof fetch {
  if (typeof value === 'function') return value as typeof fetch;
  throw new TypeError(
    'GateClient: no fetch available: run on Node >= 18, or pass one as options.fetch',
  );
}
