/**
 * `POST {prefix}/payment-page` (docs/wire-protocol.md): a link whose parameters are the
 * payment's, `force_payment_method=cup-qr`, `language_code` the locale's first two letters
 * lower-cased, no `customer_ip_address`, signed with the ECommPay algorithm (checked here with
 * the signature's verifier, any SDK ordering); `wrong-mode` for a Gate payment, `bad-request`
 * without both strings.
 */
import { checkSignature } from '../../ecommpay/signature.js';
import type { Clause } from '../clause.js';
import { check, checkEqual, shown } from '../clause.js';
import { checkError, checkJsonHeaders, checkStatus } from '../http.js';
import { createdOf } from '../kit.js';
import { FULL_CUSTOMER, ORDER_AMOUNT, ORDER_DESCRIPTION, RETURN_URL } from '../payload.js';

const SECTION = 'POST /payment-page';

export const PAYMENT_PAGE_CLAUSES: Clause[] = [
  {
    section: SECTION,
    name: 'the link carries the payment, cup-qr, the customer and language_code, and its signature verifies',
    async run(kit) {
      const ref = kit.ref('link');
      const created = createdOf(
        await kit.postPayment({
          payload: kit.payload(ref, { mode: 'payment-page', locale: 'ZH-cn' }),
        }),
      );
      const answer = await kit.client.post('/payment-page', {
        paymentId: created.paymentId,
        token: created.token,
      });
      checkStatus(answer, 200);
      checkJsonHeaders(answer);
      const url = (answer.json as { url?: unknown }).url;
      check(typeof url === 'string' && URL.canParse(url), `url ${shown(url)}`);
      const params = Object.fromEntries(new URL(url).searchParams);
      const { signature, ...signed } = params;
      const expected: Record<string, string> = {
        project_id: String(kit.projectId),
        payment_id: ref,
        payment_amount: String(ORDER_AMOUNT),
        payment_currency: 'CNY',
        payment_description: ORDER_DESCRIPTION,
        force_payment_method: 'cup-qr',
        merchant_success_url: RETURN_URL,
        merchant_callback_url: kit.client.url('/callback'),
        language_code: 'zh',
      };
      for (const [field, value] of Object.entries(FULL_CUSTOMER))
        expected[`customer_${field}`] = value;
      for (const [name, value] of Object.entries(expected)) checkEqual(params[name], value, name);
      check(!('customer_ip_address' in params), 'the link carries customer_ip_address');
      check(signature !== undefined, 'no signature parameter');
      check(
        checkSignature({ ...signed, signature }, kit.secretKey).valid,
        'the signature does not verify with the project key',
      );
    },
  },
  {
    section: SECTION,
    name: 'a Gate payment answers 409 wrong-mode',
    async run(kit) {
      const created = createdOf(
        await kit.postPayment({ payload: kit.payload(kit.ref('wrong-mode')) }),
      );
      checkError(
        await kit.client.post('/payment-page', {
          paymentId: created.paymentId,
          token: created.token,
        }),
        409,
        'wrong-mode',
      );
    },
  },
  {
    section: SECTION,
    name: 'without paymentId and token as strings: 400 bad-request; a wrong token: 403 forbidden',
    async run(kit) {
      const created = createdOf(
        await kit.postPayment({
          payload: kit.payload(kit.ref('pp-body'), { mode: 'payment-page' }),
        }),
      );
      checkError(
        await kit.client.post('/payment-page', { paymentId: created.paymentId }),
        400,
        'bad-request',
      );
      checkError(
        await kit.client.post('/payment-page', { paymentId: 5, token: created.token }),
        400,
        'bad-request',
      );
      checkError(
        await kit.client.post('/payment-page', { paymentId: created.paymentId, token: 'wrong' }),
        403,
        'forbidden',
      );
    },
  },
];
