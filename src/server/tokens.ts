/**
 * Payment tokens: 256 random bits, handed to the element once and stored only as SHA-256, so
 * a copy of the database opens no stream. A presented token is hashed and compared with every
 * stored hash in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How many tokens of one payment stay valid (one per `POST /payments` of its payload). */
export const TOKENS_KEPT = 16;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenMatches(token: string, hashes: readonly string[]): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  let match = false;
  // Every hash is compared, so the time taken says neither which one matched nor how many.
  for (const hash of hashes) {
    const stored = Buffer.from(hash, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) match = true;
  }
  return match;
}
