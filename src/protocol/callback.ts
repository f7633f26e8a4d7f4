/**
 * ECommPay callbacks for CUP QR (PROTOCOL.md §3; the seed's examples) and the answer of
 * `POST /v2/payment/status`, which has the same structure: typed, with the platform status
 * mapped to a {@link PaymentStatus} and the QR code taken out of `display_data`.
 */
import { nonEmpty } from './fields.js';
import { FieldReader, join, type Parsed, type Problem } from './problems.js';
import { QR_DATA_RULES } from './qr.js';
import { fromPlatformStatus, KNOWN_PLATFORM_STATUSES, type PaymentStatus } from './status.js';

/** The longest QR timeout we accept from the platform: one day, in seconds. */
export const MAX_QR_TIMEOUT_SECONDS = 86_400;
export interface CallbackQr {
  /**
   * What the QR code encodes, as `qr_data` carries it: a URL or an EMVCo payload (`000201…`),
   * any string that fits a QR code ({@link QR_DATA_RULES}).
   */
  data: string;
  /** "QR Code Timeout" in seconds, when the platform said it. */
  timeoutSeconds?: number;
}

export interface CallbackSum {
  /** Minor units. */
  amount: number;
  currency: string;
}

export interface CallbackOperation {
  id?: string;
  type?: string;
  status?: string;
  date?: string;
  requestId?: string;
  /** `"0"` for success; `"20602"` for a QR code not paid in time. */
  code?: string;
  message?: string;
}

export interface Callback {
  projectId: number;
  /** The merchant's `payment_id`. */
  paymentId: string;
  /** The platform's payment status as sent (`awaiting customer action`, `success`, ...). */
  platformStatus: string;
  /** What that status means here. */
  status: PaymentStatus;
  /** `payment.sum`: check it against the order before fulfilling a success. */
  sum?: CallbackSum;
  description?: string;
  method?: string;
  operation?: CallbackOperation;
  /** The operation's code and message (or the top-level ones of an error answer). */
  code?: string;
  message?: string;
  qr?: CallbackQr;
  /** The callback as received. */
  raw: Record<string, unknown>;
}

function readSum(reader: FieldReader): CallbackSum | undefined {
  if (!reader.isObject) return undefined;
  const amount = reader.integer('amount', (v) => (v >= 0 ? undefined : 'must not be negative'));
  const currency = reader.string('currency', (v) =>
    /^[A-Z]{3}$/.test(v) ? undefined : 'an ISO 4217 code such as CNY',
  );
  return { amount, currency };
}

function readOperation(reader: FieldReader): CallbackOperation | undefined {
  if (!reader.isObject) return undefined;
  const optionalId = (key: string): string | undefined =>
    reader.has(key) ? reader.id(key) : undefined;
  return {
    id: optionalId('id'),
    type: reader.optionalString('type'),
    status: reader.optionalString('status'),
    date: reader.optionalString('date'),
    requestId: reader.optionalString('request_id'),
    code: optionalId('code'),
    message: reader.optionalString('message'),
  };
}

function readTimeout(value: unknown, path: string, problems: Problem[]): number | undefined {
  const seconds = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (
    typeof seconds === 'number' &&
    Number.isInteger(seconds) &&
    seconds > 0 &&
    seconds <= MAX_QR_TIMEOUT_SECONDS
  ) {
    return seconds;
  }
  problems.push({ path, message: `a whole number of seconds from 1 to ${MAX_QR_TIMEOUT_SECONDS}` });
  return undefined;
}

/** `display_data`: the `qr_data` item is the QR content, `add_info` "QR Code Timeout" its lifetime. */
function readDisplayData(
  items: unknown[],
  path: string,
  problems: Problem[],
): CallbackQr | undefined {
  let data: string | undefined;
  let timeoutSeconds: number | undefined;
  items.forEach((item, index) => {
    const entry = new FieldReader(item, join(path, index), problems);
    if (!entry.isObject) return;
    const type = entry.string('type', nonEmpty);
    const title = entry.optionalString('title') ?? '';
    if (type === 'qr_data') {
      data = entry.string('data', ...QR_DATA_RULES);
    } else if (type === 'add_info' && /timeout/i.test(title)) {
      timeoutSeconds = readTimeout(entry.record.data, join(join(path, index), 'data'), problems);
    }
  });
  return data === undefined ? undefined : { data, ...(timeoutSeconds ? { timeoutSeconds } : {}) };
}

/** Checks an unknown JSON value as a CUP QR callback (or status answer); every problem by path. */
export function parseCallback(input: unknown): Parsed<Callback> {
  const problems: Problem[] = [];
  const root = new FieldReader(input, '', problems);
  if (!root.isObject) return { ok: false, problems };

  const general = root.object('general', false);
  const projectId = general.has('project_id')
    ? general.integer('project_id')
    : root.integer('project_id', (v) => (v > 0 ? undefined : 'must be a positive integer'));

  const payment = root.object('payment');
  const paymentId =
    payment.has('id') || !general.has('payment_id')
      ? payment.id('id', nonEmpty)
      : general.id('payment_id', nonEmpty);
  const platformStatus = payment.string('status', nonEmpty);
  const sum = readSum(payment.object('sum', false));
  const description = payment.optionalString('description');
  const method = payment.optionalString('method');
  const operation = readOperation(root.object('operation', false));
  const code = operation?.code ?? (root.has('code') ? root.id('code') : undefined);
  const message = operation?.message ?? root.optionalString('message');

  const status = platformStatus ? fromPlatformStatus(platformStatus, code) : undefined;
  if (platformStatus && status === undefined) {
    problems.push({
      path: 'payment.status',
      message: `unknown status ${JSON.stringify(platformStatus)} (known: ${KNOWN_PLATFORM_STATUSES.join(', ')})`,
    });
  }
  const qr = readDisplayData(root.array('display_data', false), 'display_data', problems);

  if (problems.length > 0 || status === undefined) return { ok: false, problems };
  return {
    ok: true,
    value: {
      projectId,
      paymentId,
      platformStatus,
      status,
      sum,
      description,
      method,
      operation,
      code,
      message,
      qr,
      raw: input as Record<string, unknown>,
    },
  };
}
