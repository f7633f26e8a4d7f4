/**
 * The attempt controller alone, fast: a host that is an `EventTarget`, a fake merchant API
 * (`createPayment`), a fake `EventSource` under the real stream controller (its filter is the
 * one under test), a fake form and a fake clock. What the element does with it is checked end
 * to end in checkout.test.ts against the real toolkit and sandbox.
 */
import { expect } from '@open-wc/testing';
import { CheckoutAttemptController } from '../../src/controllers/checkout-attempt.js';
import { storageKey } from '../../src/element/attempt-storage.js';
import type { createPayment, CreateResult } from '../../src/element/merchant-api.js';
import type { CheckoutStatus, PaymentEventDetail } from '../../src/events.js';
import type { ShopperField } from '../../src/wire/customer.js';
import type { PaymentState } from '../../src/wire/payment-state.js';
import type { CreatePaymentBody } from '../../src/wire/routes.js';
import { FakeClock } from './helpers/fake-clock.js';
import { FakeSource } from './helpers/fake-event-source.js';
import { FakeHost } from './helpers/fake-host.js';
import { encodeJson } from './helpers/payload.js';

/** The stream open now (the last one opened, not closed). */
function source(): FakeSource {
  const open = FakeSource.instances.filter((s) => !s.closed);
  expect(open.length, 'one open stream').to.equal(1);
  return open[0];
}

const CUSTOMER = {
  last_name: '王',
  first_name: '小明',
  phone: '13800138000',
  email: 'wang@example.com',
  country: 'CN',
  zip: '100000',
  city: '北京',
  street: '长安街 1 号',
};

/** A payload as the element reads it (unverified); `customer` fixed unless told otherwise. */
function payloadOf(
  ref: string,
  customer: Record<string, string> = CUSTOMER,
  extra: Record<string, unknown> = {},
): string {
  const body = {
    ...extra,
    v: 1,
    ref,
    amount: 30000,
    currency: 'CNY',
    description: 'order',
    returnUrl: 'https://shop.example/done',
    exp: 2000000000,
    customer,
    ...extra,
  };
  return `${encodeJson(body)}.mac-${ref}`;
}

class Host extends FakeHost {
  payload = payloadOf('order-1');
  endpoint = '/cup-qr';
  prefill = undefined;
  readonly events: Event[] = [];
  constructor() {
    super();
    for (const type of [
      'cup-qr-status',
      'cup-qr-success',
      'cup-qr-decline',
      'cup-qr-expire',
      'cup-qr-error',
      'cup-qr-customer',
    ]) {
      this.addEventListener(type, (event) => this.events.push(event));
    }
  }
  /** How many events of `type` fired. */
  count(type: string): number {
    return this.events.filter((e) => e.type === type).length;
  }
  /** The `status` of every `cup-qr-status`, in order. */
  get statuses(): CheckoutStatus[] {
    return this.events
      .filter((e) => e.type === 'cup-qr-status')
      .map((e) => (e as CustomEvent<{ status: CheckoutStatus }>).detail.status);
  }
  detail(type: string): PaymentEventDetail {
    return (this.events.find((e) => e.type === type) as CustomEvent<PaymentEventDetail>).detail;
  }
}

