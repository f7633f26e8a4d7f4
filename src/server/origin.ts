/**
 * Who may start a payment from a browser: the `Origin` check of `POST /payments` and
 * `POST /payment-page`.
 *
 * Browsers send `Origin` on every cross-origin request and on every same-origin POST, and a
 * page cannot forge it. A foreign `Origin` therefore means a page of another site is using
 * this checkout through the shopper's browser (a copied payload on a phishing page, a
 * cross-site form): refused, 403 `origin-refused`, before the body is read.
 *
 * Allowed: the request's own origin (the page and the routes on one site, which is how the
 * element calls them), the origin of `publicUrl`, and whatever `allowedOrigins` lists.
 *
 * A request without `Origin` is let through on purpose: it comes from a non-browser client
 * (curl, a server-to-server call, a test), which could send any `Origin` it liked, so refusing
 * it would stop no one. Such clients are what the rate limit and the signed payload are for.
 */
import { normalizeOrigin } from '../shared/origin.js';
import { HttpError } from './http.js';

/**
 * - a list of exact origins (`https://shop.example`, `https://m.shop.example:8443`), added to
 *   the origin of `publicUrl` and the request's own origin;
 * - a function, for patterns (`(origin) => origin.endsWith('.shop.example')`): it decides alone,
 *   beside the request's own origin.
 */
export type AllowedOrigins = readonly string[] | ((origin: string) => boolean);

/**
 * The check, built once by `createCheckout`. Throws a `TypeError` for an entry that is not an
 * origin (`https://host[:port]`, no path), so a typo fails at start-up, not at checkout.
 */
export function originCheck(
  publicUrl: string,
  allowed: AllowedOrigins | undefined,
): (request: Request) => void {
  let isAllowed: (origin: string) => boolean;
  if (typeof allowed === 'function') {
    isAllowed = (origin) => allowed(origin) === true;
  } else {
    const list = new Set<string>([new URL(publicUrl).origin]);
    for (const entry of allowed ?? []) {
      const origin = typeof entry === 'string' ? normalizeOrigin(entry) : undefined;
      if (!origin) {
        throw new TypeError(
          `createCheckout: allowedOrigins: ${JSON.stringify(entry)} is not an origin ` +
            '(scheme://host[:port], no path)',
        );
      }
      list.add(origin);
    }
    isAllowed = (origin) => list.has(origin);
  }

  return (request) => {
    const header = request.headers.get('origin');
    if (header === null) return;
    // Same-origin: the page was served by the host this request went to.
    if (header === new URL(request.url).origin) return;
    const origin = normalizeOrigin(header) ?? header;
    if (isAllowed(origin)) return;
    const shown = origin.length > 200 ? `${origin.slice(0, 200)}…` : origin;
    throw new HttpError(
      403,
      'origin-refused',
      `Payments cannot be started from ${JSON.stringify(shown)}; the shop allows its own pages ` +
        'only. A page of yours on another origin (a dev server whose proxy rewrites Host, such as ' +
        "Vite's changeOrigin) goes in createCheckout's allowedOrigins.",
    );
  };
}
