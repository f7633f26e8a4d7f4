/**
 * The one rule on the ECommPay secret key beyond "a non-empty string": the public demo key and
 * short keys only work against a sandbox on this machine. The demo key is printed in the docs,
 * the sandbox's help and the demo; a key of a few characters is guessed in minutes. Either one
 * with the real Gate would let anyone sign callbacks ("success") and Gate requests, so they are
 * refused when the checkout (its Gate client) is created, with a message that never shows the
 * key. The sandbox and the demo import the demo key from here, so the server never imports the
 * sandbox.
 */

/** The sandbox's and the demo's default secret key: public, for this machine only. */
export const DEMO_SECRET_KEY = 'sandbox-secret-key';

/** The shortest secret key accepted with a Gate that is not a local sandbox. */
export const MIN_SECRET_KEY_LENGTH = 16;

/** `127.x.x.x`, `[::1]` or `localhost`: this machine (the URL parser writes them so). */
const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/i;

/** Whether `url` is an http(s) URL of this machine, where only a sandbox would answer. */
export function isLoopbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    LOOPBACK_HOST.test(parsed.hostname)
  );
}

/**
 * What is wrong with `secretKey` for a Gate at `gateUrl`, as the end of a sentence starting
 * "secretKey …", or undefined. Never quotes the key.
 */
export function secretKeyProblem(secretKey: string, gateUrl: string): string | undefined {
  if (isLoopbackUrl(gateUrl)) return undefined;
  const where = `a Gate that is not a sandbox on this machine (${new URL(gateUrl).origin})`;
  if (secretKey.trim() === DEMO_SECRET_KEY) {
    return `is the public demo key of the sandbox, refused with ${where}: use your project's secret key from ECommPay`;
  }
  if (secretKey.length < MIN_SECRET_KEY_LENGTH) {
    return `is shorter than ${MIN_SECRET_KEY_LENGTH} characters, refused with ${where}: use your project's secret key from ECommPay`;
  }
  return undefined;
}
