/**
 * A {@link Store} in memory, for tests and single-process demos: lost on restart. Records are
 * copied in and out, so a caller changing one changes nothing stored.
 */
import type { CallbackRecord, PaymentRecord, Period, Store, TransitionRecord } from '../store.js';
import { transitionOf } from '../store.js';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryStore implements Store {
  readonly #payments = new Map<string, PaymentRecord>();
  readonly #transitions = new Map<string, TransitionRecord[]>();
  readonly #callbacks: CallbackRecord[] = [];

  async createPayment(payment: PaymentRecord): Promise<boolean> {
    if (this.#payments.has(payment.paymentId)) return false;
    this.#payments.set(payment.paymentId, copy(payment));
    this.#transitions.set(payment.paymentId, [transitionOf(payment)]);
    return true;
  }

  async getPayment(paymentId: string): Promise<PaymentRecord | undefined> {
    const payment = this.#payments.get(paymentId);
    return payment && copy(payment);
  }

  async latestAttempt(orderRef: string): Promise<PaymentRecord | undefined> {
    let latest: PaymentRecord | undefined;
    for (const payment of this.#payments.values()) {
      if (payment.orderRef === orderRef && (!latest || payment.attempt > latest.attempt)) {
        latest = payment;
      }
    }
    return latest && copy(latest);
  }

  async updatePayment(next: PaymentRecord, expectedSeq: number): Promise<boolean> {
    const current = this.#payments.get(next.paymentId);
    if (!current || current.seq !== expectedSeq) return false;
    this.#payments.set(next.paymentId, copy(next));
    this.#transitions.get(next.paymentId)?.push(transitionOf(next));
    return true;
  }

  async addTokenHash(paymentId: string, tokenHash: string, keep: number): Promise<void> {
    const payment = this.#payments.get(paymentId);
    if (!payment) return;
    payment.tokenHashes = [...payment.tokenHashes, tokenHash].slice(-keep);
  }

  async recordCallback(callback: CallbackRecord): Promise<void> {
    this.#callbacks.push(copy(callback));
  }

  async listPayments({ from, to }: Period): Promise<PaymentRecord[]> {
    return [...this.#payments.values()]
      .filter((p) => p.createdAt >= from && p.createdAt < to)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(copy);
  }

  async listCallbacks({ from, to }: Period): Promise<CallbackRecord[]> {
    return this.#callbacks.filter((c) => c.receivedAt >= from && c.receivedAt < to).map(copy);
  }

  async listTransitions(paymentId: string): Promise<TransitionRecord[]> {
    return (this.#transitions.get(paymentId) ?? []).map(copy);
  }

  async close(): Promise<void> {}
}
