/**
 * Routes, methods and content types (docs/wire-protocol.md "Overview", "Errors",
 * "POST /payments"): every route answers its method, others `405` with `Allow`; other paths
 * under the prefix `404 not-found`; a JSON body only (`application/json`, `application/*+json`,
 * or no content type), a UTF-8 BOM before it accepted; the size limits.
 */
import type { Clause } from '../clause.js';
import { check } from '../clause.js';
import { checkError, checkJsonHeaders, checkStatus } from '../http.js';
import { createdOf } from '../kit.js';

const methodClause = (method: string, path: string, allow: string): Clause => ({
  section: 'Overview',
  name: `${method} ${path} answers 405 method-not-allowed with Allow: ${allow}`,
  async run(kit) {
    const answer = await kit.client.send(method, path.replace(':id', 'no-such-payment'));
    checkError(answer, 405, 'method-not-allowed');
    const allowed = answer.headers.get('allow') ?? '';
    check(
      allowed
        .split(',')
        .map((m) => m.trim().toUpperCase())
        .includes(allow),
      `Allow: ${JSON.stringify(allowed)}, expected ${allow}`,
    );
  },
});

export const ROUTE_CLAUSES: Clause[] = [
  methodClause('GET', '/payments', 'POST'),
  methodClause('PUT', '/payments/:id', 'GET'),
  methodClause('POST', '/payments/:id/events', 'GET'),
  methodClause('GET', '/payment-page', 'POST'),
  methodClause('GET', '/callback', 'POST'),
  {
    section: 'Overview',
    name: 'another path under the prefix answers 404 not-found',
    async run(kit) {
      checkError(await kit.client.get('/no-such-route'), 404, 'not-found');
      checkError(await kit.client.get('/payments/x/events/more'), 404, 'not-found');
    },
  },
  {
    section: 'POST /payments',
    name: 'a new attempt is 201 {paymentId, token, state} with the JSON headers',
    async run(kit) {
      const ref = kit.ref('created');
      const answer = await kit.postPayment({ payload: kit.payload(ref) });
      checkStatus(answer, 201);
      checkJsonHeaders(answer);
      const created = createdOf(answer);
      check(
        created.paymentId === ref,
        `paymentId ${JSON.stringify(created.paymentId)}, expected the ref ${ref}`,
      );
      check(
        /^[A-Za-z0-9_-]{43}$/.test(created.token),
        `token ${JSON.stringify(created.token)} is not 43 base64url characters`,
      );
      check(
        created.state.paymentId === ref && created.state.seq !== undefined,
        "state is not the payment's",
      );
    },
  },
  {
    section: 'POST /payments',
    name: 'a body sent as text/plain answers 415 unsupported-media-type',
    async run(kit) {
      const answer = await kit.postPayment(
        JSON.stringify({ payload: kit.payload(kit.ref('plain')) }),
        {
          'Content-Type': 'text/plain',
        },
      );
      checkError(answer, 415, 'unsupported-media-type');
    },
  },
  {
    section: 'POST /payments',
    name: 'a body sent as application/x-www-form-urlencoded answers 415',
    async run(kit) {
      const answer = await kit.postPayment(`payload=${kit.payload(kit.ref('form'))}`, {
        'Content-Type': 'application/x-www-form-urlencoded',
      });
      checkError(answer, 415, 'unsupported-media-type');
    },
  },
  {
    section: 'POST /payments',
    name: 'application/*+json is accepted as JSON',
    async run(kit) {
      const answer = await kit.postPayment(
        JSON.stringify({ payload: kit.payload(kit.ref('plusjson')) }),
        {
          'Content-Type': 'application/merchant+json; charset=utf-8',
        },
      );
      createdOf(answer);
    },
  },
  {
    section: 'POST /payments',
    name: 'a missing Content-Type is accepted',
    async run(kit) {
      const body = new TextEncoder().encode(
        JSON.stringify({ payload: kit.payload(kit.ref('notype')) }),
      );
      // A Uint8Array body gets no Content-Type from fetch.
      createdOf(await kit.postPayment(body));
    },
  },
  {
    section: 'POST /payments',
    name: 'a UTF-8 BOM before the JSON is accepted',
    async run(kit) {
      const answer = await kit.postPayment(
        `\uFEFF${JSON.stringify({ payload: kit.payload(kit.ref('bom')) })}`,
        {
          'Content-Type': 'application/json',
        },
      );
      createdOf(answer);
    },
  },
  {
    section: 'Errors',
    name: 'a body that is not JSON, or not an object, answers 400 bad-request',
    async run(kit) {
      const headers = { 'Content-Type': 'application/json' };
      checkError(await kit.postPayment('{"payload":', headers), 400, 'bad-request');
      checkError(await kit.postPayment('[]', headers), 400, 'bad-request');
      checkError(await kit.postPayment('"text"', headers), 400, 'bad-request');
    },
  },
  {
    section: 'Errors',
    name: 'a body that is not UTF-8 answers 400 bad-request',
    async run(kit) {
      const bytes = new Uint8Array([0x7b, 0x22, 0x70, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      checkError(
        await kit.postPayment(bytes, { 'Content-Type': 'application/json' }),
        400,
        'bad-request',
      );
    },
  },
  {
    section: 'Errors',
    name: 'JSON nested over 32 levels answers 400 bad-request',
    async run(kit) {
      const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
      checkError(
        await kit.postPayment(`{"payload":${deep}}`, { 'Content-Type': 'application/json' }),
        400,
        'bad-request',
      );
    },
  },
  {
    section: 'Errors',
    name: 'a body over 64 KiB answers 413 too-large',
    async run(kit) {
      const body = JSON.stringify({
        payload: kit.payload(kit.ref('large')),
        pad: 'x'.repeat(70 * 1024),
      });
      checkError(
        await kit.postPayment(body, { 'Content-Type': 'application/json' }),
        413,
        'too-large',
      );
    },
  },
  {
    section: 'POST /callback',
    name: 'a callback body over 16 KiB answers 413 too-large',
    async run(kit) {
      const body = kit.callback({ paymentId: kit.ref('big-callback'), status: 'success' });
      const answer = await kit.postCallback(
        JSON.stringify({ ...body, pad: 'x'.repeat(17 * 1024) }),
      );
      checkError(answer, 413, 'too-large');
    },
  },
];
