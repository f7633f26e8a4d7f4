/**
 * The token check of a payment's stream, status and Payment Page link. An unknown payment and
 * a wrong token get the same 403, so the answer does not say which payment ids exist.
 */
import type { CheckoutContext } from '../context.js';
import { HttpError } from '../http.js';
import type { PaymentRecord } from '../store.js';
import { tokenMatches } from '../tokens.js';

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
  // The hash is compared even for an unknown payment, so both cost the same time.
  const ok = tokenMatches(token, payment?.tokenHashes ?? ['00'.repeat(32)]);
  if (!payment || !ok) {
    throw new HttpError(403, 'forbidden', 'No payment with this id and token.');
  }
  return payment;
}
