/**
 * `GET /payments/:id/events?token=…`: the payment's SSE stream. The current state is sent on
 * every (re)connect unless the client already has it (Last-Event-ID); a client that has the
 * final state gets 204, which makes `EventSource` stop reconnecting.
 */
import { isTerminal } from '../../protocol/status.js';
import type { CheckoutContext } from '../context.js';
import { HttpError } from '../http.js';
import { authorizedPayment, tokenOf } from './authorize.js';

function lastEventId(request: Request): number {
  const header = request.headers.get('last-event-id')?.trim() ?? '';
  return /^\d{1,15}$/.test(header) ? Number(header) : -1;
}

export async function handleEvents(
  ctx: CheckoutContext,
  request: Request,
  url: URL,
  paymentId: string,
): Promise<Response> {
  const payment = await authorizedPayment(ctx, paymentId, tokenOf(request, url));
  const lastSeq = lastEventId(request);
  if (isTerminal(payment.status) && lastSeq >= payment.seq) {
    return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
  }
  if (!ctx.streams.hasRoom(paymentId)) {
    throw new HttpError(429, 'too-many-streams', 'Too many open streams; try again shortly.', [], {
      'Retry-After': '5',
    });
  }
  return ctx.streams.open(paymentId, lastSeq, () => ctx.store.getPayment(paymentId));
}
