/**
 * Reconciliation: the store's payments and the callbacks (operations) it received in a period,
 * as CSV or JSON, with columns named after the platform's callback fields so the export lines
 * up with ECommPay's own reports (Dashboard, Data API). The command line's `report` runs it on
 * a SQLite store (cli/commands/report.ts):
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
