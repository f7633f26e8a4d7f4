/**
 * Tokens (docs/wire-protocol.md "Tokens"): no token `401 token-required`; a wrong token and an
 * unknown payment the same `403 forbidden`; `Authorization: Bearer`; a re-POST's new token
 * leaves the old one working.
 */
import type { Clause } from '../clause.js';
import { check, checkEqual } from '../clause.js';
import { checkError } from '../http.js';
import { createdOf } from '../kit.js';

const SECTION = 'Tokens';

export const TOKEN_CLAUSES: Clause[] = [
  {
    section: SECTION,
    name: 'no token answers 401 token-required (status, events, payment-page)',
    async run(kit) {
      const created = createdOf(
        await kit.postPayment({ payload: kit.payload(kit.ref('no-token')) }),
      );
      const id = encodeURIComponent(created.paymentId);
      checkError(await kit.client.get(`/payments/${id}`), 401, 'token-required');
      checkError(await kit.client.get(`/payments/${id}/events`), 401, 'token-required');
      checkError(
        await kit.client.post('/payment-page', { paymentId: created.paymentId, token: '' }),
        401,
        'token-required',
      );
    },
  },
  {
    section: SECTION,
    name: 'a wrong token and an unknown payment id both answer the same 403 forbidden',
    async run(kit) {
      const created = createdOf(
        await kit.postPayment({ payload: kit.payload(kit.ref('wrong-token')) }),
      );
      const wrong = await kit.status(
        created.paymentId,
        `${created.token.slice(0, -1)}${created.token.endsWith('A') ? 'B' : 'A'}`,
      );
      const unknown = await kit.status(kit.ref('no-such-payment'), created.token);
      checkError(wrong, 403, 'forbidden');
      checkError(unknown, 403, 'forbidden');
      checkEqual(wrong.json, unknown.json, 'the two answers');
      const events = await kit.client.get(
        `/payments/${encodeURIComponent(created.paymentId)}/events?token=wrong`,
      );
      checkError(events, 403, 'forbidden');
    },
  },
  {
    section: SECTION,
    name: 'a token opens only its own payment',
    async run(kit) {
      const one = createdOf(await kit.postPayment({ payload: kit.payload(kit.ref('one')) }));
      const two = createdOf(await kit.postPayment({ payload: kit.payload(kit.ref('two')) }));
      checkError(await kit.status(one.paymentId, two.token), 403, 'forbidden');
    },
  },
  {
    section: SECTION,
    name: 'Authorization: Bearer <token> is accepted',
    async run(kit) {
      const created = createdOf(await kit.postPayment({ payload: kit.payload(kit.ref('bearer')) }));
      const answer = await kit.client.get(`/payments/${encodeURIComponent(created.paymentId)}`, {
        Authorization: `Bearer ${created.token}`,
      });
      check(answer.status === 200, `answered ${answer.status}`);
    },
  },
  {
    section: SECTION,
    name: 'a re-POST issues a new token and the first one still works',
    async run(kit) {
      const payload = kit.payload(kit.ref('tokens'));
      const first = createdOf(await kit.postPayment({ payload }));
      const second = createdOf(await kit.postPayment({ payload }));
      check(first.token !== second.token, 'the same token twice');
      await kit.state(first.paymentId, first.token);
      await kit.state(second.paymentId, second.token);
    },
  },
];
