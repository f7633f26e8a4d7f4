/** Payloads as the element reads them (unverified): their body written as the server writes it. */

/** Base64url of JSON, as a payload's body is written. */
export function encodeJson(value: unknown): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
