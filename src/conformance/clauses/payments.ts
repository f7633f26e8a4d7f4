/**
 * `POST /payments` (docs/wire-protocol.md "POST {prefix}/payments"): the order of checks
 * (payload before body keys; `500 configuration` before `422`), the body keys (`field-fixed`,
 * `bad-request`), resuming (200, a new token, no second sale), the attempts (`ref~2`, the
 * limit), the conflicts, Gate's refusals and a Gate refusal after a callback moved the attempt.
 */
import type { Clause } from '../clause.js';
import { check, checkEqual, shown } from '../clause.js';
import { checkError, checkStatus, errorOf, fieldRules } from '../http.js';
import { createdOf, type Kit } from '../kit.js';
import { FULL_CUSTOMER } from '../payload.js';

const SECTION = 'POST /payments';

const { id: _id, city: _city, ...WITHOUT_CITY } = FULL_CUSTOMER;
/** A Gate payload that leaves `city` to the shopper. */
const openCity = { customer: { id: FULL_CUSTOMER.id, ...WITHOUT_CITY } };

/** Declines attempt `paymentId` with a signed callback and waits until it is final. */
async function decline(kit: Kit, paymentId: string, token: string): Promise<void> {
  await kit.sendCallback({ paymentId, status: 'decline' });
  await kit.waitFor(paymentId, token, (s) => s.status === 'decline', 'the decline');
}

