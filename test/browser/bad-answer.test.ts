/**
 * The element never hangs on a bad backend: states it cannot use, on the stream or from
 * polling, become an `invalid-response` error naming the wrong field after three in a row
 * (docs/wire-protocol.md, "What the element does with a bad answer"). The element, in each
 * engine, against test/helpers/wtr-scripted-backend.mjs: a real HTTP backend that answers what
 * each test scripts, since the real toolkit never sends such states.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { CupQrCheckout } from '../../src/cup-qr-checkout.js';
import type { PaymentEventDetail } from '../../src/events.js';
import type { PaymentState } from '../../src/wire/payment-state.js';
import { part, recordEvents, server, statusReached } from './helpers/checkout.js';

interface Script {
  created: { paymentId: string; token: string; state?: unknown };
  /** The `data:` of each status event (`id:` 1, 2, …). */
  frames?: string[];
  /** The stream ends after its frames (and answers `204` to a client that has them all). */
  end?: boolean;
  /** The events URL answers with this status: no stream. */
  streamStatus?: number;
  /** The status JSON of each `GET /payments/:id`, the last one repeating. */
  statuses?: string[];
}

interface Counts {
  streamOpens: number;
  streamsOpen: number;
  statusGets: number;
}

async function script(s: Script): Promise<void> {
  const response = await fetch('/__scripted__/script', { method: 'POST', body: JSON.stringify(s) });
  expect(response.ok).to.equal(true);
}

async function counts(): Promise<Counts> {
  return (await (await fetch('/__scripted__/counts')).json()) as Counts;
}

const ID = 'scripted-1';
const base = {
  paymentId: ID,
  amount: 30000,
  currency: 'CNY',
  description: 'order',
  updatedAt: '2026-01-01T00:00:00Z',
};
const pending = { ...base, status: 'pending', seq: 0 };
const qr = { data: 'https://qr.example/abc', expiresInSeconds: 60, timeoutSeconds: 300 };
const created = { paymentId: ID, token: 'token-1', state: pending };

/** A state as JSON text, as a backend would write it (anything goes). */
const text = (state: Partial<Record<keyof PaymentState, unknown>>): string => JSON.stringify(state);

/** Reconnects and polls a tenth of a second apart (the defaults take seconds). */
const FAST = { retryDelaysMs: [100], pollIntervalMs: 100, pollAfterFailures: 3 };

/** The element on the scripted backend, started, its final events recorded. */
async function started(): Promise<{ el: CupQrCheckout; events: Event[] }> {
  const { payload } = await server.payload();
  const el = await fixture<CupQrCheckout>(
    html`<cup-qr-checkout
      manual
      endpoint="/cup-qr-scripted"
      locale="en"
      payload=${payload}
      .streamOptions=${FAST}
    ></cup-qr-checkout>`,
  );
  const events = recordEvents(el, ['cup-qr-status', 'cup-qr-error', 'cup-qr-success']);
  void el.start();
  return { el, events };
}

const detailsOf = (events: Event[], type: string): PaymentEventDetail[] =>
  events.filter((e) => e.type === type).map((e) => (e as CustomEvent<PaymentEventDetail>).detail);

const statusesOf = (events: Event[]): string[] =>
  events.map((e) => (e as CustomEvent<{ status?: string }>).detail.status ?? '').filter(Boolean);

/** The one `cup-qr-error` of the attempt, once `status` is `error`; the stream is closed. */
async function invalidResponse(el: CupQrCheckout, events: Event[]): Promise<PaymentEventDetail> {
  await statusReached(el, 'error', 15000);
  const errors = detailsOf(events, 'cup-qr-error');
  expect(errors).to.have.length(1);
  expect(errors[0].code).to.equal('invalid-response');
  expect(errors[0].paymentId).to.equal(ID);
  // The shopper reads what was wrong, never the internal code (the texts show platform codes only).
  const shown = part(el, 'status')!.textContent!;
  expect(shown).to.contain(errors[0].message);
  expect(shown).not.to.contain('invalid-response');
  // Nothing left open: the backend sees the stream closed.
  await waitUntil(async () => (await counts()).streamsOpen === 0, 'the stream is closed', {
    timeout: 8000,
  });
  return errors[0];
}

