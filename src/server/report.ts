/**
 * Reconciliation: the store's payments and the callbacks (operations) it received in a period,
 * as CSV or JSON, with columns named after the platform's callback fields so the export lines
 * up with ECommPay's own reports (Dashboard, Data API).
 *
 *   cup-qr-checkout report --db payments.sqlite --from 2026-11-01 --to 2026-12-01 --format csv
 *
 * `payments`: one row per payment attempt, its current state and last operation, and Gate's
 * answer when it contradicts a final state (`gate.disagreement`: check that payment by hand).
 * `operations`: one row per distinct callback received, with what it did and how many times
 * the very same body arrived (`count`, `last_received_at`).
 */
import type { CallbackRecord, PaymentRecord, Period, Store } from './store.js';

export type ReportFormat = 'csv' | 'json';
export type ReportRows = 'payments' | 'operations';

export const PAYMENT_COLUMNS = [
  'payment.id',
  'order.ref',
  'attempt',
  'state',
  'payment.status',
  'payment.sum.amount',
  'payment.sum.currency',
  'payment.description',
  'customer.id',
  'operation.id',
  'operation.request_id',
  'operation.code',
  'operation.message',
  'operation.date',
  'channel',
  'created_at',
  'updated_at',
  'gate.disagreement',
  'gate.signed',
  'gate.checked_at',
] as const;

export const OPERATION_COLUMNS = [
  'received_at',
  'outcome',
  'project_id',
  'payment.id',
  'payment.status',
  'payment.sum.amount',
  'payment.sum.currency',
  'operation.id',
  'operation.type',
  'operation.status',
  'operation.request_id',
  'operation.code',
  'operation.message',
  'operation.date',
  'provider.payment_id',
  'count',
  'last_received_at',
  'body.bytes',
  'body.sha256',
] as const;

type Cell = string | number | undefined;
export type ReportRow = Record<string, Cell>;

export interface Report {
  from: string;
  to: string;
  payments: ReportRow[];
  operations: ReportRow[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

function paymentRow(p: PaymentRecord): ReportRow {
  return {
    'payment.id': p.paymentId,
    'order.ref': p.orderRef,
    attempt: p.attempt,
    state: p.status,
    'payment.status': p.platformStatus,
    'payment.sum.amount': p.amount,
    'payment.sum.currency': p.currency,
    'payment.description': p.description,
    'customer.id': p.customer.id,
    'operation.id': p.operationId,
    'operation.request_id': p.requestId,
    'operation.code': p.code,
    'operation.message': p.message,
    'operation.date': p.operationDate,
    channel: p.channel,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    'gate.disagreement': p.gateDisagreement?.platformStatus,
    'gate.signed': p.gateDisagreement && (p.gateDisagreement.signed ? 'yes' : 'no'),
    'gate.checked_at': p.gateDisagreement && iso(p.gateDisagreement.at),
  };
}

function operationRow(c: CallbackRecord): ReportRow {
  return {
    ...c.fields,
    received_at: iso(c.receivedAt),
    outcome: c.outcome,
    // A callback that could not be read has no payment id of its own: what its body said.
    project_id: c.projectId ?? c.fields.project_id,
    'payment.id': c.paymentId || c.fields['payment.id'],
    'payment.status': c.platformStatus ?? c.fields['payment.status'],
    count: c.count,
    last_received_at: iso(c.lastReceivedAt),
    'body.bytes': c.bodyBytes,
    'body.sha256': c.bodySha256,
  };
}

export async function buildReport(store: Store, period: Period): Promise<Report> {
  const [payments, callbacks] = await Promise.all([
    store.listPayments(period),
    store.listCallbacks(period),
  ]);
  return {
    from: iso(period.from),
    to: iso(period.to),
    payments: payments.map(paymentRow),
    operations: callbacks.map(operationRow),
  };
}

/**
 * RFC 4180 CSV. A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is
 * prefixed with `'`: descriptions and messages come from outside.
 */
export function toCsv(columns: readonly string[], rows: readonly ReportRow[]): string {
  const cell = (value: Cell): string => {
    if (value === undefined) return '';
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [
    columns.map(cell).join(','),
    ...rows.map((r) => columns.map((c) => cell(r[c])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

export function formatReport(
  report: Report,
  format: ReportFormat,
  rows: ReportRows = 'payments',
): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  return rows === 'payments'
    ? toCsv(PAYMENT_COLUMNS, report.payments)
    : toCsv(OPERATION_COLUMNS, report.operations);
}

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
    const { openSqliteStore } = await import('./stores/sqlite.js');
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
