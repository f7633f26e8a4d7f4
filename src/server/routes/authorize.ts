/**
 * The token check of a payment's stream, status and Payment Page link. An unknown payment and
 * a wrong token take the same path and get the same 403, so neither the answer nor the work
 * done says which payment ids exist: one store read, the token hashed and compared with a
 * fixed number of hashes (tokens.ts), no write.
 *
 * A right token's use is recorded in the store, at most once a minute, so that issuing tokens
 * for the same payment later never drops it while the shopper's page uses it (tokens.ts).
 */
import type { CheckoutContext } from '../context.js';
import { HttpError } from '../http.js';
import type { PaymentRecord } from '../store.js';
import { hashToken, TOKEN_TOUCH_INTERVAL_MS, tokenMatches } from '../tokens.js';

/** `?token=`, else `Authorization: Bearer …`. */
export function tokenOf(request: Request, url: URL): string | undefined {
  const query = url.searchParams.get('token');
  if (query) return query;
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  return match?.[1];
}

export async function authorizedPayment(
  ctx: CheckoutContext,
  paymentId: string,
  token: string | undefined,
): Promise<PaymentRecord> {
  if (!token) throw new HttpError(401, 'token-required', 'The payment token is required.');
  const payment = await ctx.store.getPayment(paymentId);
  if (!tokenMatches(token, payment?.tokenHashes) || !payment) {
    throw new HttpError(403, 'forbidden', 'No payment with this id and token.');
  }
  await touch(ctx, payment, hashToken(token));
  return payment;
}

/** Records the token's use when the last one stored is over a minute old. */
async function touch(ctx: CheckoutContext, payment: PaymentRecord, hash: string): Promise<void> {
  const now = ctx.now();
  const last = payment.tokenUse?.[hash];
  // Recent enough (or newer, by another instance's clock): nothing to write.
  if (last !== undefined && now - last < TOKEN_TOUCH_INTERVAL_MS) return;
  try {
    await ctx.store.touchToken(payment.paymentId, hash, now);
  } catch (error) {
    // The read is answered all the same: the token is valid, only its pin is not renewed.
    ctx.log('recording the use of a payment token failed', error);
  }
}