function state(
  paymentId: string,
  seq: number,
  status: PaymentState['status'],
  extra: Partial<PaymentState> = {},
): PaymentState {
  return {
    paymentId,
    seq,
    status,
    amount: 30000,
    currency: 'CNY',
    description: 'order',
    updatedAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

const qr = (expiresInSeconds: number) => ({
  data: 'https://qr.95516.com/00010000/0123',
  expiresInSeconds,
  timeoutSeconds: 300,
});

/** A fake `POST /payments`: each call waits for the test to answer it. */
class FakeApi {
  readonly calls: {
    request: CreatePaymentBody;
    signal: AbortSignal;
    answer(r: CreateResult): void;
  }[] = [];
  readonly createPayment: typeof createPayment = (_endpoint, request, signal) =>
    new Promise((resolve) => this.calls.push({ request, signal, answer: resolve }));
  /** Answers the last call with `paymentId` (token `t-<id>`) and `initial`. */
  async created(paymentId: string, initial?: PaymentState): Promise<void> {
    const call = this.calls.at(-1);
    expect(call, 'a POST /payments').to.not.equal(undefined);
    call!.answer({
      ok: true,
      payment: { paymentId, token: `t-${paymentId}`, ...(initial ? { state: initial } : {}) },
    });
    await settle();
  }
}

/** The Payment Page's code: each `load` waits for the test to let it load, or fail. */
class FakePage {
  readonly loads: { resolve(): void; reject(error: Error): void }[] = [];
  readonly load = (): Promise<void> =>
    new Promise((resolve, reject) => this.loads.push({ resolve, reject }));
}

/** Lets the awaited answer reach the controller (a few microtasks). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const ENCODER_MISSING = 'the QR encoder (https://cdn.example/cup-qr-checkout.qr.js) did not load';

/**
 * The QR encoder as the element loads it: loaded at once, or (`fail`) rejected as a missing
 * file is, or (`hold`) still on its way until the test rejects it (`held`).
 */
class FakeEncoder {
  fail = false;
  hold = false;
  loads = 0;
  readonly held: ((error: Error) => void)[] = [];
  readonly load = (): Promise<void> => {
    this.loads++;
    if (this.hold) return new Promise((_resolve, reject) => void this.held.push(reject));
    return this.fail ? Promise.reject(new Error(ENCODER_MISSING)) : Promise.resolve();
  };
}

function setup(host = new Host(), encoder = new FakeEncoder()) {
  FakeSource.instances = [];
  const clock = new FakeClock();
  const api = new FakeApi();
  const opened: (readonly ShopperField[])[] = [];
  const page = new FakePage();
  const attempt = new CheckoutAttemptController(host, {
    clock,
    onStatus: () => {},
    onNewAttempt: () => {},
    form: {
      open: (fields) => void opened.push(fields),
      showServerErrors: () => false,
    },
    page,
    encoder,
    createPayment: api.createPayment,
  });
  attempt.stream.configure({ EventSource: FakeSource as unknown as typeof EventSource });
  host.connect();
  return { host, clock, api, attempt, opened, page, encoder };
}

describe('checkout attempt controller', () => {
  beforeEach(() => sessionStorage.clear());

  it('starts: POST /payments, then the stream of that payment; the live session is stored', async () => {
    const { host, api, attempt } = setup();
    const started = attempt.start();
    expect(attempt.status).to.equal('starting');
    expect(api.calls[0].request).to.deep.equal({ payload: host.payload });
    await api.created('p-1', state('p-1', 0, 'pending'));
    await started;
    expect(attempt.status).to.equal('pending');
    expect(source().url).to.equal('/cup-qr/payments/p-1/events?token=t-p-1');
    source().push(state('p-1', 1, 'awaiting-customer', { qr: qr(120) }));
    expect(attempt.status).to.equal('awaiting-customer');
    expect(attempt.countdown.remaining).to.equal(120);
    expect(host.statuses).to.deep.equal(['starting', 'pending', 'awaiting-customer']);
    expect(JSON.parse(sessionStorage.getItem(storageKey('/cup-qr', host.payload))!)).to.deep.equal({
      paymentId: 'p-1',
      token: 't-p-1',
    });
  });

  it('asks the form for the fields the payload leaves open, then starts with them', async () => {
    const host = new Host();
    const { phone: _phone, email: _email, ...fixed } = CUSTOMER;
    host.payload = payloadOf('order-2', fixed);
    const { api, attempt, opened } = setup(host);
    await attempt.start();
    expect(attempt.status).to.equal('collecting');
    expect(opened).to.deep.equal([['phone', 'email']]);
    expect(api.calls).to.have.length(0);
    void attempt.submit({ phone: '13800138000', email: 'a@example.com' });
    expect(host.count('cup-qr-customer')).to.equal(1);
    expect(api.calls[0].request.customer).to.deep.equal({
      phone: '13800138000',
      email: 'a@example.com',
    });
  });

  it('resumes after a reload what the tab stored: no second POST, `resumed` in the events', async () => {
    const first = setup();
    void first.attempt.start();
    await first.api.created('p-1', state('p-1', 0, 'pending'));
    // The reload: a new page (host, controller) on the same tab's storage.
    const { host, api, attempt } = setup();
    await attempt.start();
    expect(api.calls).to.have.length(0);
    expect(attempt.resumed).to.equal(true);
    expect(attempt.paymentSession).to.deep.equal({ paymentId: 'p-1', token: 't-p-1' });
    expect(source().url).to.equal('/cup-qr/payments/p-1/events?token=t-p-1');
    source().push(state('p-1', 3, 'success'));
    expect(attempt.status).to.equal('success');
    expect(host.detail('cup-qr-success')).to.include({ paymentId: 'p-1', resumed: true });
    // Paid: only the token-less mark stays, and the next reload asks the server for that payment.
    const key = storageKey('/cup-qr', host.payload);
    expect(JSON.parse(sessionStorage.getItem(key)!)).to.deep.equal({
      paymentId: 'p-1',
      paid: true,
    });
    const again = setup();
    void again.attempt.start();
    expect(again.api.calls).to.have.length(1);
    await again.api.created('p-1', state('p-1', 3, 'success'));
    expect(again.attempt.status).to.equal('success');
    expect(again.attempt.resumed).to.equal(true);
  });

  it('the last-second rule: after the countdown ran out only a final word counts, and a success is one', async () => {
    const { host, clock, api, attempt } = setup();
    void attempt.start();
    await api.created('p-1', state('p-1', 1, 'awaiting-customer', { qr: qr(5) }));
    clock.tick(5000);
    expect(attempt.status).to.equal('expired');
    expect(host.count('cup-qr-expire')).to.equal(1);
    // The stream stays open; a replayed live state does not bring the dead code back.
    source().push(state('p-1', 2, 'awaiting-customer', { qr: qr(0) }));
    expect(attempt.status).to.equal('expired');
    source().push(state('p-1', 3, 'success'));
    expect(attempt.status).to.equal('success');
    expect(host.count('cup-qr-success')).to.equal(1);
    expect(host.statuses).to.deep.equal(['starting', 'awaiting-customer', 'expired', 'success']);
  });

  it('renews after a lapsed code: answered with the same live attempt, it waits for its end, then asks again', async () => {
    const { host, clock, api, attempt } = setup();
    void attempt.start();
    await api.created('p-1', state('p-1', 1, 'awaiting-customer', { qr: qr(5) }));
    clock.tick(5000);
    expect(attempt.status).to.equal('expired');
    void attempt.restart();
    // The server has not heard of the time-out yet: it answers with the same attempt.
    await api.created('p-1', state('p-1', 2, 'awaiting-customer', { qr: qr(0) }));
    expect(attempt.status, 'the dead code is not shown again').to.equal('starting');
    expect(attempt.payment).to.equal(undefined);
    source().push(state('p-1', 3, 'decline', { code: '20602', message: 'Time-out' }));
    // Its end came: the element asks once more, and the server opens a new attempt.
    expect(api.calls).to.have.length(3);
    expect(host.count('cup-qr-decline'), 'the lapsed attempt is no news').to.equal(0);
    await api.created('p-2', state('p-2', 0, 'pending'));
    expect(attempt.status).to.equal('pending');
    expect(attempt.paymentSession?.paymentId).to.equal('p-2');
    expect(source().url).to.equal('/cup-qr/payments/p-2/events?token=t-p-2');
  });

  it('renews after a lapsed code that was paid in its last second: a success, no new attempt', async () => {
    const { host, clock, api, attempt } = setup();
    void attempt.start();
    await api.created('p-1', state('p-1', 1, 'awaiting-customer', { qr: qr(5) }));
    clock.tick(5000);
    void attempt.restart();
    await api.created('p-1', state('p-1', 2, 'awaiting-customer', { qr: qr(0) }));
    source().push(state('p-1', 3, 'success'));
    expect(attempt.status).to.equal('success');
    expect(api.calls).to.have.length(2);
    expect(host.count('cup-qr-success')).to.equal(1);
  });

  it('fires each final event once per attempt, whatever the duplicates and reconnects', async () => {
    const { host, clock, api, attempt } = setup();
    void attempt.start();
    await api.created('p-1', state('p-1', 0, 'pending'));
    source().push(state('p-1', 1, 'awaiting-customer', { qr: qr(120) }));
    // The link breaks; the new stream replays what was seen, then the end, twice.
    source().fail();
    clock.tick(1000);
    source().push(state('p-1', 1, 'awaiting-customer', { qr: qr(119) }));
    const last = source();
    last.push(state('p-1', 2, 'decline', { code: '20602' }));
    last.push(state('p-1', 2, 'decline', { code: '20602' }));
    last.push(state('p-1', 3, 'decline', { code: '20602' }));
    // A state of another payment is never this attempt's.
    last.push(state('p-other', 9, 'success'));
    expect(attempt.status).to.equal('decline');
    expect(host.count('cup-qr-decline')).to.equal(1);
    expect(host.count('cup-qr-success')).to.equal(0);
    expect(host.statuses).to.deep.equal(['starting', 'pending', 'awaiting-customer', 'decline']);
    // Started again on the same payment (the server answers that attempt): no second event.
    void attempt.start();
    await api.created('p-1', state('p-1', 3, 'decline', { code: '20602' }));
    expect(attempt.status).to.equal('decline');
    expect(host.count('cup-qr-decline')).to.equal(1);
  });

  it('drops a stale answer: a new attempt aborts the old request, and its late answer is ignored', async () => {
    const { host, api, attempt } = setup();
    void attempt.start();
    const stale = api.calls[0];
    void attempt.restart();
    expect(stale.signal.aborted).to.equal(true);
    expect(api.calls[1].signal.aborted).to.equal(false);
    stale.answer({
      ok: true,
      payment: { paymentId: 'p-old', token: 't', state: state('p-old', 5, 'success') },
    });
    await settle();
    expect(attempt.status).to.equal('starting');
    expect(attempt.paymentSession).to.equal(undefined);
    expect(FakeSource.instances).to.have.length(0);
    expect(host.count('cup-qr-success')).to.equal(0);
    await api.created('p-new', state('p-new', 0, 'pending'));
    expect(attempt.paymentSession?.paymentId).to.equal('p-new');
    // A new payload: the attempt under way is dropped too, its answer with it.
    void attempt.restart();
    attempt.reset();
    expect(attempt.status).to.equal('idle');
    await api.created('p-late', state('p-late', 0, 'pending'));
    expect(attempt.status).to.equal('idle');
    expect(attempt.paymentSession).to.equal(undefined);
  });

  it('a QR encoder that cannot load: `qr-unavailable` once the code comes, the payment kept, and the retry resumes it', async () => {
    const encoder = new FakeEncoder();
    encoder.fail = true;
    const { host, api, attempt } = setup(undefined, encoder);
    void attempt.start();
    expect(encoder.loads, 'asked for as the attempt starts').to.equal(1);
    await api.created('p-1', state('p-1', 0, 'pending'));
    expect(attempt.status, 'no code yet, nothing to draw').to.equal('pending');
    source().push(state('p-1', 1, 'awaiting-customer', { qr: qr(120) }));
    expect(attempt.status).to.equal('error');
    expect(host.statuses).to.deep.equal(['starting', 'pending', 'error']);
    expect(host.detail('cup-qr-error')).to.include({
      paymentId: 'p-1',
      code: 'qr-unavailable',
      message: ENCODER_MISSING,
    });
    expect(attempt.failure).to.include({ code: 'qr-unavailable', message: ENCODER_MISSING });
    // The payment is live at the platform: it stays stored, for a reload as for the retry.
    const key = storageKey('/cup-qr', host.payload);
    expect(JSON.parse(sessionStorage.getItem(key)!)).to.deep.equal({
      paymentId: 'p-1',
      token: 't-p-1',
    });
    // "Try again", the file there now: the same payment resumed, no second POST /payments.
    encoder.fail = false;
    await attempt.restart();
    expect(encoder.loads).to.equal(2);
    expect(api.calls).to.have.length(1);
    expect(attempt.resumed).to.equal(true);
    expect(source().url).to.equal('/cup-qr/payments/p-1/events?token=t-p-1');
    source().push(state('p-1', 1, 'awaiting-customer', { qr: qr(110) }));
    expect(attempt.status).to.equal('awaiting-customer');
    expect(attempt.paymentSession?.paymentId).to.equal('p-1');
  });

  it('a QR encoder that fails after the code came: `qr-unavailable` then; none in Payment Page mode', async () => {
    const encoder = new FakeEncoder();
    encoder.hold = true;
    const { host, api, attempt } = setup(undefined, encoder);
    void attempt.start();
    await api.created('p-1', state('p-1', 1, 'awaiting-customer', { qr: qr(120) }));
    expect(attempt.status, 'the code waits for its encoder').to.equal('awaiting-customer');
    encoder.held[0](new Error(ENCODER_MISSING));
    await settle();
    expect(attempt.status).to.equal('error');
    expect(host.detail('cup-qr-error')).to.include({ code: 'qr-unavailable' });
    expect(sessionStorage.getItem(storageKey('/cup-qr', host.payload))).to.not.equal(null);

    const page = new Host();
    page.payload = payloadOf('order-page', CUSTOMER, { mode: 'payment-page' });
    const other = setup(page, new FakeEncoder());
    void other.attempt.start();
    expect(other.encoder.loads, 'no code comes to this page').to.equal(0);
  });

  it('a failure to start fires `cup-qr-error` once per try, the payment id empty', async () => {
    const { host, api, attempt } = setup();
    void attempt.start();
    api.calls[0].answer({ ok: false, refused: false, code: 'network', message: 'offline' });
    await settle();
    expect(attempt.status).to.equal('error');
    expect(host.detail('cup-qr-error')).to.include({ paymentId: '', code: 'network' });
    void attempt.restart();
    api.calls[1].answer({ ok: false, refused: true, code: 'http-500', message: 'x' });
    await settle();
    expect(host.count('cup-qr-error')).to.equal(2);
  });

  it('a Payment Page payload loads its code as the attempt begins, beside POST /payments', async () => {
    const host = new Host();
    host.payload = payloadOf('order-page', {}, { mode: 'payment-page' });
    const { api, attempt, page } = setup(host);
    void attempt.start();
    expect(page.loads).to.have.length(1);
    expect(api.calls[0].request).to.deep.equal({ payload: host.payload, mode: 'payment-page' });
    page.loads[0].resolve();
    await api.created('p-1', state('p-1', 0, 'pending'));
    expect(attempt.status).to.equal('pending');
    expect(host.count('cup-qr-error')).to.equal(0);
    // A QR payload never asks for it.
    const qr = setup();
    void qr.attempt.start();
    expect(qr.page.loads).to.have.length(0);
  });

  it('the Payment Page code cannot load: `page-unavailable` once, the request cancelled, a retry loads again', async () => {
    const host = new Host();
    host.payload = payloadOf('order-page', {}, { mode: 'payment-page' });
    const { api, attempt, page } = setup(host);
    void attempt.start();
    page.loads[0].reject(new Error('the Payment Page (cup-qr-checkout.page.js) did not load'));
    await settle();
    expect(attempt.status).to.equal('error');
    expect(api.calls[0].signal.aborted).to.equal(true);
    expect(host.detail('cup-qr-error')).to.include({
      code: 'page-unavailable',
      message: 'the Payment Page (cup-qr-checkout.page.js) did not load',
    });
    // The payment the server made meanwhile is dropped here, and stays live there.
    await api.created('p-1', state('p-1', 0, 'pending'));
    expect(attempt.status).to.equal('error');
    expect(FakeSource.instances).to.have.length(0);
    // Try again: the code is asked for again, and the server answers with that same payment.
    void attempt.restart();
    expect(page.loads).to.have.length(2);
    page.loads[1].resolve();
    await api.created('p-1', state('p-1', 0, 'pending'));
    expect(attempt.status).to.equal('pending');
    expect(attempt.paymentSession?.paymentId).to.equal('p-1');
    expect(host.count('cup-qr-error')).to.equal(1);
  });

  it('a Payment Page resumed after a reload fails the same way when its code cannot load', async () => {
    const host = new Host();
    host.payload = payloadOf('order-page', {}, { mode: 'payment-page' });
    const first = setup(host);
    void first.attempt.start();
    first.page.loads[0].resolve();
    await first.api.created('p-1', state('p-1', 0, 'pending'));
    // The reload: a new page (host, controller) on the same tab's storage.
    const reloaded = new Host();
    reloaded.payload = host.payload;
    const { api, attempt, page } = setup(reloaded);
    void attempt.start();
    expect(attempt.resumed).to.equal(true);
    expect(api.calls).to.have.length(0);
    page.loads[0].reject(new Error('offline'));
    await settle();
    expect(attempt.status).to.equal('error');
    expect(attempt.failure?.code).to.equal('page-unavailable');
    expect(FakeSource.instances.filter((s) => !s.closed)).to.have.length(0);
  });
});
