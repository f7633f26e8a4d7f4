/** `GET /payments/:id?token=…`: the payment's state as JSON, for the element's polling fallback. */
import type { CheckoutContext } from '../context.js';
import { json } from '../http.js';
import { toPaymentState } from '../view.js';
import { authorizedPayment, tokenOf } from './authorize.js';

export async function handleStatus(
  ctx: CheckoutContext,
  request: Request,
  url: URL,
  paymentId: string,
): Promise<Response> {
  const payment = await authorizedPayment(ctx, paymentId, tokenOf(request, url));
  return json(200, toPaymentState(payment, ctx.now()));
}
