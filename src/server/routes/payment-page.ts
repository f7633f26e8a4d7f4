/**
 * `POST /payment-page {paymentId, token}`: a signed link to ECommPay's Payment Page for a
 * payment started in `payment-page` mode (PROTOCOL.md §4: flat parameters, signed with the
 * project's algorithm, `force_payment_method=cup-qr` so the shopper lands on CUP QR). The
 * Payment Page creates the payment at ECommPay and sends the same callbacks.
 *
 * The link's signature goes back to the shopper's page, so this route would be a signing
 * oracle if a parameter could carry a `;` (PROTOCOL.md §1): `sign()` refuses one, and the
 * refusal is answered `422 invalid-request` naming the parameter (an attempt stored before
 * the rule existed; every route that stores values refuses a `;` first).
 */
import type { PaymentPageLink } from '../../wire/routes.js';
import type { CheckoutContext } from '../context.js';
import { HttpError, json, readJsonObject } from '../http.js';
import { logText } from '../../shared/log-text.js';
import { sign, SignatureError } from '../../ecommpay/signature.js';
import type { PaymentRecord } from '../store.js';
import { authorizedPayment } from './authorize.js';

export const DEFAULT_PAYMENT_PAGE_URL = 'https://paymentpage.ecommpay.com/payment';

/** The Payment Page's parameters for a payment, unsigned. */
export function paymentPageParams(
  ctx: Pick<CheckoutContext, 'projectId' | 'callbackUrl'>,
  payment: PaymentRecord,
): Record<string, string | number> {
  const params: Record<string, string | number> = {
    project_id: ctx.projectId,
    payment_id: payment.paymentId,
    payment_amount: payment.amount,
    payment_currency: payment.currency,
    payment_description: payment.description,
    force_payment_method: 'cup-qr',
    merchant_success_url: payment.returnUrl,
    merchant_callback_url: ctx.callbackUrl,
  };
  const { customer } = payment;
  for (const [field, value] of Object.entries(customer)) {
    if (field !== 'ip_address' && typeof value === 'string') params[`customer_${field}`] = value;
  }
  if (payment.locale) params.language_code = payment.locale.slice(0, 2).toLowerCase();
  return params;
}

export function paymentPageUrl(
  base: string,
  params: Record<string, string | number>,
  secretKey: string,
): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) query.set(name, String(value));
  query.set('signature', sign(params, secretKey));
  return `${base}?${query.toString()}`;
}

export async function handlePaymentPage(ctx: CheckoutContext, request: Request): Promise<Response> {
  const body = await readJsonObject(request, ctx.maxBodyBytes);
  if (typeof body.paymentId !== 'string' || typeof body.token !== 'string') {
    throw new HttpError(400, 'bad-request', 'paymentId and token are required.');
  }
  const payment = await authorizedPayment(ctx, body.paymentId, body.token);
  if (payment.channel !== 'payment-page') {
    throw new HttpError(
      409,
      'wrong-mode',
      'This payment was started as a QR code; start a Payment Page payment (mode "payment-page").',
    );
  }
  let url: string;
  try {
    url = paymentPageUrl(ctx.paymentPageUrl, paymentPageParams(ctx, payment), ctx.secretKey);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    ctx.log(
      `payment page link of ${logText(payment.paymentId)} not signed: ${logText(error.path)}`,
    );
    throw new HttpError(
      422,
      'invalid-request',
      'This payment cannot be sent to the Payment Page.',
      [{ path: error.path, message: error.message.slice(error.path.length + 2) }],
    );
  }
  const answer: PaymentPageLink = { url };
  return json(200, answer);
}
