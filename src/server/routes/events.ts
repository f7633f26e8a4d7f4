/**
 * `GET /payments/:id/events?token=…`: the payment's SSE stream. The current state is sent on
 * every (re)connect unless the client already has it (Last-Event-ID); a client that has the
 * final state gets 204, which makes `EventSource` stop reconnecting. Over a stream cap (per
 * payment, per client address, in all): 429 `too-many-streams`.
 */
import { isTerminal } from '../../wire/status.js';
import { clientKey } from '../client-ip.js';
import type { CheckoutContext } from '../context.js';
import { HttpError, type ConnectionInfo } from '../http.js';
import { logText } from '../../shared/log-text.js';
import type { StreamCap } from '../sse.js';
import { authorizedPayment, tokenOf } from './authorize.js';

function lastEventId(request: Request): number {
  const header = request.headers.get('last-event-id')?.trim() ?? '';
  return /^\d{1,15}$/.test(header) ? Number(header) : -1;
}

const CAP_MESSAGES: Record<StreamCap, string> = {
  payment: 'Too many open streams for this payment; try again shortly.',
  client: 'Too many open streams from this address; try again shortly.',
  total: 'Too many open streams; try again shortly.',
};

export async function handleEvents(
  ctx: CheckoutContext,
  request: Request,
  url: URL,
  paymentId: string,
  info: ConnectionInfo,
): Promise<Response> {
  const payment = await authorizedPayment(ctx, paymentId, tokenOf(request, url));
  const lastSeq = lastEventId(request);
  if (isTerminal(payment.status) && lastSeq >= payment.seq) {
    return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
  }
  const client = clientKey(request.headers, info.remoteAddress, ctx.trustProxy);
  const cap = ctx.streams.capReached(paymentId, client);
  if (cap) {
    ctx.logRefusal(
      'too-many-streams',
      `streams: refused one of ${logText(paymentId)} for ${logText(client ?? 'an unknown address')} (${cap} cap)`,
    );
    throw new HttpError(429, 'too-many-streams', CAP_MESSAGES[cap], [], { 'Retry-After': '5' });
  }
  return ctx.streams.open(paymentId, client, lastSeq, () => ctx.store.getPayment(paymentId));
}
