/**
 * The QR code's countdown. It counts down from the seconds the server said were left
 * (`qr.expiresInSeconds`), on a monotonic clock, so a wrong clock on the shopper's device
 * does not matter. It tells the host every second and, at a calm cadence, when a screen
 * reader should hear the time: each whole minute, every 15 s in the last minute, and at 10 s.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { realClock, type Clock } from './clock.js';

export interface CountdownOptions {
  /** Called once when the time runs out. */
  onExpire?: () => void;
  clock?: Clock;
}

/** Whether `seconds` left is a moment to announce (never 0: expiry speaks for itself). */
export function isAnnouncementPoint(seconds: number): boolean {
  if (seconds <= 0) return false;
  if (seconds > 60) return seconds % 60 === 0;
  return seconds % 15 === 0 || seconds === 10;
}

export class CountdownController implements ReactiveController {
  /** Whole seconds left (rounded up), 0 once expired. */
  remaining = 0;
  /** The platform's whole QR timeout, for the progress ring. */
  total = 0;
  /** The seconds left when the time was last announced, `undefined` before. */
  announced: number | undefined;
  /** Bumped on each announcement, so a repeated value is still a change. */
  announcements = 0;

  readonly #host: ReactiveControllerHost;
  readonly #clock: Clock;
  readonly #onExpire: (() => void) | undefined;
  #deadline: number | undefined;
  #timer: unknown;
  #expired = false;
  #hostIsConnected = false;

  constructor(host: ReactiveControllerHost, options: CountdownOptions = {}) {
    this.#host = host;
    this.#clock = options.clock ?? realClock;
    this.#onExpire = options.onExpire;
    host.addController(this);
  }

  /** Whether the countdown is running. */
  get running(): boolean {
    return this.#deadline !== undefined && !this.#expired;
  }

  /** The fraction of the timeout still left, 0 to 1. */
  get fraction(): number {
    if (this.total <= 0) return 0;
    return Math.min(1, Math.max(0, this.remaining / this.total));
  }

  /**
   * Counts down from `seconds`. Called again with the same code (a replayed state) it only
   * corrects the time; `announce` says whether to announce the starting time.
   */
  start(seconds: number, total = seconds, announce = true): void {
    this.#clearTimer();
    this.#expired = false;
    this.total = Math.max(total, seconds);
    this.#deadline = this.#clock.now() + Math.max(0, seconds) * 1000;
    this.remaining = Math.max(0, Math.ceil(seconds));
    if (announce && this.remaining > 0) this.#announce(this.remaining);
    // A detached host runs no timer: `hostConnected` resumes from the deadline.
    if (this.#hostIsConnected) this.#tick(false);
  }

  /** Stops without expiring (a result arrived, a new attempt began). */
  stop(): void {
    this.#clearTimer();
    this.#deadline = undefined;
    this.announced = undefined;
  }

  hostConnected(): void {
    this.#hostIsConnected = true;
    // Moved in the page: carry on where the deadline says.
    if (this.running && this.#timer === undefined) this.#tick(true);
  }

  hostDisconnected(): void {
    this.#hostIsConnected = false;
    this.#clearTimer();
  }

  #tick(announce: boolean): void {
    this.#timer = undefined;
    if (this.#deadline === undefined || this.#expired) return;
    const left = this.#deadline - this.#clock.now();
    const previous = this.remaining;
    this.remaining = Math.max(0, Math.ceil(left / 1000));
    if (announce) {
      // Ticks may be late (a background tab): announce if a cadence point was crossed.
      for (let s = Math.min(previous - 1, this.remaining + 60); s >= this.remaining; s--) {
        if (isAnnouncementPoint(s)) {
          this.#announce(this.remaining);
          break;
        }
      }
    }
    this.#host.requestUpdate();
    if (this.remaining === 0) {
      this.#expired = true;
      this.#onExpire?.();
      return;
    }
    // Wake up when the whole-second value next drops.
    const delay = left - (this.remaining - 1) * 1000;
    this.#timer = this.#clock.setTimeout(() => this.#tick(true), Math.max(1, Math.ceil(delay)));
  }

  #announce(seconds: number): void {
    this.announced = seconds;
    this.announcements++;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
