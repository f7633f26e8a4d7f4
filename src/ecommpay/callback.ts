/**
 * ECommPay callbacks for CUP QR (PROTOCOL.md §3; the seed's examples) and the answer of
 * `POST /v2/payment/status` (§2: the same payment, but its operations in an array): typed, with
 * the platform status mapped to a {@link PaymentStatus} and the QR code taken out of
 * `display_data`. Both may carry their project id under `general` (some project formats).
 */
import { nonEmpty } from '../wire/fields.js';
import { readGateErrorDetails, type GateFieldError } from './gate-answer.js';
import { FieldReader, join, type Parsed, type Problem } from '../wire/problems.js';
import { QR_DATA_RULES } from '../wire/qr.js';
import { fromPlatformStatus, KNOWN_PLATFORM_STATUSES } from './platform-statuses.js';
import { type PaymentStatus } from '../wire/status.js';

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

/** What a callback and a status answer share, read from the root of either. */
type MessageParts = Omit<Callback, 'operation' | 'code' | 'message' | 'raw'>;

/**
 * The parts of a callback or a status answer outside its operation(s): project and payment
 * (top level, or under `general` in the project formats that put them there), the platform
 * status mapped with `code`, the QR code. `undefined` once a problem is recorded.
 */
function readMessage(
  root: FieldReader,
  code: string | undefined,
  problems: Problem[],
): MessageParts | undefined {
  const general = root.object('general', false);
  const positive = (v: number): string | undefined =>
    v > 0 ? undefined : 'must be a positive integer';
  const projectId = general.has('project_id')
    ? general.integer('project_id', positive)
    : root.integer('project_id', positive);

  const payment = root.object('payment');
  const paymentId =
    payment.has('id') || !general.has('payment_id')
      ? payment.id('id', nonEmpty)
      : general.id('payment_id', nonEmpty);
  const platformStatus = payment.string('status', nonEmpty);
  const sum = readSum(payment.object('sum', false));
  const description = payment.optionalString('description');
  const method = payment.optionalString('method');

  const status = platformStatus ? fromPlatformStatus(platformStatus, code) : undefined;
  if (platformStatus && status === undefined) {
    problems.push({
      path: 'payment.status',
      message: `unknown status ${JSON.stringify(platformStatus)} (known: ${KNOWN_PLATFORM_STATUSES.join(', ')})`,
    });
  }
  const qr = readDisplayData(root.array('display_data', false), 'display_data', problems);
  if (problems.length > 0 || status === undefined) return undefined;
  return { projectId, paymentId, platformStatus, status, sum, description, method, qr };
}

/** Checks an unknown JSON value as a CUP QR callback; every problem by path. */
export function parseCallback(input: unknown): Parsed<Callback> {
  const problems: Problem[] = [];
  const root = new FieldReader(input, '', problems);
  if (!root.isObject) return { ok: false, problems };

  const operation = readOperation(root.object('operation', false));
  const code = operation?.code ?? (root.has('code') ? root.id('code') : undefined);
  const message = operation?.message ?? root.optionalString('message');
  const parts = readMessage(root, code, problems);
  if (!parts) return { ok: false, problems };
  return {
    ok: true,
    value: { ...parts, operation, code, message, raw: input as Record<string, unknown> },
  };
}

/**
 * Gate's answer to `POST /v2/payment/status` (PROTOCOL.md §2), read as what it says of the
 * payment. Not shaped like a callback: the `payment` object, plus the arrays `operations` (every
 * operation of the payment, oldest first) and `errors`. `operation` is the last operation,
 * whose `code` and `message` are the payment's (`20602` "Time-out" makes a decline `expired`).
 */
export interface StatusAnswer extends Callback {
  /** Every operation of the payment, as Gate listed them; the last one is `operation`. */
  operations: CallbackOperation[];
  /** The answer's `errors`; empty when it had none. */
  errors: GateFieldError[];
}

/**
 * Checks an unknown JSON value as the answer to a status request, every problem by path. The
 * code and message are the last operation's, else the first error's, else the top-level ones.
 * An answer with an `operation` object and no `operations` array (the callback's structure, as
 * some older integrations describe it) is read the same way: never stricter than the platform.
 */
export function parseStatusAnswer(input: unknown): Parsed<StatusAnswer> {
  const problems: Problem[] = [];
  const root = new FieldReader(input, '', problems);
  if (!root.isObject) return { ok: false, problems };

  const listed = root.has('operations') || !root.has('operation');
  const operations = listed
    ? root
        .array('operations', false)
        .map((item, index) =>
          readOperation(new FieldReader(item, join('operations', index), problems)),
        )
        .filter((operation): operation is CallbackOperation => operation !== undefined)
    : [readOperation(root.object('operation'))].filter(
        (operation): operation is CallbackOperation => operation !== undefined,
      );
  const operation = operations.at(-1);
  const errors = readGateErrorDetails(input).fieldErrors;
  const firstError = errors[0];
  const code =
    operation?.code ?? (firstError?.code || (root.has('code') ? root.id('code') : undefined));
  const message = operation?.message ?? (firstError?.message || root.optionalString('message'));
  const parts = readMessage(root, code, problems);
  if (!parts) return { ok: false, problems };
  return {
    ok: true,
    value: {
      ...parts,
      operation,
      operations,
      errors,
      code,
      message,
      raw: input as Record<string, unknown>,
    },
  };
}
