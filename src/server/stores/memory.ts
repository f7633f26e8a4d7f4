/**
 * A {@link Store} in memory, for tests and single-process demos: lost on restart. Records are
 * copied in and out, so a caller changing one changes nothing stored. A payment's tokens are
 * kept apart from its record, as in the other stores, so that writing a record read before a
 * token was issued cannot drop that token.
 */
import type { CallbackRecord, PaymentRecord, Period, Store, TransitionRecord } from '../store.js';
import { transitionOf } from '../store.js';
import {
  planTokenIssue,
  tokenUseOf,
  type StoredToken,
  type TokenIssue,
  type TokenRules,
} from '../tokens.js';

const copy = <T>(value: T): T => structuredClone(value);

type StoredPayment = Omit<PaymentRecord, 'tokenHashes' | 'tokenUse'>;

export class MemoryStore implements Store {
  readonly #payments = new Map<string, StoredPayment>();
  readonly #tokens = new Map<string, StoredToken[]>();
  readonly #transitions = new Map<string, TransitionRecord[]>();
  readonly #callbacks: CallbackRecord[] = [];

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
    const { tokenHashes: _tokens, tokenUse: _use, ...stored } = next;
    this.#payments.set(next.paymentId, copy(stored));
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

  async recordCallback(callback: CallbackRecord): Promise<void> {
    this.#callbacks.push(copy(callback));
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
