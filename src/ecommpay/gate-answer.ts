/**
 * Gate's synchronous answer to a request (PROTOCOL.md §2), and its parser. The answer says
 * only whether Gate took the request: the payment's outcome comes later, in callbacks.
 *
 * - accepted: HTTP 200 with `{status: "success", request_id, project_id, payment_id}`;
 * - refused: an error `status` (`"error"`, or any other) with `code` and `message`, and per-field
 *   errors `errors: [{code, message, field, description}]` when the request was invalid.
 *   No operation is created then.
 *
 * No DOM, no Node: the sandbox writes these answers and the Gate client reads them.
 */
import { FieldReader, join, type Parsed, type Problem } from '../wire/problems.js';

/** The `status` of an accepted request. Every other status is a refusal. */
export const GATE_ACCEPTED_STATUS = 'success';

/** One entry of a refusal's `errors`: what is wrong with one field of the request. */
export interface GateFieldError {
  code: string;
  message: string;
  /** The request field concerned, as Gate names it (`customer.phone`); `''` when not said. */
  field: string;
  /** More detail when Gate gave some; `''` when not (a non-string detail is kept as JSON). */
  description: string;
}

/** Gate took the request; the outcome follows in callbacks (or via a status request). */
export interface GateAccepted {
  /** Not on the wire: tells the two kinds of answer apart. */
  accepted: true;
  /** `"success"`. */
  status: string;
  /** Gate's id of this request; it comes back as `operation.request_id` in callbacks. */
  request_id: string;
  project_id: number;
  payment_id: string;
}

/** Gate refused the request; no operation was created. */
export interface GateRefused {
  /** Not on the wire: tells the two kinds of answer apart. */
  accepted: false;
  /** `"error"`, or whatever non-success status Gate sent. */
  status: string;
  /** The platform's error code (sent as a string or a number; always a string here). */
  code: string;
  message: string;
  /** Per-field errors; empty when Gate sent none. */
  errors: GateFieldError[];
  request_id?: string;
  project_id?: number;
  payment_id?: string;
}

export type GateAnswer = GateAccepted | GateRefused;

/** What a refusal body says, read leniently: every part may be missing. */
export interface GateErrorDetails {
  code?: string;
  message?: string;
  fieldErrors: GateFieldError[];
}

/**
 * Checks an unknown JSON value as Gate's synchronous answer and returns it typed (accepted or
 * refused), or every problem by path (`request_id: required`, `errors[0].message: required`).
 */
export function parseGateAnswer(input: unknown): Parsed<GateAnswer> {
  const problems: Problem[] = [];
  const root = new FieldReader(input, '', problems);
  if (!root.isObject) return { ok: false, problems };

  const status = root.string('status', (v) => (v.trim() ? undefined : 'must not be empty'));
  if (problems.length > 0) return { ok: false, problems };

  const answer = isAcceptedStatus(status) ? readAccepted(root, status) : readRefused(root, status);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: answer };
}

/** Whether a Gate `status` means the request was accepted (case and spaces forgiven). */
export function isAcceptedStatus(status: string): boolean {
  return status.trim().toLowerCase() === GATE_ACCEPTED_STATUS;
}

/**
 * The code, message and field errors of a refusal body, taking whatever is there and skipping
 * what is not: for error answers (4xx, 5xx) whose exact shape nothing guarantees, where
 * {@link parseGateAnswer} would be too strict to keep the useful parts.
 */
export function readGateErrorDetails(input: unknown): GateErrorDetails {
  if (!isRecord(input)) return { fieldErrors: [] };
  const code = idText(input.code);
  const message = typeof input.message === 'string' ? input.message : undefined;
  const fieldErrors = Array.isArray(input.errors)
    ? input.errors.filter(isRecord).map((item): GateFieldError => ({
        code: idText(item.code) ?? '',
        message: typeof item.message === 'string' ? item.message : '',
        field: typeof item.field === 'string' ? item.field : '',
        description: descriptionText(item.description),
      }))
    : [];
  return {
    ...(code !== undefined ? { code } : {}),
    ...(message !== undefined ? { message } : {}),
    fieldErrors,
  };
}

function readAccepted(root: FieldReader, status: string): GateAccepted {
  return {
    accepted: true,
    status,
    request_id: root.id('request_id', nonBlank),
    project_id: root.integer('project_id', (v) => (v > 0 ? undefined : 'must be positive')),
    payment_id: root.id('payment_id', nonBlank),
  };
}

function readRefused(root: FieldReader, status: string): GateRefused {
  const refused: GateRefused = {
    accepted: false,
    status,
    code: root.id('code', nonBlank),
    message: root.string('message'),
    errors: readFieldErrors(root.array('errors', false), root.problems),
  };
  // Gate echoes these when it could read them from the request; a refusal may lack them.
  if (root.has('request_id')) refused.request_id = root.id('request_id');
  if (root.has('project_id')) refused.project_id = root.integer('project_id');
  if (root.has('payment_id')) refused.payment_id = root.id('payment_id');
  return refused;
}

function readFieldErrors(items: unknown[], problems: Problem[]): GateFieldError[] {
  return items.map((item, index) => {
    const entry = new FieldReader(item, join('errors', index), problems);
    return {
      code: entry.id('code'),
      message: entry.string('message'),
      field: entry.optionalString('field') ?? '',
      description: descriptionText(entry.record.description),
    };
  });
}

const nonBlank = (v: string): string | undefined => (v.trim() ? undefined : 'must not be empty');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A code sent as a string or an integer, as a string. */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** Gate's `description` is usually text, but the SDK tests show arrays and objects too. */
function descriptionText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
