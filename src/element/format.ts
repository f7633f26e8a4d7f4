/** How the element writes amounts and the countdown's time. */

/** Formats minor units (fen) in `currency` for `locale`: 30000 CNY → `¥300.00`, `CN¥300.00`. */
export function formatAmount(minor: number, currency: string, locale: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

/** Whole seconds as the countdown shows them: 65 → `1:05`. */
export function formatClock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
