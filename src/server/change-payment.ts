/**
 * The one way the toolkit changes a stored payment: {@link changePayment} reads the payment,
 * lets a step decide the next record, writes it with optimistic concurrency (a concurrent
 * writer, on this instance or another, makes it read and decide again), then publishes what it
 * wrote to the streams. Stored first, published second: a stream that (re)connects in between
 * reads the change from the store anyway. The callback receiver, `refresh()` and the start of
 * a payment (a refused sale) all go through it.
 */
import type { CheckoutContext } from './context.js';
import { logText } from '../shared/log-text.js';
import type { PaymentRecord, Store } from './store.js';
import { updateOf } from './view.js';

/** A step: the next record (seq + 1) for the current one, or undefined for no change. */
export type PaymentStep = (current: PaymentRecord) => PaymentRecord | undefined;

/** What {@link changePayment} did: the record as it now stands, and the one it wrote. */
export interface PaymentChange {
  /** The payment after the change (or as it was, when the step changed nothing); undefined: unknown. */
  current: PaymentRecord | undefined;
  /** The record written, when the step changed the payment. */
  written?: PaymentRecord;
}

/** How often a step is tried again when others keep writing the same payment first. */
const MAX_TRIES = 20;

/**
 * Moves a payment on with optimistic concurrency: `step` gets the current record and returns
 * the next one or undefined for no change; a concurrent writer makes it read and try again.
 */
async function updateWithRetry(
  store: Store,
  paymentId: string,
  step: PaymentStep,
): Promise<PaymentChange> {
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const current = await store.getPayment(paymentId);
    if (!current) return { current };
    const next = step(current);
    if (!next) return { current };
    if (await store.updatePayment(next, current.seq)) return { current: next, written: next };
  }
  throw new Error(`payment ${paymentId}: too many concurrent updates`);
}

/**
 * Publishes a stored change. A failed publish is logged, not thrown: the change is stored, and
 * a stream that missed it gets it on its next (re)connect or poll.
 */
async function publish(ctx: CheckoutContext, payment: PaymentRecord): Promise<void> {
  try {
    await ctx.hub.publish(updateOf(payment));
  } catch (error) {
    ctx.log(`publishing ${logText(payment.paymentId)} failed`, error);
  }
}

/**
 * Changes payment `paymentId` by `step` (see {@link PaymentStep}), then publishes the record it
 * wrote. `stored`, when given, runs after the write and before the publish, whether or not the
 * step changed anything: for what else is stored of the same event (the callback's record), so
 * that everything is stored before any stream hears of it.
 */
export async function changePayment(
  ctx: CheckoutContext,
  paymentId: string,
  step: PaymentStep,
  stored?: (change: PaymentChange) => Promise<unknown>,
): Promise<PaymentChange> {
  const change = await updateWithRetry(ctx.store, paymentId, step);
  await stored?.(change);
  if (change.written) await publish(ctx, change.written);
  return change;
}
