/**
 * How the element writes amounts and the countdown's time, and how it has them spoken: a
 * screen reader reads `CN¥300.00` as "C N yen three hundred" and `9:42` as a clock time.
 */
import type { Translation } from '../translations/index.js';

/** The currency's minor-unit digits in `locale` (2 for CNY), and the amount in major units. */
function major(minor: number, currency: string, locale: string): [Intl.NumberFormat, number] {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return [format, minor / 10 ** digits];
}

/** Formats minor units (fen) in `currency` for `locale`: 30000 CNY → `¥300.00`, `CN¥300.00`. */
export function formatAmount(minor: number, currency: string, locale: string): string {
  try {
    const [format, amount] = major(minor, currency, locale);
    return format.format(amount);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

/** The amount as a screen reader should say it: 30000 CNY → "300.00 Chinese yuan", "300.00元". */
export function spokenAmount(minor: number, currency: string, t: Translation): string {
  let number: string;
  try {
    const [format, amount] = major(minor, currency, t.locale);
    const digits = format.resolvedOptions().maximumFractionDigits;
    number = new Intl.NumberFormat(t.locale, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amount);
  } catch {
    number = (minor / 100).toFixed(2);
  }
  return t.amountSpoken(number, currency);
}

/** Whole seconds as the countdown shows them: 65 → `1:05`. */
export function formatClock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Whole seconds as the countdown is spoken: 582 → "9 minutes 42 seconds left", "剩余9分42秒". */
export function spokenClock(seconds: number, t: Translation): string {
  return t.remainingAccessible(Math.floor(seconds / 60), seconds % 60);
}
