/**
 * Platform time, compressed by `timeScale`, and every timer the sandbox starts, kept in one
 * place so that `close()` can cancel them all and `node --test` exits.
 */

/** Rejects a pending {@link Clock.sleep} when the sandbox closes. */
export class ClockClosedError extends Error {
  override readonly name = 'ClockClosedError';
  constructor() {
    super('the sandbox is closed');
  }
}

interface Pending {
  timer: NodeJS.Timeout;
  cancel: () => void;
}

export class Clock {
  readonly #timers = new Set<Pending>();
  #closed = false;

  /** `scale`: real milliseconds per platform millisecond (0.01 = 100x faster). */
  constructor(readonly scale: number) {
    if (!Number.isFinite(scale) || scale <= 0) {
      throw new TypeError(`timeScale must be a positive number (got ${scale})`);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Real milliseconds for `platformMs` of platform time. */
  real(platformMs: number): number {
    return Math.max(0, Math.round(platformMs * this.scale));
  }

  /** Calls `fn` after `realMs`; returns a cancel function. Nothing runs once closed. */
  timeout(realMs: number, fn: () => void): () => void {
    if (this.#closed) return () => {};
    const entry: Pending = {
      timer: setTimeout(() => {
        this.#timers.delete(entry);
        fn();
      }, realMs),
      cancel: () => {
        clearTimeout(entry.timer);
        this.#timers.delete(entry);
      },
    };
    this.#timers.add(entry);
    return entry.cancel;
  }

  /** Waits `realMs` (always asynchronously); rejects with {@link ClockClosedError} on close. */
  sleep(realMs: number): Promise<void> {
    if (this.#closed) return Promise.reject(new ClockClosedError());
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, realMs),
        cancel: () => {
          clearTimeout(entry.timer);
          this.#timers.delete(entry);
          reject(new ClockClosedError());
        },
      };
      this.#timers.add(entry);
    });
  }

  /** Cancels every timer; pending sleeps reject. */
  close(): void {
    this.#closed = true;
    for (const entry of [...this.#timers]) entry.cancel();
  }
}