export const PAYMENT_CLAUSES: Clause[] = [
  {
    section: SECTION,
    name: 'the payload is checked before the body keys (bad payload + unknown key: payload-invalid)',
    async run(kit) {
      const payload = `${kit.payload(kit.ref('order'))}x`;
      checkError(
        await kit.postPayment({ payload, amount: 1, extra: true }),
        400,
        'payload-invalid',
      );
      const expired = kit.payload(kit.ref('order'), { exp: Math.floor(Date.now() / 1000) - 600 });
      checkError(await kit.postPayment({ payload: expired, amount: 1 }), 410, 'payload-expired');
    },
  },
  {
    section: SECTION,
    name: 'a missing payload answers 400 (payload-invalid or bad-request)',
    async run(kit) {
      const answer = await kit.postPayment({});
      check(
        answer.status === 400 &&
          ['payload-invalid', 'bad-request'].includes(String(errorOf(answer).code)),
        `got ${answer.status} ${shown(answer.json)}`,
      );
    },
  },
  {
    section: SECTION,
    name: 'an order key in the body (amount) answers 400 field-fixed, rule fixed',
    async run(kit) {
      const answer = await kit.postPayment({ payload: kit.payload(kit.ref('amount')), amount: 1 });
      checkError(answer, 400, 'field-fixed');
      checkEqual(fieldRules(answer), { amount: 'fixed' }, 'fields');
    },
  },
  {
    section: SECTION,
    name: 'an unknown top-level key answers 400 bad-request',
    async run(kit) {
      checkError(
        await kit.postPayment({ payload: kit.payload(kit.ref('unknown')), colour: 'red' }),
        400,
        'bad-request',
      );
    },
  },
  {
    section: SECTION,
    name: 'a body mode that disagrees with the payload answers 400 field-fixed (path mode)',
    async run(kit) {
      const answer = await kit.postPayment({
        payload: kit.payload(kit.ref('mode')),
        mode: 'payment-page',
      });
      checkError(answer, 400, 'field-fixed');
      check(
        'mode' in fieldRules(answer),
        `fields ${shown(errorOf(answer).fields)} do not name mode`,
      );
      checkError(
        await kit.postPayment({ payload: kit.payload(kit.ref('mode')), mode: 'qr' }),
        400,
        'bad-request',
      );
      createdOf(await kit.postPayment({ payload: kit.payload(kit.ref('mode')), mode: 'gate' }));
    },
  },
  {
    section: SECTION,
    name: 'customer.id, customer.ip_address and a field the payload fixes answer 400 field-fixed',
    async run(kit) {
      for (const customer of [
        { id: 'x' },
        { ip_address: '203.0.113.9' },
        { phone: '13800138000' },
      ]) {
        const answer = await kit.postPayment({
          payload: kit.payload(kit.ref('fixed'), openCity),
          customer,
        });
        checkError(answer, 400, 'field-fixed');
        checkEqual(
          fieldRules(answer),
          { [`customer.${Object.keys(customer)[0]}`]: 'fixed' },
          'fields',
        );
      }
    },
  },
  {
    section: SECTION,
    name: 'an unknown customer key answers 400 bad-request; customer not an object, 400 bad-request',
    async run(kit) {
      const payload = kit.payload(kit.ref('customer-key'), openCity);
      checkError(
        await kit.postPayment({ payload, customer: { nickname: 'x' } }),
        400,
        'bad-request',
      );
      checkError(await kit.postPayment({ payload, customer: 'x' }), 400, 'bad-request');
    },
  },
  {
    section: SECTION,
    name: 'customer: null is accepted (as no customer)',
    async run(kit) {
      createdOf(
        await kit.postPayment({ payload: kit.payload(kit.ref('null-customer')), customer: null }),
      );
    },
  },
  {
    section: SECTION,
    name: 'a non-string customer value answers 422 customer-incomplete, rule invalid',
    async run(kit) {
      const answer = await kit.postPayment({
        payload: kit.payload(kit.ref('number'), openCity),
        customer: { city: 5 },
      });
      checkError(answer, 422, 'customer-incomplete');
      checkEqual(fieldRules(answer), { 'customer.city': 'invalid' }, 'fields');
    },
  },
  {
    section: SECTION,
    name: 'a Gate sale missing customer fields answers 422, one required entry per field',
    async run(kit) {
      const answer = await kit.postPayment({
        payload: kit.payload(kit.ref('missing'), { customer: { id: 'c-1' } }),
      });
      checkError(answer, 422, 'customer-incomplete');
      const expected = Object.fromEntries(
        Object.keys(FULL_CUSTOMER)
          .filter((field) => field !== 'id')
          .map((field) => [`customer.${field}`, 'required']),
      );
      checkEqual(
        Object.fromEntries(Object.entries(fieldRules(answer)).sort()),
        Object.fromEntries(Object.entries(expected).sort()),
        'fields',
      );
    },
  },
  {
    section: SECTION,
    name: '500 configuration before 422: a Gate payload without customer.id answers 500',
    async run(kit) {
      const { id: _drop, ...noId } = FULL_CUSTOMER;
      checkError(
        await kit.postPayment({ payload: kit.payload(kit.ref('no-id'), { customer: noId }) }),
        500,
        'configuration',
      );
      const answer = await kit.postPayment({
        payload: kit.payload(kit.ref('no-id'), { customer: { phone: '13800138000' } }),
        customer: { city: '88' },
      });
      checkError(answer, 500, 'configuration');
    },
  },
  {
    section: SECTION,
    name: 'a re-POST answers 200 with the same attempt and a new token; no second sale',
    async run(kit) {
      const payload = kit.payload(kit.ref('again'));
      const first = createdOf(await kit.postPayment({ payload }));
      const answer = await kit.postPayment({ payload });
      checkStatus(answer, 200);
      const second = createdOf(answer);
      checkEqual(second.paymentId, first.paymentId, 'paymentId');
      check(second.token !== first.token, 'the same token was issued twice');
      checkEqual(kit.gate.sales(first.paymentId).length, 1, 'sales sent for the payment');
      await kit.state(first.paymentId, first.token);
      await kit.state(second.paymentId, second.token);
    },
  },
  {
    section: SECTION,
    name: 'the same ref with another amount answers 409 order-conflict',
    async run(kit) {
      const ref = kit.ref('conflict');
      createdOf(await kit.postPayment({ payload: kit.payload(ref) }));
      checkError(
        await kit.postPayment({ payload: kit.payload(ref, { amount: 1 }) }),
        409,
        'order-conflict',
      );
    },
  },
  {
    section: SECTION,
    name: 'a live attempt with other customer details answers 409 attempt-conflict (customer.city)',
    async run(kit) {
      const payload = kit.payload(kit.ref('details'), openCity);
      createdOf(await kit.postPayment({ payload, customer: { city: '北京' } }));
      const answer = await kit.postPayment({ payload, customer: { city: '上海' } });
      checkError(answer, 409, 'attempt-conflict');
      check(
        'customer.city' in fieldRules(answer),
        `fields ${shown(errorOf(answer).fields)} do not name customer.city`,
      );
      checkStatus(await kit.postPayment({ payload }), 200);
    },
  },
  {
    section: SECTION,
    name: 'a running payment-page attempt is not returned to a QR payload: 409 attempt-conflict (mode)',
    async run(kit) {
      const ref = kit.ref('modes');
      createdOf(await kit.postPayment({ payload: kit.payload(ref, { mode: 'payment-page' }) }));
      const answer = await kit.postPayment({ payload: kit.payload(ref) });
      checkError(answer, 409, 'attempt-conflict');
      check(
        'mode' in fieldRules(answer),
        `fields ${shown(errorOf(answer).fields)} do not name mode`,
      );
    },
  },
  {
    section: SECTION,
    name: 'after a decline a new attempt is ref~2 (201); after 5 attempts 429 attempts-exhausted',
    async run(kit) {
      const ref = kit.ref('attempts');
      const payload = kit.payload(ref, { mode: 'payment-page' });
      for (let n = 1; n <= 5; n++) {
        const answer = await kit.postPayment({ payload });
        checkStatus(answer, 201);
        const created = createdOf(answer);
        checkEqual(created.paymentId, n === 1 ? ref : `${ref}~${n}`, `attempt ${n}'s paymentId`);
        await decline(kit, created.paymentId, created.token);
      }
      checkError(await kit.postPayment({ payload }), 429, 'attempts-exhausted');
    },
  },
  {
    section: SECTION,
    name: 'a paid order answers 200 with its success',
    async run(kit) {
      const payload = kit.payload(kit.ref('paid'), { mode: 'payment-page' });
      const created = createdOf(await kit.postPayment({ payload }));
      await kit.sendCallback({ paymentId: created.paymentId, status: 'success' });
      await kit.waitFor(
        created.paymentId,
        created.token,
        (s) => s.status === 'success',
        'the success',
      );
      const answer = await kit.postPayment({ payload });
      checkStatus(answer, 200);
      checkEqual(createdOf(answer).state.status, 'success', 'state.status');
    },
  },
  {
    section: SECTION,
    name: 'Gate failing (HTTP 503) answers 503 gate-unavailable with Retry-After; the next try is ref~2',
    async run(kit) {
      const ref = kit.ref('gate-503');
      kit.sandbox.control.setFaults(
        { gateError: 503 },
        { projectId: kit.projectId, paymentId: ref },
      );
      const payload = kit.payload(ref);
      const answer = await kit.postPayment({ payload });
      checkError(answer, 503, 'gate-unavailable');
      check(answer.headers.get('retry-after') !== null, 'no Retry-After header');
      const again = createdOf(await kit.postPayment({ payload }));
      checkEqual(again.paymentId, `${ref}~2`, 'the next attempt');
    },
  },
  {
    section: SECTION,
    name: 'a Gate refusal only sets error while pending: a callback first wins (201, awaiting-customer)',
    async run(kit) {
      const ref = kit.ref('late-refusal');
      kit.sandbox.control.setFaults(
        { gateError: 503, gateDelayMs: 1500 },
        { projectId: kit.projectId, paymentId: ref },
      );
      const answering = kit.postPayment({ payload: kit.payload(ref) });
      await kit.gate.saleOf(ref, 15_000).catch(() => check(false, 'the backend sent no sale'));
      await kit.sendCallback({
        paymentId: ref,
        status: 'awaiting customer action',
        qr: { data: 'https://qr.conformance.example/late', timeoutSeconds: 600 },
      });
      const answer = await answering;
      checkStatus(answer, 201);
      const created = createdOf(answer);
      checkEqual(created.state.status, 'awaiting-customer', 'state.status');
      checkEqual(
        (await kit.state(created.paymentId, created.token)).status,
        'awaiting-customer',
        'stored status',
      );
    },
  },
  {
    section: SECTION,
    name: 'a page of another origin answers 403 origin-refused',
    async run(kit) {
      const answer = await kit.postPayment(
        { payload: kit.payload(kit.ref('origin')) },
        { Origin: 'https://attacker.example' },
      );
      checkError(answer, 403, 'origin-refused');
    },
  },
];
