/**
 * A {@link Store} in memory, for tests and single-process demos: lost on restart. Records are
 * copied in and out, so a caller changing one changes nothing stored.
 */
import type {
  CallbackRecord,
  GateDisagreement,
  PaymentRecord,
  Period,
  ReceivedCallback,
  Store,
  TransitionRecord,
} from '../store.js';
import { outcomeChangedState, transitionOf } from '../store.js';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryStore implements Store {
  readonly #payments = new Map<string, PaymentRecord>();
  readonly #transitions = new Map<string, TransitionRecord[]>();
  readonly #callbacks: CallbackRecord[] = [];
  /** `paymentId` and `bodySha256` -> the record that body was first kept in. */
  readonly #callbackIndex = new Map<string, CallbackRecord>();

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
    // The disagreement is setGateDisagreement's alone.
    const { gateDisagreement: _ignored, ...rest } = copy(next);
    const kept = current.gateDisagreement;
    this.#payments.set(next.paymentId, kept ? { ...rest, gateDisagreement: kept } : rest);
    this.#transitions.get(next.paymentId)?.push(transitionOf(next));
    return true;
  }

  async addTokenHash(paymentId: string, tokenHash: string, keep: number): Promise<void> {
    const payment = this.#payments.get(paymentId);
    if (!payment) return;
    payment.tokenHashes = [...payment.tokenHashes, tokenHash].slice(-keep);
  }

  async recordCallback(callback: ReceivedCallback): Promise<boolean> {
    const key = `${callback.paymentId}\u0000${callback.bodySha256}`;
    const kept = this.#callbackIndex.get(key);
    if (kept) {
      kept.count++;
      kept.lastReceivedAt = Math.max(kept.lastReceivedAt, callback.receivedAt);
      if (outcomeChangedState(callback.outcome)) kept.outcome = callback.outcome;
      return false;
    }
    const record: CallbackRecord = {
      ...copy(callback),
      count: 1,
      lastReceivedAt: callback.receivedAt,
    };
    this.#callbacks.push(record);
    this.#callbackIndex.set(key, record);
    return true;
  }

  async setGateDisagreement(
    paymentId: string,
    disagreement: GateDisagreement | undefined,
  ): Promise<void> {
    const payment = this.#payments.get(paymentId);
    if (!payment) return;
    if (disagreement) payment.gateDisagreement = copy(disagreement);
    else delete payment.gateDisagreement;
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
