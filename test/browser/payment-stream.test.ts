import { expect } from '@open-wc/testing';
import {
  PaymentStreamController,
  type StreamFailure,
} from '../../src/controllers/payment-stream.js';
import { errorOf, paymentUrl } from '../../src/element/merchant-api.js';
import type { PaymentState } from '../../src/wire/payment-state.js';
import { FakeClock } from './helpers/fake-clock.js';
import { FakeSource } from './helpers/fake-event-source.js';
import { FakeHost } from './helpers/fake-host.js';

const Host = FakeHost;

const base = {
  paymentId: 'p-1',
  amount: 30000,
  currency: 'CNY',
  description: 'test',
  updatedAt: '2026-01-01T00:00:00Z',
};
const target = { endpoint: '/cup-qr/', paymentId: 'p-1', token: 't/1' };

/** What the faked fetch answers, in order: a state, an error status, or a raw body (`string`). */
type FetchAnswer = Partial<PaymentState> | number | string;

function setup(fetchStates: FetchAnswer[] = []) {
  FakeSource.instances = [];
  const host = new Host();
  const clock = new FakeClock();
  const states: PaymentState[] = [];
  const notices: boolean[] = [];
  const fetched: string[] = [];
  const fatal: string[] = [];
  const failures: StreamFailure[] = [];
  const fetchFake = (async (input: RequestInfo | URL) => {
    fetched.push(String(input));
    const next = fetchStates.shift();
    if (typeof next === 'number') {
      return tracked(new Response('{"error":{"code":"x"}}', { status: next }));
    }
    if (typeof next === 'string') {
      return tracked(new Response(next, { headers: { 'content-type': 'application/json' } }));
    }
    return tracked(Response.json(next ?? { ...base, status: 'pending', seq: 0 }));
  }) as typeof fetch;
  const stream = new PaymentStreamController(
    host,
    {
      onState: (s) => states.push(s),
      onConnectionChange: (down) => notices.push(down),
      onFatal: (failure) => {
        fatal.push(failure.code);
        failures.push(failure);
      },
    },
    {
      clock,
      EventSource: FakeSource as unknown as typeof EventSource,
      fetch: fetchFake,
      noticeAfterMs: 3000,
      pollAfterFailures: 3,
      pollIntervalMs: 2000,
      retryDelaysMs: [500],
      streamRetryWhilePollingMs: 30000,
    },
  );
  host.connect();
  return { host, clock, stream, states, notices, fetched, fatal, failures };
}

/** The bodies of the faked fetch's answers being read now. */
const bodiesRead = new Set<Promise<unknown>>();

/** `response`, its `json()` counted in `bodiesRead` until it settles. */
function tracked(response: Response): Response {
  const json = response.json.bind(response);
  response.json = () => {
    const body = json();
    bodiesRead.add(body);
    const done = () => bodiesRead.delete(body);
    body.then(done, done);
    return body;
  };
  return response;
}

const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Lets the faked fetch's answers settle: every body being read, and what the controller does
 * with it. Reading a body takes one macrotask in Chromium and WebKit, and up to several in
 * Firefox, more under load: wait for the reads themselves, not for a count of turns.
 */
async function flush(): Promise<void> {
  do {
    await macrotask();
    await Promise.allSettled([...bodiesRead]);
  } while (bodiesRead.size > 0);
  await macrotask();
}

/** Connects, fails the stream until the controller polls, and lets the first poll settle. */
async function connectAndFallBack(clock: FakeClock, stream: PaymentStreamController) {
  stream.connect(target);
  for (let i = 0; i < 3; i++) {
    FakeSource.instances.at(-1)!.fail(true);
    clock.tick(500);
  }
  expect(stream.mode).to.equal('polling');
  await flush();
}

