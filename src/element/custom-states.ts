/**
 * The element's status as its one `:state()` custom state (`cup-qr-checkout:state(success)`,
 * as Web Awesome shows its own). A browser without `CustomStateSet`, or an older one that
 * wants the `--name` form, gets that form, else nothing: the `status` attribute still says it.
 */
export function showCustomState(internals: ElementInternals, status: string): void {
  try {
    internals.states.clear();
    internals.states.add(status);
  } catch {
    try {
      internals.states.add(`--${status}`);
    } catch {
      /* the attribute still says it */
    }
  }
}
