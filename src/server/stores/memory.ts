/**
 * A {@link Store} in memory, for tests and single-process demos: lost on restart. Records are
 * copied in and out, so a caller changing one changes nothing stored. A payment's tokens are
 * kept apart from its record, as in the other stores, so that writing a record read before a
 * token was issued cannot drop that token.
 */
import {
  planTokenIssue,
  tokenUseOf,
  type StoredToken,
  type TokenIssue,
  type TokenRules,
} from '../tokens.js';
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

type StoredPayment = Omit<PaymentRecord, 'tokenHashes' | 'tokenUse'>;

export class MemoryStore implements Store {
  readonly #payments = new Map<string, StoredPayment>();
  readonly #tokens = new Map<string, StoredToken[]>();
  readonly #transitions = new Map<string, TransitionRecord[]>();
  readonly #callbacks: CallbackRecord[] = [];
  /** `paymentId` and `bodySha256` -> the record that body was first kept in. */
  readonly #callbackIndex = new Map<string, CallbackRecord>();

  #out(payment: StoredPayment | undefined): PaymentRecord | undefined {
    if (!payment) return undefined;
    const tokens = this.#tokens.get(payment.paymentId) ?? [];
    return { ...copy(payment), tokenHashes: tokens.map((t) => t.hash), ...tokenUseOf(tokens) };
  }

  async createPayment(payment: PaymentRecord): Promise<boolean> {
    if (this.#payments.has(payment.paymentId)) return false;
    const { tokenHashes, tokenUse: _ignored, ...stored } = payment;
    this.#payments.set(payment.paymentId, copy(stored));
    this.#tokens.set(
      payment.paymentId,
      tokenHashes.map((hash) => ({ hash, issuedAt: payment.createdAt })),
    );
    this.#transitions.set(payment.paymentId, [transitionOf(payment)]);
    return true;
  }

  async getPayment(paymentId: string): Promise<PaymentRecord | undefined> {
    return this.#out(this.#payments.get(paymentId));
  }

  async latestAttempt(orderRef: string): Promise<PaymentRecord | undefined> {
    let latest: StoredPayment | undefined;
    for (const payment of this.#payments.values()) {
      if (payment.orderRef === orderRef && (!latest || payment.attempt > latest.attempt)) {
        latest = payment;
      }
    }
    return this.#out(latest);
  }

  async updatePayment(next: PaymentRecord, expectedSeq: number): Promise<boolean> {
    const current = this.#payments.get(next.paymentId);
    if (!current || current.seq !== expectedSeq) return false;
    // The tokens are issueToken's alone, the disagreement setGateDisagreement's.
    const { tokenHashes: _tokens, tokenUse: _use, gateDisagreement: _ignored, ...rest } = next;
    const stored = copy(rest);
    const kept = current.gateDisagreement;
    this.#payments.set(next.paymentId, kept ? { ...stored, gateDisagreement: kept } : stored);
    this.#transitions.get(next.paymentId)?.push(transitionOf(next));
    return true;
  }

  async issueToken(
    paymentId: string,
    tokenHash: string,
    now: number,
    rules: TokenRules,
  ): Promise<TokenIssue> {
    const tokens = this.#tokens.get(paymentId);
    if (!tokens) return { ok: false, reason: 'unknown-payment' };
    const plan = planTokenIssue(tokens, now, rules);
    if (!plan.ok) return plan;
    const kept = tokens.filter((t) => !plan.drop.includes(t.hash));
    this.#tokens.set(paymentId, [...kept, { hash: tokenHash, issuedAt: now }]);
    return { ok: true };
  }

  async touchToken(paymentId: string, tokenHash: string, now: number): Promise<void> {
    const token = this.#tokens.get(paymentId)?.find((t) => t.hash === tokenHash);
    if (token) token.usedAt = now;
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
      .map((p) => this.#out(p)!);
  }

  async listCallbacks({ from, to }: Period): Promise<CallbackRecord[]> {
    return this.#callbacks.filter((c) => c.receivedAt >= from && c.receivedAt < to).map(copy);
  }

  async listTransitions(paymentId: string): Promise<TransitionRecord[]> {
    return (this.#transitions.get(paymentId) ?? []).map(copy);
  }

  async close(): Promise<void> {}
}
