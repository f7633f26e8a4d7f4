/**
 * Callback throughput: the checkout handler's `POST /callback` called in process (no HTTP:
 * the figure is the toolkit's own work), `concurrency` at a time: parse, verify the signature,
 * record the callback, compare-and-set the payment, publish to a listening hub. Each payment
 * gets its success callback once. The callbacks are signed before the clock starts: signing
 * is the platform's work.
 */
import { MemoryHub } from '../src/server/hub.js';
import type { Store } from '../src/server/store.js';
import {
  inBatches,
  inProcessCheckout,
  IN_PROCESS_URL,
  PREFIX,
  seedPayments,
  successCallback,
} from './common.js';

export interface ThroughputResult {
  callbacks: number;
  concurrency: number;
  perSecond: number;
}

export async function benchThroughput(
  store: Store,
  n: number,
  concurrency = 16,
): Promise<ThroughputResult> {
  const hub = new MemoryHub();
  const checkout = inProcessCheckout(store, hub);
  try {
    const payments = await seedPayments(store, n, `tp-${Date.now()}`);
    let heard = 0;
    for (const p of payments) await hub.subscribe(p.paymentId, () => heard++);
    const bodies = payments.map((p, i) => successCallback(p.paymentId, i + 1));
    const url = `${IN_PROCESS_URL}${PREFIX}/callback`;
    const start = performance.now();
    await inBatches(bodies, concurrency, async (body) => {
      const response = await checkout.fetch(
        new Request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
      );
      if (response.status !== 200) throw new Error(`callback answered ${response.status}`);
    });
    const seconds = (performance.now() - start) / 1000;
    if (heard !== n) throw new Error(`published ${heard} of ${n}`);
    return { callbacks: n, concurrency, perSecond: n / seconds };
  } finally {
    await checkout.close();
    await hub.close();
  }
}
