/**
 * Push latency: `n` open checkouts on one server process (SQLite store), each with an SSE
 * stream; a signed success callback posted for each, paced at `ratePerSecond`; the time from
 * sending the callback to the stream's client receiving the event.
 *
 * The baseline is real polling, measured in the same run: `n` other payments of the same
 * server, each polled (`GET /payments/:id`) every `pollMs` from a random phase, as Adyen's
 * drop-in does at 2 s; the time from sending the callback to the poll answer that shows it.
 * Polling runs first, so it also warms the server up before push is timed.
 *
 * The pace (200 callbacks/s by default) is far above what 1,000 open checkouts produce (each
 * gets about two callbacks in its minutes of life) and below the in-process capacity, so the
 * figure is the latency of an unsaturated server, not a queue.
 */
import {
  eventsPath,
  httpRequest,
  inBatches,
  PREFIX,
  statusPath,
  successCallback,
  summarize,
  type BenchPayment,
} from './common.js';
import { startServerProcess } from './server-process.js';
import { openStream, type BenchStream } from './sse-stream.js';

export interface PushResult {
  checkouts: number;
  ratePerSecond: number;
  pollMs: number;
  push: ReturnType<typeof summarize>;
  polling: ReturnType<typeof summarize>;
}

/** Posts each payment's success callback at the pace; resolves with when each was sent. */
async function sendCallbacks(
  url: string,
  payments: readonly BenchPayment[],
  ratePerSecond: number,
  sent: Map<string, number>,
): Promise<void> {
  const start = performance.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < payments.length; i++) {
    const due = start + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = successCallback(payments[i].paymentId, i + 1);
    sent.set(payments[i].paymentId, performance.now());
    posts.push(
      httpRequest(`${url}${PREFIX}/callback`, 'POST', body).then((r) => {
        if (r.status !== 200) throw new Error(`callback answered ${r.status}: ${r.body}`);
      }),
    );
  }
  await Promise.all(posts);
}

/** Resolves once `count()` reaches `n`, checked whenever `tick` is called. */
function counter(n: number): { tick(): void; done: Promise<void> } {
  let seen = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    tick() {
      if (++seen === n) resolve();
    },
    done: n === 0 ? Promise.resolve() : done,
  };
}

export async function benchPush(
  n: number,
  ratePerSecond = 200,
  pollMs = 2000,
): Promise<PushResult> {
  const server = await startServerProcess({
    mode: 'checkout',
    store: 'sqlite',
    payments: 2 * n,
    heartbeatMs: 15_000,
  });
  try {
    const streamed = server.payments.slice(0, n);
    const polled = server.payments.slice(n);

    // Polling first: it also warms the server up (JIT, SQLite pages) before push is timed.
    const polledSent = new Map<string, number>();
    const pollLatencies: number[] = [];
    const polledDone = counter(n);
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const origin = performance.now();
    for (const payment of polled) {
      const phase = Math.random() * pollMs;
      const poll = (k: number): void => {
        const timer = setTimeout(
          async () => {
            timers.delete(timer);
            const answer = await httpRequest(`${server.url}${statusPath(payment)}`, 'GET');
            const at = performance.now();
            if (answer.body.includes('"status":"success"')) {
              pollLatencies.push(at - polledSent.get(payment.paymentId)!);
              polledDone.tick();
            } else {
              poll(k + 1);
            }
          },
          Math.max(0, origin + phase + k * pollMs - performance.now()),
        );
        timers.add(timer);
      };
      poll(0);
    }
    // Let every poller settle into its rhythm first, as shoppers' pages would have.
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    await sendCallbacks(server.url, polled, ratePerSecond, polledSent);
    await polledDone.done;
    for (const timer of timers) clearTimeout(timer);

    // Push: every stream open and showing the QR code before the first callback.
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const initial = counter(n);
    const final = counter(n);
    const streams: BenchStream[] = [];
    await inBatches(streamed, 100, async (payment) => {
      let first = true;
      const stream = openStream(`${server.url}${eventsPath(payment)}`, {
        onEvent(data, at) {
          if (first) {
            first = false;
            initial.tick();
            return;
          }
          if (data.includes('"status":"success"')) {
            latencies.push(at - sent.get(payment.paymentId)!);
            final.tick();
          }
        },
      });
      streams.push(stream);
      const status = await stream.opened;
      if (status !== 200) throw new Error(`stream answered ${status}`);
    });
    await initial.done;
    await sendCallbacks(server.url, streamed, ratePerSecond, sent);
    await final.done;
    for (const stream of streams) stream.close();

    return {
      checkouts: n,
      ratePerSecond,
      pollMs,
      push: summarize(latencies),
      polling: summarize(pollLatencies),
    };
  } finally {
    await server.stop();
  }
}
