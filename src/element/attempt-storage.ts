/**
 * What the element keeps in `sessionStorage`, so that a reload of the tab resumes the payment
 * instead of starting another (docs/wire-protocol.md, Tokens). One entry per payload and
 * endpoint: the live attempt's `{paymentId, token}`, or `{paymentId, paid: true}` once it was
 * paid (no token: it opens the payment's status and the shopper's details to whoever reads the
 * storage later). Storage may be blocked or hold a foreign value: then there is nothing to
 * resume, and nothing throws.
 */
import { prefixOf } from './merchant-api.js';

/** What the page needs to follow a payment; kept in `sessionStorage` to resume after a reload. */
export interface PaymentSession {
  paymentId: string;
  token: string;
}

/**
 * The payload's key: its MAC (the part after the dot) names it uniquely, with the endpoint,
 * since two shops on one origin may sign alike.
 */
export function storageKey(endpoint: string, payload: string): string {
  return `cup-qr-checkout:${prefixOf(endpoint)}:${payload.slice(payload.lastIndexOf('.') + 1)}`;
}

/** The entry under `key`, `{}` when there is none (or storage is blocked, or it is not JSON). */
function read(key: string): { paymentId?: unknown; token?: unknown; paid?: unknown } {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? '{}') ?? {};
  } catch {
    return {};
  }
}

/**
 * Keeps `entry` under `key` (`undefined`: forgets it): the live attempt's session, or the
 * token-less `{paymentId, paid: true}` of a paid one.
 */
export function keep(
  key: string,
  entry: PaymentSession | { paymentId: string; paid: true } | undefined,
): void {
  try {
    if (entry) sessionStorage.setItem(key, JSON.stringify(entry));
    else sessionStorage.removeItem(key);
  } catch {
    // Storage blocked: a reload starts a new attempt (or, once paid, asks for the details again).
  }
}

/** The live attempt stored under `key`. */
export function readLive(key: string): PaymentSession | undefined {
  const { paymentId, token } = read(key);
  return typeof paymentId === 'string' && typeof token === 'string'
    ? { paymentId, token }
    : undefined;
}

/** The payment id of a `{paymentId, paid: true}` entry. */
export function readPaid(key: string): string | undefined {
  const { paymentId, paid } = read(key);
  return typeof paymentId === 'string' && paid === true ? paymentId : undefined;
}
