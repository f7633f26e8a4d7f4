/**
 * Where the sandbox may send a payment's callbacks. A Gate sale names its own
 * `general.merchant_callback_url`, a Payment Page link its `merchant_callback_url`; left open,
 * anyone who can get a sale to the sandbox (the demo key is public) makes it POST to any URL it
 * can reach: an internal service, a router's admin page, a port scan with a delivery log.
 *
 * So a request's callback URL is used only when its origin is the one of the project's
 * `callbackUrl` (another path on the shop is fine), or one the project lists in
 * `callbackOrigins`, or when the project sets `allowAnyCallbackUrl`. Otherwise the sale is
 * refused with a field error naming those options; nothing is created.
 */
import { normalizeOrigin } from '../shared/origin.js';
import type { SandboxProject } from './types.js';

/** `https://Shop.Example:443` as `https://shop.example`; undefined for what is not an origin. */
export function callbackOrigin(entry: unknown): string | undefined {
  if (typeof entry !== 'string') return undefined;
  const origin = normalizeOrigin(entry);
  return origin === 'null' ? undefined : origin;
}

/** Why `url` may not receive the project's callbacks, or `undefined` when it may. */
export function callbackUrlRefusal(project: SandboxProject, url: string): string | undefined {
  if (project.allowAnyCallbackUrl === true) return undefined;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return 'an absolute http(s) URL';
  }
  const own = project.callbackUrl === undefined ? undefined : new URL(project.callbackUrl).origin;
  if (origin === own) return undefined;
  if ((project.callbackOrigins ?? []).some((entry) => callbackOrigin(entry) === origin)) {
    return undefined;
  }
  return (
    `${origin} is not where project ${project.id} sends callbacks ` +
    `(${own === undefined ? 'it has no callbackUrl' : `its callbackUrl is on ${own}`}): list the ` +
    "origin in the project's callbackOrigins (CLI: SANDBOX_CALLBACK_ORIGINS), or set " +
    'allowAnyCallbackUrl: true (CLI: SANDBOX_CALLBACK_ORIGINS=*)'
  );
}