afterEach(async () => {
  await script({ created });
  sessionStorage.clear();
});

describe('<cup-qr-checkout> on a backend that sends states it cannot use', () => {
  it('a numeric `code` on the stream (final, 200 then 204): invalid-response, field `code`', async () => {
    const declined = text({ ...base, status: 'decline', seq: 1, code: 20602, message: 'Time-out' });
    await script({ created, frames: [declined], end: true, statuses: [declined] });
    const { el, events } = await started();
    const error = await invalidResponse(el, events);
    expect(error.field).to.equal('code');
    expect(error.message).to.equal('code: must be a string, not an integer (20602)');
    expect(statusesOf(events)).to.deep.equal(['starting', 'pending', 'error']);
  });

  it('a decimal `qr.expiresInSeconds` on the stream: invalid-response, field `qr.expiresInSeconds`', async () => {
    const awaiting = text({
      ...base,
      status: 'awaiting-customer',
      seq: 1,
      qr: { ...qr, expiresInSeconds: 59.5 },
    });
    await script({ created, frames: [awaiting], statuses: [awaiting] });
    const { el, events } = await started();
    const error = await invalidResponse(el, events);
    expect(error.field).to.equal('qr.expiresInSeconds');
    expect(error.message).to.equal('qr.expiresInSeconds: must be an integer, not a number (59.5)');
    expect(statusesOf(events)).to.deep.equal(['starting', 'pending', 'error']);
    // The stream's one state, then the two GETs that asked again.
    expect((await counts()).statusGets).to.equal(2);
  });

  it('a `data:` that is not JSON: invalid-response, no field (the whole answer is wrong)', async () => {
    await script({ created, frames: ['this is not JSON'], statuses: ['<html>oops</html>'] });
    const { el, events } = await started();
    const error = await invalidResponse(el, events);
    expect(error).not.to.have.property('field');
    expect(error.message).to.equal('the answer is not JSON');
  });

  it('an invalid status JSON while polling (no stream): invalid-response, field `seq`', async () => {
    const awaiting = text({ ...base, status: 'awaiting-customer', seq: '1', qr });
    await script({ created, streamStatus: 503, statuses: [awaiting] });
    const { el, events } = await started();
    const error = await invalidResponse(el, events);
    expect(error.field).to.equal('seq');
    expect(error.message).to.equal('seq: must be an integer, not a string ("1")');
    const { streamOpens, statusGets } = await counts();
    expect(streamOpens, 'the stream failed before polling').to.equal(FAST.pollAfterFailures);
    expect(statusGets, 'three invalid polls, then no more').to.equal(3);
  });

  it('a valid state after two invalid ones starts the count over: no error', async () => {
    const decimal = { ...base, status: 'awaiting-customer', qr: { ...qr, expiresInSeconds: 1.5 } };
    await script({
      created,
      frames: [
        text({ ...decimal, seq: 1 }),
        text({ ...decimal, seq: 1 }),
        text({ ...base, status: 'awaiting-customer', seq: 2, qr }),
        // A third invalid one in all, the first since the valid one: the element asks again.
        text({ ...decimal, seq: 3 }),
      ],
      statuses: [text({ ...base, status: 'success', seq: 3, code: '0', message: 'Success' })],
    });
    const { el, events } = await started();
    await statusReached(el, 'success', 15000);
    expect(detailsOf(events, 'cup-qr-error')).to.deep.equal([]);
    expect(detailsOf(events, 'cup-qr-success')).to.have.length(1);
    expect(statusesOf(events)).to.deep.equal([
      'starting',
      'pending',
      'awaiting-customer',
      'success',
    ]);
  });
});
