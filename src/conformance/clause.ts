/**
 * What a clause of the conformance kit is, and what running one gives: one checkable sentence
 * of docs/wire-protocol.md (its section, its words), a function that throws a
 * {@link ClauseFailure} saying what differed, and the one-line verdict the kit prints:
 *
 *   ok|FAIL|skip  §<section>  <clause>  [what differed]
 */
import type { Kit } from './kit.js';

export type Verdict = 'ok' | 'FAIL' | 'skip';

export interface Clause {
  /** The heading of docs/wire-protocol.md that states the rule. */
  section: string;
  /** The rule, in a few words. */
  name: string;
  /** `start`: needs the kit to (re)start the backend (`--start`); skipped without it. */
  needs?: 'start';
  run(kit: Kit): Promise<void>;
}

export interface ClauseResult {
  verdict: Verdict;
  section: string;
  clause: string;
  /** What differed (FAIL), or why it was skipped. */
  detail?: string;
  /** Wall time of the clause, in ms. */
  ms: number;
}

/** Thrown by a clause whose rule the backend breaks; the message says what differed. */
export class ClauseFailure extends Error {
  override readonly name = 'ClauseFailure';
}

/** Fails the clause with `detail` unless `condition` holds. */
export function check(condition: unknown, detail: string | (() => string)): asserts condition {
  if (!condition) throw new ClauseFailure(typeof detail === 'function' ? detail() : detail);
}

/** A short JSON rendering of a value, for what differed. */
export function shown(value: unknown, max = 160): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Fails unless `actual` equals `expected` (deep, as JSON). */
export function checkEqual(actual: unknown, expected: unknown, what: string): void {
  check(
    JSON.stringify(actual) === JSON.stringify(expected),
    () => `${what}: expected ${shown(expected)}, got ${shown(actual)}`,
  );
}

/** One verdict as the kit prints it. */
export function formatResult(result: ClauseResult): string {
  const detail = result.detail ? `  ${result.detail.replace(/\s+/g, ' ')}` : '';
  return `${result.verdict.padEnd(4)}  §${result.section}  ${result.clause}${detail}`;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
}

export function summarize(results: readonly ClauseResult[]): Summary {
  const count = (verdict: Verdict): number => results.filter((r) => r.verdict === verdict).length;
  return { passed: count('ok'), failed: count('FAIL'), skipped: count('skip') };
}

export function formatSummary(summary: Summary): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}