describe('payment stream controller', () => {
  it('builds the payment URLs of the wire protocol', () => {
    expect(paymentUrl(target, 'events')).to.equal('/cup-qr/payments/p-1/events?token=t%2F1');
    expect(paymentUrl(target)).to.equal('/cup-qr/payments/p-1?token=t%2F1');
  });

  it('delivers each state once: duplicates, stale seqs, other payments and junk are dropped', () => {
    const { stream, states } = setup();
    stream.connect(target);
    const source = FakeSource.instances[0];
    source.push({ ...base, status: 'pending', seq: 1 });
    source.push({ ...base, status: 'pending', seq: 1 });
    source.push({ ...base, status: 'awaiting-customer', seq: 0 });
    source.push({ ...base, paymentId: 'p-2', status: 'success', seq: 9 });
    source.push({ ...base, status: 'bogus' as never, seq: 5 });
    source.push({
      ...base,
      status: 'awaiting-customer',
      seq: 6,
      // A QR code's content with a control character is junk (any other string would be drawn).
      qr: { data: 'javascript:\nalert(1)', expiresInSeconds: 60, timeoutSeconds: 60 },
    });
    source.push({ ...base, status: 'success', seq: 7 });
    source.push({ ...base, status: 'success', seq: 8 });
    expect(states.map((s) => [s.status, s.seq])).to.deep.equal([
      ['pending', 1],
      ['success', 7],
    ]);
    expect(source.closed, 'closed after a terminal state').to.equal(true);
    expect(stream.mode).to.equal('closed');
  });

  it('reopens a stream the browser gave up on, and shows a notice only after a few seconds', () => {
    const { clock, stream, states, notices } = setup();
    stream.connect(target);
    FakeSource.instances[0].fail(true);
    expect(notices).to.deep.equal([]);
    clock.tick(500);
    expect(FakeSource.instances).to.have.length(2);
    FakeSource.instances[1].fail(false);
    clock.tick(2500);
    expect(notices).to.deep.equal([true]);
    FakeSource.instances[1].push({ ...base, status: 'success', seq: 3 });
    expect(notices).to.deep.equal([true, false]);
    expect(states).to.have.length(1);
  });

  it('falls back to polling when the stream keeps failing', async () => {
    const { clock, stream, states, fetched } = setup([
      { ...base, status: 'pending', seq: 1 },
      { ...base, status: 'success', seq: 2 },
    ]);
    await connectAndFallBack(clock, stream);
    expect(fetched).to.deep.equal(['/cup-qr/payments/p-1?token=t%2F1']);
    clock.tick(2000);
    await flush();
    expect(states.map((s) => s.status)).to.deep.equal(['pending', 'success']);
    expect(stream.mode).to.equal('closed');
    expect(clock.pending).to.equal(0);
  });

  it('stops on a 4xx from the status URL', async () => {
    const { stream, fatal } = setup([404]);
    stream.connect(target);
    stream.resync();
    await flush();
    expect(fatal).to.deep.equal(['x']);
    expect(stream.mode).to.equal('closed');
  });

  it('resyncs when the device comes back online', async () => {
    const { stream, fetched } = setup();
    stream.connect(target);
    window.dispatchEvent(new Event('online'));
    await flush();
    expect(fetched).to.have.length(1);
    expect(FakeSource.instances.length).to.equal(2);
    stream.disconnect();
    window.dispatchEvent(new Event('online'));
    await flush();
    expect(fetched).to.have.length(1);
  });

  it('resyncs when the tab becomes visible again', async () => {
    const { stream, fetched } = setup();
    stream.connect(target);
    const visibility = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState')!;
    try {
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => 'hidden',
      });
      document.dispatchEvent(new Event('visibilitychange'));
      await flush();
      expect(fetched).to.have.length(0);
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => 'visible',
      });
      document.dispatchEvent(new Event('visibilitychange'));
      await flush();
      expect(fetched).to.have.length(1);
    } finally {
      delete (document as unknown as Record<string, unknown>).visibilityState;
      Object.defineProperty(Document.prototype, 'visibilityState', visibility);
    }
  });

  it('closes the stream and every timer when the host is detached, and reopens on attach', () => {
    const { host, clock, stream } = setup();
    stream.connect(target);
    FakeSource.instances[0].fail(true);
    host.disconnect();
    expect(FakeSource.instances[0].closed).to.equal(true);
    expect(clock.pending).to.equal(0);
    host.connect();
    expect(FakeSource.instances).to.have.length(2);
    expect(FakeSource.instances[1].closed).to.equal(false);
  });

  it('asks again after an invalid state, and gives up at the third: nothing left running', async () => {
    const decimal = {
      ...base,
      status: 'awaiting-customer' as const,
      seq: 1,
      qr: { data: 'https://qr.example/a', expiresInSeconds: 1.5, timeoutSeconds: 60 },
    };
    const { clock, stream, states, fetched, failures } = setup([decimal, 'not json']);
    stream.connect(target);
    const source = FakeSource.instances[0];
    source.push(decimal);
    expect(failures).to.deep.equal([]);
    clock.tick(500);
    await flush();
    expect(fetched, 'asked once more').to.have.length(1);
    expect(failures).to.deep.equal([]);
    clock.tick(500);
    await flush();
    expect(fetched).to.have.length(2);
    expect(failures).to.deep.equal([
      { code: 'invalid-response', message: 'the answer is not JSON' },
    ]);
    expect(states).to.deep.equal([]);
    expect(source.closed).to.equal(true);
    expect(stream.mode).to.equal('closed');
    expect(clock.pending, 'no timer left').to.equal(0);
  });

  it('gives up on three invalid status answers while polling, and stops polling', async () => {
    const invalid = { ...base, status: 'pending' as const, seq: '1' as never };
    const { clock, stream, fetched, failures } = setup([invalid, invalid, invalid]);
    await connectAndFallBack(clock, stream);
    for (let i = 0; i < 2; i++) {
      clock.tick(2000);
      await flush();
    }
    expect(fetched).to.have.length(3);
    expect(failures).to.deep.equal([
      {
        code: 'invalid-response',
        message: 'seq: must be an integer, not a string ("1")',
        field: 'seq',
      },
    ]);
    expect(stream.mode).to.equal('closed');
    expect(clock.pending, 'no poll and no stream retry left').to.equal(0);
    expect(FakeSource.instances.every((s) => s.closed)).to.equal(true);
  });

  it('a new valid state resets the count; stale ones and other payments neither count nor reset', async () => {
    const { clock, stream, states, failures } = setup([{ ...base, status: 'pending', seq: 2 }]);
    stream.connect(target);
    const source = FakeSource.instances[0];
    source.pushRaw('{');
    source.pushRaw('{');
    source.push({ ...base, status: 'pending', seq: 1 });
    source.pushRaw('{');
    source.pushRaw('{');
    source.push({ ...base, status: 'pending', seq: 1 });
    source.push({ ...base, paymentId: 'p-2', status: 'pending', seq: 5 });
    expect(failures).to.deep.equal([]);
    // The check after the invalid ones answers the next state: the count starts over again.
    clock.tick(500);
    await flush();
    expect(states.map((s) => s.seq)).to.deep.equal([1, 2]);
    expect(failures).to.deep.equal([]);
    expect(clock.pending).to.equal(0);
    source.pushRaw('{');
    source.pushRaw('{');
    source.pushRaw('{');
    expect(failures.map((f) => f.code)).to.deep.equal(['invalid-response']);
  });

  it('reads wire-protocol errors', () => {
    expect(errorOf({ error: { code: 'payload_expired', message: 'm' } })).to.deep.equal({
      code: 'payload_expired',
      message: 'm',
    });
    expect(errorOf('x')).to.deep.equal({});
  });
});
