/**
 * What forged callbacks cost (issue #13: a 60 KB unsigned callback once took 33-60 ms of CPU
 * before its 403, and 27 of them a second raised an innocent status poll from 1.2 ms to
 * 155 ms median). The forged body is the worst that still gets to the HMAC: just under the
 * 16 KiB limit, shaped like a callback, as many leaves as the shape check lets through, each
 * with a digit run (the natural ordering's work), a signature of the right length that does
 * not verify.
 *
 * - refusal: the checkout handler in process (no HTTP, as throughput.ts), forged and valid
 *   callbacks alternated, each timed alone; the baseline is a valid small callback (verified,
 *   stored, applied, published).
 * - polling: the server in its own process (SQLite store), one status poll at a time every
 *   20 ms, first alone (the baseline), then while forged callbacks arrive at 30/s.
 */
import { Agent } from 'node:http';
import { MemoryHub } from '../src/server/hub.js';
import { MAX_CALLBACK_LEAVES } from '../src/server/callback-shape.js';
import { MemoryStore } from '../src/server/stores/memory.js';
import {
  httpRequest,
  inProcessCheckout,
  IN_PROCESS_URL,
  PREFIX,
  PROJECT_ID,
  seedPayments,
  statusPath,
  successCallback,
  summarize,
} from './common.js';
import { startServerProcess } from './server-process.js';

/** The callback body limit the figures are about (the default `maxCallbackBytes`). */
const LIMIT = 16 * 1024;

/** A forged callback just under the limit that passes the shape check and fails the HMAC. */
export function forgedCallback(paymentId: string): string {
  const head = JSON.stringify({
    project_id: PROJECT_ID,
    payment: { id: paymentId, status: 'success', sum: { amount: 30000, currency: 'CNY' } },
    signature: `${'A'.repeat(86)}==`,
  });
  // The head has 6 leaves; the items fill the rest of the cap, and of the 16 KiB.
  const count = MAX_CALLBACK_LEAVES - 6;
  const width = Math.floor((LIMIT - 16 - head.length - 10) / count) - 3;
  const items: string[] = [];
  let size = head.length + ',"pad":[]'.length;
  for (let i = 0; items.length < count; i++) {
    const item = JSON.stringify(`item${i}-${String(i * 7919).padStart(width - 6, '0')}`);
    if (size + item.length + 1 > LIMIT - 16) break;
    items.push(item);
    size += item.length + 1;
  }
  return `${head.slice(0, -1)},"pad":[${items.join(',')}]}`;
}

export interface RefusalResult {
  bytes: number;
  forged: ReturnType<typeof summarize>;
  valid: ReturnType<typeof summarize>;
}

/** Each forged refusal and each valid callback timed alone, `n` of each, alternated. */
export async function benchRefusal(n = 2000): Promise<RefusalResult> {
  const store = new MemoryStore();
  const hub = new MemoryHub();
  const checkout = inProcessCheckout(store, hub);
  const warmUp = 200;
  try {
    const payments = await seedPayments(store, n + warmUp, `refusal-${Date.now()}`);
    const forged = forgedCallback(payments[0].paymentId);
    const url = `${IN_PROCESS_URL}${PREFIX}/callback`;
    const post = async (body: string, expected: number): Promise<number> => {
      const request = new Request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      const start = performance.now();
      const response = await checkout.fetch(request);
      await response.arrayBuffer();
      const ms = performance.now() - start;
      if (response.status !== expected) {
        throw new Error(`a callback answered ${response.status}, expected ${expected}`);
      }
      return ms;
    };
    const forgedMs: number[] = [];
    const validMs: number[] = [];
    for (const [i, payment] of payments.entries()) {
      const f = await post(forged, 403);
      const v = await post(successCallback(payment.paymentId, i + 1), 200);
      if (i >= warmUp) {
        forgedMs.push(f);
        validMs.push(v);
      }
    }
    return {
      bytes: Buffer.byteLength(forged),
      forged: summarize(forgedMs),
      valid: summarize(validMs),
    };
  } finally {
    await checkout.close();
    await hub.close();
  }
}

export interface PollingResult {
  forgedPerSecond: number;
  forgedSent: number;
  quiet: ReturnType<typeof summarize>;
  underAttack: ReturnType<typeof summarize>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls one payment's status, one request at a time, every `intervalMs`, for `ms`. */
async function poll(url: string, ms: number, intervalMs: number): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const start = performance.now();
    const answer = await httpRequest(url, 'GET');
    latencies.push(performance.now() - start);
    if (answer.status !== 200) throw new Error(`the status poll answered ${answer.status}`);
    await sleep(intervalMs);
  }
  return latencies;
}

/** An innocent status poll's latency alone, then while forged callbacks arrive at `perSecond`. */
export async function benchPollingUnderForgery(
  perSecond = 30,
  phaseMs = 5000,
  intervalMs = 20,
): Promise<PollingResult> {
  const server = await startServerProcess({
    mode: 'checkout',
    store: 'sqlite',
    payments: 10,
    heartbeatMs: 15_000,
  });
  // The forger's own sockets: its requests never queue in front of the poll's.
  const forger = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const [polled, target] = server.payments;
    const pollUrl = `${server.url}${statusPath(polled)}`;
    await poll(pollUrl, 1000, intervalMs); // warm-up
    const quiet = await poll(pollUrl, phaseMs, intervalMs);

    const forged = forgedCallback(target.paymentId);
    let sent = 0;
    let stop = false;
    const posts: Promise<void>[] = [];
    const attack = (async () => {
      const start = performance.now();
      while (!stop) {
        const due = start + (sent * 1000) / perSecond;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        sent++;
        posts.push(
          httpRequest(`${server.url}${PREFIX}/callback`, 'POST', forged, forger).then((r) => {
            if (r.status !== 403) throw new Error(`a forged callback answered ${r.status}`);
          }),
        );
      }
    })();
    const underAttack = await poll(pollUrl, phaseMs, intervalMs);
    stop = true;
    await attack;
    await Promise.all(posts);
    return {
      forgedPerSecond: perSecond,
      forgedSent: sent,
      quiet: summarize(quiet),
      underAttack: summarize(underAttack),
    };
  } finally {
    forger.destroy();
    await server.stop();
  }
}
