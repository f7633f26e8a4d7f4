/**
 * An origin as browsers send it and as settings name it, in one written form: the toolkit's
 * `Origin` check (server/origin.ts) and the sandbox's guards (its callback URLs, the pages of
 * other sites it refuses) compare origins through it, so both read `https://Shop.Example:443/`
 * as `https://shop.example`.
 */

/** `https://Shop.Example:443/` as `https://shop.example`; undefined for anything else. */
export function normalizeOrigin(value: string): string | undefined {
  if (value === 'null') return 'null';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  if (url.pathname !== '/' && url.pathname !== '') return undefined;
  return url.origin;
}
