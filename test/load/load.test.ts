// The load run (issue #8, `npm run test:load`): 1,000 payments started at once through the
// whole flow, with faults on for a random subset. A real merchant server (SQLite store in a
// temp dir) on a real port, the sandbox's Gate and callbacks over HTTP, one SSE stream per
// payment held by a lean client that behaves as the element does (Last-Event-ID on a
// reconnect, states dropped by seq). Each payment is approved, declined or expired; the run
// waits for every final push, then checks every payment's books and prints its figures.
//
//   LOAD_PAYMENTS  payments (default 1000)    LOAD_SEED  the fault draw's seed (default 8)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { isTerminal, type PaymentStatus } from '../../src/wire/status.js';
import { startSandbox, type SandboxFaults } from '../../src/sandbox/index.js';
import { createCheckout, type CheckoutOptions } from '../../src/server/checkout.js';
import { toNodeHandler } from '../../src/server/node-adapter.js';
import { createPayload } from '../../src/server/payload.js';
import { openSqliteStore } from '../../src/server/stores/sqlite.js';
import { account, countDeliveryFaults, Tally, type Delivered } from '../helpers/ledger.js';
import { order, PROJECT_ID, SECRET_KEY } from '../helpers/toolkit.js';

const PAYMENTS = Number(process.env.LOAD_PAYMENTS ?? 1000);
const SEED = Number(process.env.LOAD_SEED ?? 8);
/** Platform time runs 20x faster: delays of 5-20 s take 0.25-1 s, the QR lives 30 s. */
const TIME_SCALE = 0.05;

type Outcome = 'approve' | 'decline' | 'expire';
const EXPECTED: Record<Outcome, PaymentStatus> = {
  approve: 'success',
  decline: 'decline',
  expire: 'expired',
};

/** mulberry32: the same draw of faults for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Plan {
  ref: string;
  outcome: Outcome;
  faults: SandboxFaults;
  /** Gate fails the first sale; the shopper starts again. */
  gateError?: number;
}

/** A random subset of the payments gets faults; several may meet on one payment. */
function draw(n: number, next: () => number): Plan[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  return Array.from({ length: n }, (_, i) => {
    const faults: SandboxFaults = {};
    if (next() < 0.15) faults.duplicateCallbacks = 1 + Math.floor(next() * 2);
    if (next() < 0.1) faults.finalBeforeAwaiting = true;
    if (next() < 0.1) faults.callbackDelayMs = 5_000 + Math.floor(next() * 15_000);
    if (next() < 0.15) {
      faults.failDeliveries = 1 + Math.floor(next() * 2);
      faults.failMode = pick(['unreachable', 'answer-lost'] as const);
    }
    if (next() < 0.05) faults.corruptSignature = true;
    const roll = next();
    const outcome: Outcome = roll < 0.6 ? 'approve' : roll < 0.85 ? 'decline' : 'expire';
    return {
      ref: `load-${i}`,
      outcome,
      faults,
      ...(next() < 0.02 ? { gateError: pick([500, 502, 503]) } : {}),
    };
  });
}

/** A keep-alive pool for the shoppers' POSTs; streams get a socket each. */
const pool = new Agent({ keepAlive: true, maxSockets: 128 });

function post(url: string, body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: pool, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A lean SSE follower (node:http, one socket, events split on the blank line): every status
 * event kept; reconnected with Last-Event-ID if the stream ends before a final state.
 */
class Stream {
  readonly received: Delivered[] = [];
  final: Delivered | undefined;
  connections = 0;
  /** Why the follower gave up reconnecting, if it did. */
  gaveUp: string | undefined;
  #lastId: string | undefined;
  #req: ClientRequest | undefined;
  #closed = false;
  #onChange: () => void;

  constructor(
    private readonly url: string,
    onChange: () => void,
  ) {
    this.#onChange = onChange;
    this.#open();
  }

  #open(): void {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (this.#lastId !== undefined) headers['Last-Event-ID'] = this.#lastId;
    const req = request(this.url, { agent: false, headers }, (res) => {
      this.connections++;
      if (res.statusCode !== 200) {
        res.resume();
        if (res.statusCode !== 204) this.#retry(`answered ${res.statusCode}`);
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.#event(block);
        }
      });
      res.on('end', () => this.#retry('ended'));
      res.on('error', () => this.#retry('broke'));
    });
    req.on('error', () => this.#retry('failed'));
    req.end();
    this.#req = req;
  }

  #event(block: string): void {
    const id = /^id: (.*)$/m.exec(block);
    if (id) this.#lastId = id[1];
    const data = /^data: (.*)$/m.exec(block);
    if (!data || !/^event: status$/m.test(block)) return;
    const { seq, status } = JSON.parse(data[1]) as Delivered;
    this.received.push({ seq, status });
    if (!this.final && isTerminal(status)) {
      this.final = { seq, status };
      this.close();
    }
    this.#onChange();
  }

  #retry(why: string): void {
    if (this.#closed || this.final) return;
    if (this.connections > 20) {
      // Given up: the payment counts as lost, and the run says why.
      this.gaveUp = why;
      this.#onChange();
      return;
    }
    this.#open();
  }

  close(): void {
    this.#closed = true;
    this.#req?.destroy();
  }
}

