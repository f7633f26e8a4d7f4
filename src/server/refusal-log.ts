/**
 * Log lines about refused requests, bounded: at most {@link REFUSALS_LOGGED_PER_WINDOW} lines
 * per reason and minute, then silence, then one line saying how many more there were. A
 * flood of bad requests (forged callbacks, a client over its limits, trickled bodies) is then a
 * few lines a minute, not a line per request: it cannot fill the disk, nor bury the line that
 * matters. No timer: the count of a window is told with the first refusal of a later window,
 * or by `flush()` (the checkout's `close()`).
 */
import { logText } from '../shared/log-text.js';

export const REFUSALS_LOGGED_PER_WINDOW = 10;
export const REFUSAL_WINDOW_MS = 60_000;

interface Window {
  start: number;
  logged: number;
  dropped: number;
}

export class RefusalLog {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly log: (message: string) => void,
    private readonly now: () => number,
    private readonly perWindow = REFUSALS_LOGGED_PER_WINDOW,
    private readonly windowMs = REFUSAL_WINDOW_MS,
  ) {}

  /**
   * Logs `line` unless `reason` (one of the toolkit's own words, never outside text) has had
   * its lines for this window. `line` is the caller's, with outside text already in `logText`.
   */
  note(reason: string, line: string): void {
    const now = this.now();
    let window = this.#windows.get(reason);
    if (window && now - window.start >= this.windowMs) {
      this.#tell(reason, window);
      window = undefined;
    }
    if (!window) {
      window = { start: now, logged: 0, dropped: 0 };
      this.#windows.set(reason, window);
    }
    if (window.logged < this.perWindow) {
      window.logged++;
      this.log(line);
    } else {
      window.dropped++;
    }
  }

  /** Tells what every window left unsaid, and starts afresh. */
  flush(): void {
    for (const [reason, window] of this.#windows) this.#tell(reason, window);
    this.#windows.clear();
  }

  #tell(reason: string, window: Window): void {
    if (window.dropped === 0) return;
    const seconds = Math.round(this.windowMs / 1000);
    this.log(
      `${window.dropped} more refused (${logText(reason)}) within ${seconds} s, not logged one by one`,
    );
  }
}
