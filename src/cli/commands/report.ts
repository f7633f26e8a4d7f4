/**
 * `cup-qr-checkout report`: the toolkit's reconciliation report (server/report.ts) of a SQLite
 * store, for a period given as ISO 8601 dates or times, on standard output as CSV or JSON.
 * `cup-qr-checkout/server` exports {@link reportCommand} and {@link REPORT_USAGE} too, as it
 * always has.
 */
import {
  buildReport,
  formatReport,
  type ReportFormat,
  type ReportRows,
} from '../../server/report.js';
import type { Period, Store } from '../../server/store.js';

export interface ReportOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const REPORT_USAGE = `Usage: cup-qr-checkout report --db <file> --from <iso> --to <iso> [--format csv|json] [--rows payments|operations]

Exports the payments created and the callbacks received in [from, to) from the SQLite store.
  --db      the store's file (CUP_QR_DB in the environment also works)
  --from    start, inclusive: an ISO 8601 date or time (2026-11-01 is midnight UTC;
            2026-11-01T00:00:00+08:00 is midnight in Beijing)
  --to      end, exclusive
  --format  csv (default) or json (both payments and operations)
  --rows    for csv: payments (default, one row per payment) or operations (one per callback)
`;

/** `2026-11-01`, `2026-11-01T10:00`, `2026-11-01T10:00:00.000+08:00`, `…Z`. */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 date or time as Unix ms. Only ISO forms: `Date.parse` alone takes `1` for 2001
 * and rolls `2026-02-30` over into March, which would export another period than asked.
 */
function parseTime(name: string, value: string | undefined): number {
  if (!value) throw new Error(`--${name} is required`);
  const match = ISO_TIME.exec(value);
  const ms = match ? Date.parse(value) : NaN;
  const day = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : undefined;
  const real =
    day !== undefined &&
    day.getUTCFullYear() === +match![1] &&
    day.getUTCMonth() === +match![2] - 1 &&
    day.getUTCDate() === +match![3];
  if (Number.isNaN(ms) || !real) {
    throw new Error(
      `--${name}: not an ISO 8601 date or time (2026-11-01, 2026-11-01T08:00+08:00): ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

function parseArgs(args: readonly string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const [, name, inline] = match;
    if (name === 'help') {
      options.set('help', '1');
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    options.set(name, value);
  }
  return options;
}

/**
 * The `report` command: `args` after the command name; `out` may be the CLI's `CliIO`.
 * Resolves with the exit code, as the other commands: 0 done, 2 bad usage or an unreadable
 * store.
 */
export async function reportCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  out: ReportOutput,
): Promise<number> {
  let options: Map<string, string>;
  let period: Period;
  let format: ReportFormat;
  let rows: ReportRows;
  let file: string;
  try {
    options = parseArgs(args);
    if (options.has('help')) {
      out.stdout(REPORT_USAGE);
      return 0;
    }
    for (const name of options.keys()) {
      if (!['db', 'from', 'to', 'format', 'rows'].includes(name))
        throw new Error(`unknown option --${name}`);
    }
    file = options.get('db') ?? env.CUP_QR_DB ?? '';
    if (!file) throw new Error('--db is required');
    period = {
      from: parseTime('from', options.get('from')),
      to: parseTime('to', options.get('to')),
    };
    if (period.to <= period.from) throw new Error('--to must be after --from');
    const f = options.get('format') ?? 'csv';
    if (f !== 'csv' && f !== 'json') throw new Error('--format: csv or json');
    format = f;
    const r = options.get('rows') ?? 'payments';
    if (r !== 'payments' && r !== 'operations') throw new Error('--rows: payments or operations');
    rows = r;
  } catch (error) {
    out.stderr(`cup-qr-checkout report: ${(error as Error).message}\n\n${REPORT_USAGE}`);
    return 2;
  }
  let store: Store | undefined;
  try {
    const { openSqliteStore } = await import('../../server/stores/sqlite.js');
    store = await openSqliteStore({ file, readonly: true });
    out.stdout(formatReport(await buildReport(store, period), format, rows));
    return 0;
  } catch (error) {
    out.stderr(`cup-qr-checkout report: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await store?.close();
  }
}