it(`load: ${PAYMENTS} payments at once, faults on`, { timeout: 170_000 }, async (t) => {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'cup-qr-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openSqliteStore({ file: join(dir, 'shop.sqlite') });
  t.after(() => store.close());

  // Lifts corruptSignature once the shop has refused a payment's callback for it.
  const plans = draw(PAYMENTS, random(SEED));
  const byRef = new Map(plans.map((plan) => [plan.ref, plan]));
  const refusedSeen = new Set<string>();
  const server = createServer();
  // A thousand streams connect at once: Node's default accept backlog (511) would drop some
  // connections (and the platform's callbacks among them) until a SYN retransmit seconds later.
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = await startSandbox({
    port: 0,
    // The sales' merchant_callback_url is on this origin: the project's own.
    projects: [{ id: PROJECT_ID, secretKey: SECRET_KEY, callbackUrl: `${url}/cup-qr/callback` }],
    timeScale: TIME_SCALE,
    qrTimeoutSeconds: 600,
    retryDelaysMs: [50, 100, 200, 400, 800, 1600, 3200],
    log: (line) => {
      const refused = / of \d+\/(\S+) -> .* failed \(.*HTTP 403/.exec(line);
      if (refused && !refusedSeen.has(refused[1])) {
        refusedSeen.add(refused[1]);
        const { corruptSignature: _lifted, ...rest } = byRef.get(refused[1])?.faults ?? {};
        sandbox.control.setFaults(rest, { projectId: PROJECT_ID, paymentId: refused[1] });
      }
    },
  });
  t.after(() => sandbox.close());

  const options: CheckoutOptions = {
    projectId: PROJECT_ID,
    secretKey: SECRET_KEY,
    gateUrl: sandbox.url,
    publicUrl: url,
    store,
    // One SSE stream per payment, every one open at once, all from 127.0.0.1.
    streams: { maxTotal: 4 * PAYMENTS, maxPerPayment: 8, maxPerClient: 4 * PAYMENTS },
    // Every shopper of the run comes from 127.0.0.1: no per-client limit on starting payments.
    rateLimit: false,
  };
  const checkout = createCheckout(options);
  server.on('request', toNodeHandler(checkout));
  t.after(async () => {
    await checkout.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    pool.destroy();
  });

  const injected = new Tally();
  for (const plan of plans) {
    if (Object.keys(plan.faults).length > 0) {
      sandbox.control.setFaults(plan.faults, { projectId: PROJECT_ID, paymentId: plan.ref });
    }
    if (plan.gateError) {
      sandbox.control.setFaults(
        { ...plan.faults, gateError: plan.gateError, gateFaultTimes: 1 },
        { projectId: PROJECT_ID, paymentId: plan.ref },
      );
      // The callback faults follow the order to its second attempt.
      sandbox.control.setFaults(plan.faults, { projectId: PROJECT_ID, paymentId: `${plan.ref}~2` });
      byRef.set(`${plan.ref}~2`, plan);
    }
  }

  // Every payment at once: POST /payments (again after a Gate error, as the shopper would)
  // and its stream. Once every stream shows its QR code (or its first state, when the QR
  // code comes only after the result: finalBeforeAwaiting), every shopper answers at once.
  let finals = 0;
  let peakStreams = 0;
  let allFinal!: () => void;
  const everyFinal = new Promise<void>((resolve) => (allFinal = resolve));
  const tracked: { paymentId: string; stream: Stream; expected: PaymentStatus }[] = [];
  const ready: Promise<() => Promise<void>>[] = [];
  await Promise.all(
    plans.map(async (plan) => {
      const payload = JSON.stringify({
        payload: createPayload(order(plan.ref), { secretKey: SECRET_KEY }),
      });
      let answer = await post(`${url}/cup-qr/payments`, payload);
      if (plan.gateError) {
        assert.equal(answer.status, 503, JSON.stringify(answer.body));
        assert.equal(answer.body.error.code, 'gate-unavailable');
        injected.add('gate 5xx');
        answer = await post(`${url}/cup-qr/payments`, payload);
      }
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const { paymentId, token } = answer.body as { paymentId: string; token: string };
      let shown!: () => void;
      const qrShown = new Promise<void>((resolve) => (shown = resolve));
      const stream = new Stream(
        `${url}/cup-qr/payments/${encodeURIComponent(paymentId)}/events?token=${token}`,
        () => {
          peakStreams = Math.max(peakStreams, checkout.stats.streams);
          if (
            plan.faults.finalBeforeAwaiting
              ? stream.received.length > 0
              : stream.received.some((s) => s.status === 'awaiting-customer')
          ) {
            shown();
          }
          if (stream.final && ++finals === plans.length) allFinal();
        },
      );
      tracked.push({ paymentId, stream, expected: EXPECTED[plan.outcome] });
      ready.push(
        qrShown.then(() => async () => {
          if (plan.outcome === 'approve') await sandbox.control.approve(PROJECT_ID, paymentId);
          else if (plan.outcome === 'decline') await sandbox.control.decline(PROJECT_ID, paymentId);
          else await sandbox.control.expire(PROJECT_ID, paymentId);
        }),
      );
    }),
  );
  let readyGuard: ReturnType<typeof setTimeout> | undefined;
  const answers = await Promise.race([
    Promise.all(ready),
    new Promise<never>((_, reject) => {
      readyGuard = setTimeout(() => {
        const stuck = tracked.filter(({ stream }) => stream.received.length === 0);
        reject(
          new Error(`not every QR code showed; e.g. ${stuck.slice(0, 5).map((p) => p.paymentId)}`),
        );
      }, 60_000);
    }),
  ]);
  clearTimeout(readyGuard);
  const allShown = performance.now();
  peakStreams = Math.max(peakStreams, checkout.stats.streams);
  await Promise.all(answers.map((answer) => answer()));

  // Every final push, or the guard (a hung run): what is missing then is lost.
  let guard: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    everyFinal,
    new Promise<void>((resolve) => (guard = setTimeout(resolve, 120_000))),
  ]);
  clearTimeout(guard);
  for (const { stream } of tracked) stream.close();
  const pushed = performance.now();
  await sandbox.control.settled();

  const byStatus = new Tally();
  const problems: string[] = [];
  let delivered = 0;
  let duplicates = 0;
  let lost = 0;
  for (const { paymentId, stream, expected } of tracked) {
    const verdict = account({
      paymentId,
      history: await store.listTransitions(paymentId),
      received: stream.received,
      expected,
    });
    if (verdict.final) byStatus.add(verdict.final);
    if (stream.final) delivered++;
    else {
      lost++;
      problems.push(`${paymentId}: lost${stream.gaveUp ? ` (its stream ${stream.gaveUp})` : ''}`);
    }
    duplicates += verdict.duplicateFinals;
    problems.push(...verdict.problems);
  }
  // Not a fault of the run's: attempts the shop did not answer in time (the sandbox's
  // deliveryTimeoutMs) while it was saturated; the platform retried them.
  const unanswered = sandbox.control
    .deliveries()
    .filter((a) => !a.delivered && !a.simulated && a.httpStatus === undefined).length;
  countDeliveryFaults(
    injected,
    sandbox,
    tracked.map((p) => p.paymentId),
    null,
  );
  for (const { paymentId } of tracked) {
    if (!byRef.get(paymentId)?.faults.callbackDelayMs) continue;
    const deliveries = sandbox.control.payment(PROJECT_ID, paymentId)!.deliveries;
    injected.add('delayed', new Set(deliveries.map((d) => d.deliveryId)).size);
  }
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `load: ${tracked.length} payments (seed ${SEED}), ${injected.total} faults injected (${injected}), ` +
      `${byStatus.total} terminal (${byStatus}), ${delivered} pushes delivered, ` +
      `${duplicates} duplicates delivered, ${lost} lost; ${unanswered} callback attempts ` +
      `unanswered within the platform's timeout while the shop was saturated (retried); at most ${peakStreams} streams open at once; ` +
      `every QR code shown in ${seconds(allShown - started)}, every result pushed ${seconds(pushed - allShown)} later, wall ${seconds(performance.now() - started)}`,
  );

  assert.equal(tracked.length, PAYMENTS);
  assert.equal(lost, 0, 'every payment got its final push');
  assert.equal(duplicates, 0);
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
  assert.equal(byStatus.total, PAYMENTS);
  assert.ok(injected.total > 0);
  assert.equal(
    sandbox.control.payments().filter((p) => p.status === 'success').length,
    byStatus.counts.get('success'),
  );
  assert.deepEqual(checkout.stats, { streams: 0, timers: 0, payments: 0 }, 'no stream left open');
});
