/**
 * The event hub: how a state change stored by the instance that received the callback reaches
 * the streams held by any instance. {@link MemoryHub} serves one process; a Redis hub (pub/sub
 * on a channel per payment) implements the same interface for several. Messages carry the
 * changed state ({@link PaymentUpdate}, JSON-safe, no secrets), so a stream renders it without
 * reading the store again; a stream drops any
 * message whose `seq` it has already sent, so order and duplicates do not matter.
 */
import type { PaymentUpdate } from './store.js';
import { updateOf } from './view.js';

export type HubListener = (payment: PaymentUpdate) => void;

export interface Hub {
  /**
   * Tells every subscriber of the payment; resolves once it is handed to the transport. Send
   * only the {@link PaymentUpdate} fields (`updateOf`): a record passed in carries more.
   */
  publish(payment: PaymentUpdate): Promise<void>;
  /** Listens to one payment; resolves with the function that stops listening. */
  subscribe(paymentId: string, listener: HubListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export class MemoryHub implements Hub {
  readonly #listeners = new Map<string, Set<HubListener>>();

  async publish(payment: PaymentUpdate): Promise<void> {
    const listeners = this.#listeners.get(payment.paymentId);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      // One failing stream must not keep the others from hearing the change.
      try {
        listener(updateOf(payment));
      } catch {
        /* the stream closes itself on its own errors */
      }
    }
  }

  async subscribe(paymentId: string, listener: HubListener): Promise<() => Promise<void>> {
    let listeners = this.#listeners.get(paymentId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(paymentId, listeners);
    }
    // A fresh wrapper per subscription: the same function subscribed twice is two listeners.
    const entry: HubListener = (payment) => listener(payment);
    listeners.add(entry);
    return async () => {
      const set = this.#listeners.get(paymentId);
      if (!set) return;
      set.delete(entry);
      if (set.size === 0) this.#listeners.delete(paymentId);
    };
  }

  /** Listeners now, in all (tests check that closed streams leave none). */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
