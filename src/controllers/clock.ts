/**
 * Time as the controllers see it: injectable, so tests drive countdowns, reconnects and polls
 * with a fake clock instead of waiting.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (the wall clock may be wrong or jump). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A clock that asks `source` for the one in force at each call (a host's `clock` may change). */
export function clockOf(source: () => Clock): Clock {
  return {
    now: () => source().now(),
    setTimeout: (callback, ms) => source().setTimeout(callback, ms),
    clearTimeout: (handle) => source().clearTimeout(handle),
  };
}
