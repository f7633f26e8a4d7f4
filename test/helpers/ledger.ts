/**
 * The bookkeeping of the fault and load suites: for each payment, what the store holds (its
 * history) and what its element was sent (a follower's events), checked against the rules of
 * DESIGN.md: one final state per payment, never changed; every change one `seq` up; the final
 * state delivered to the element exactly once, and never a second, conflicting one.
 */
import { isTerminal, type PaymentStatus } from '../../src/wire/status.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TransitionRecord } from '../../src/server/store.js';
import { PROJECT_ID } from './toolkit.js';

/** A received state, as a follower (or the load run's lean client) records it. */
export interface Delivered {
  seq: number;
  status: PaymentStatus;
}

export interface PaymentAccount {
  paymentId: string;
  /** The store's history of the payment, oldest first. */
  history: readonly TransitionRecord[];
  /** Every status event the element's streams received, in arrival order. */
  received: readonly Delivered[];
  /** The status the test drove the payment to (approve, decline, expire...). */
  expected?: PaymentStatus;
}

export interface Verdict {
  /** The store's final state, if it has one. */
  final?: PaymentStatus;
  /** Final states the element acted on (distinct `seq` above every earlier one): 1. */
  finalsAccepted: number;
  /** Final-state events sent beyond the first (the element drops them by seq): 0. */
  duplicateFinals: number;
  /** What is wrong, in words; empty when the payment is accounted for. */
  problems: string[];
}

/** Checks one payment; `problems` lists every rule it breaks. */
export function account(payment: PaymentAccount): Verdict {
  const problems: string[] = [];
  const id = payment.paymentId;
  const { history, received } = payment;
  history.forEach((entry, index) => {
    if (entry.seq !== index) problems.push(`${id}: history entry ${index} has seq ${entry.seq}`);
  });
  const finals = history.filter((entry) => isTerminal(entry.status));
  if (finals.length !== 1) {
    problems.push(`${id}: ${finals.length} final states stored (${statuses(history)})`);
  } else if (history.at(-1) !== finals[0]) {
    problems.push(`${id}: a change after the final state (${statuses(history)})`);
  }
  const final = finals[0]?.status;
  if (payment.expected && final !== payment.expected) {
    problems.push(`${id}: ended ${final ?? 'nowhere'}, expected ${payment.expected}`);
  }

  // The element's view: states with a seq above every earlier one.
  let lastSeq = -1;
  const accepted: Delivered[] = [];
  for (const state of received) {
    if (state.seq <= lastSeq) continue;
    lastSeq = state.seq;
    accepted.push(state);
    const stored = history[state.seq];
    if (!stored || stored.status !== state.status) {
      problems.push(
        `${id}: sent ${state.status} as seq ${state.seq}, the store has ${stored?.status ?? 'nothing'}`,
      );
    }
  }
  const finalsAccepted = accepted.filter((state) => isTerminal(state.status)).length;
  const sentFinals = received.filter((state) => isTerminal(state.status));
  if (finalsAccepted !== 1) problems.push(`${id}: the element got ${finalsAccepted} final states`);
  if (sentFinals.length > 1)
    problems.push(`${id}: the final state was sent ${sentFinals.length} times`);
  if (sentFinals.some((state) => state.status !== sentFinals[0].status)) {
    problems.push(`${id}: conflicting final states sent (${statuses(sentFinals)})`);
  }
  if (final && sentFinals.length > 0 && sentFinals[0].status !== final) {
    problems.push(`${id}: the element was told ${sentFinals[0].status}, the store has ${final}`);
  }
  return {
    ...(final ? { final } : {}),
    finalsAccepted,
    duplicateFinals: Math.max(0, sentFinals.length - 1),
    problems,
  };
}

function statuses(list: readonly { status: string }[]): string {
  return list.map((entry) => entry.status).join(' -> ');
}

/** Counts by key, printed as `a 3, b 1` (keys in insertion order). */
export class Tally {
  readonly counts = new Map<string, number>();

  add(key: string, n = 1): void {
    if (n > 0) this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  toString(): string {
    return [...this.counts].map(([key, n]) => `${key} ${n}`).join(', ');
  }
}

/**
 * Counts, from the sandbox's delivery log, the faults that acted on these payments' callbacks:
 * duplicate copies, callbacks reordered, attempts refused or whose answer was lost, callbacks
 * refused for their signature, attempts that failed on the shop's side (down or its store down).
 */
export function countDeliveryFaults(
  injected: Tally,
  sandbox: Sandbox,
  paymentIds: readonly string[],
  /** The kind failed attempts of the shop count as; `null`: not a fault of the test's. */
  failed: string | null = 'delivery failed (shop down)',
): void {
  for (const id of paymentIds) {
    const payment = sandbox.control.payment(PROJECT_ID, id);
    if (!payment) continue;
    const deliveries = new Set(payment.deliveries.map((d) => d.deliveryId));
    injected.add('duplicate', deliveries.size - payment.callbacks.length);
    const firstOf = (final: boolean): number =>
      payment.deliveries.findIndex(
        (d) => (d.callbackStatus === 'awaiting customer action') !== final,
      );
    if (firstOf(false) > firstOf(true) && firstOf(true) >= 0) injected.add('reordered');
    for (const attempt of payment.deliveries) {
      if (attempt.simulated === 'unreachable') injected.add('delivery refused');
      else if (attempt.simulated === 'answer-lost') injected.add('answer lost');
      else if (attempt.httpStatus === 403) injected.add('bad signature');
      else if (!attempt.delivered && failed !== null) injected.add(failed);
    }
  }
}
