/**
 * Waiting, in tests, for a state that no event announces (a server noticing that a client went
 * away): `check` again on each turn of the event loop until it holds. A guard, not a sleep:
 * the deadline only stops a hung test.
 */
export async function eventually(
  check: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
