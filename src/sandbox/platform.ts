/**
 * The platform's core: the payments of every project, their life
 *
 *   awaiting customer action -> success | decline (a code, or 20602 Time-out)
 *                                        | awaiting customer (left unfinished)
 *
 * the callbacks each step produces, handed to the {@link Deliverer}, and the answers of status
 * requests (by payment id, or by the request id of an accepted or refused sale). Gate, the
 * Payment Page, the bank-app page and the control API all go through it.
 */
import { randomBytes } from 'node:crypto';
import { PLATFORM_CODES } from '../ecommpay/platform-codes.js';
import type { CallbackFacts } from './callbacks.js';
import { buildCallback, buildStatusAnswer, duplicateCallback, signCallback } from './callbacks.js';
import { emvQrPayload } from './emv-qr.js';
import type { Clock } from './clock.js';
import type { Deliverer } from './delivery.js';
import { SandboxError } from './errors.js';
import type { FaultBook } from './faults.js';
import type {
  DeclineReason,
  DeliveryAttempt,
  SandboxPayment,
  SandboxPaymentStatus,
  SandboxProject,
} from './types.js';

export const DEFAULT_DECLINE = PLATFORM_CODES.generalDecline;
export const TIMEOUT_DECLINE = PLATFORM_CODES.timeout;

/** How many refused sales a platform remembers for status requests by request id. */
const REFUSALS_KEPT = 1000;

/** A refused sale as Gate answered it, for a later status request by its request id. */
export interface Refusal {
  httpStatus: number;
  body: Record<string, unknown>;
}

/** What a new payment is made of, from Gate's sale request or the Payment Page's parameters. */
export interface NewPayment {
  projectId: number;
  paymentId: string;
  channel: SandboxPayment['channel'];
  amount: number;
  currency: string;
  description: string;
  email: string;
  phone: string;
  /** The request's own callback URL (`general.merchant_callback_url`). */
  callbackUrl?: string;
  successUrl?: string;
  failUrl?: string;
  /** Payment Page: the signed query string it was opened with (to find it again on a reload). */
  pageQuery?: string;
}

/** A payment inside the sandbox (the control API hands out {@link SandboxPayment} snapshots). */
export interface PaymentRecord extends NewPayment {
  status: SandboxPaymentStatus;
  requestId: string;
  operationId: number;
  providerPaymentId: string;
  /** The secret in the bank-app page's URL. */
  bankToken: string;
  /** The secret in the Payment Page session's URL. */
  pageToken: string;
  qrTimeoutSeconds: number;
  createdAt: Date;
  providerDate: Date;
  expiresAt: Date;
  finishedAt?: Date;
  code?: string;
  message?: string;
  callbacks: Record<string, unknown>[];
  deliveries: DeliveryAttempt[];
  /** The first attempt of the payment's latest callback: the next one queues behind it. */
  chain?: Promise<void>;
  /** The `awaiting customer action` callback, held back by the `finalBeforeAwaiting` fault. */
  held?: Record<string, unknown>;
  cancelTimeout?: () => void;
}

export interface PlatformOptions {
  projects: SandboxProject[];
  clock: Clock;
  deliverer: Deliverer;
  faults: FaultBook;
  qrTimeoutSeconds: number;
  /** The base URL of the sandbox's pages (known once the server listens). */
  baseUrl: () => string;
  log: (line: string) => void;
}

/** An unguessable token for a URL path: 128 random bits. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

export class Platform {
  readonly #projects = new Map<number, SandboxProject>();
  readonly #payments = new Map<string, PaymentRecord>();
  readonly #byBankToken = new Map<string, PaymentRecord>();
  readonly #byPageToken = new Map<string, PaymentRecord>();
  /** `${projectId} ${requestId}` of every sale accepted. */
  readonly #byRequestId = new Map<string, PaymentRecord>();
  /** `${projectId} ${requestId}` of the latest refused sales (at most {@link REFUSALS_KEPT}). */
  readonly #refusals = new Map<string, Refusal>();
  #saleRequests = 0;
  #requestCounter = 0;
  #operationCounter = 2_000_000_000;
  readonly #requestPrefix = randomBytes(12).toString('hex');

  constructor(private readonly options: PlatformOptions) {
    for (const project of options.projects) this.#projects.set(project.id, project);
  }

  project(id: number): SandboxProject | undefined {
    return this.#projects.get(id);
  }

  countSaleRequest(): void {
    this.#saleRequests++;
  }

  get saleRequests(): number {
    return this.#saleRequests;
  }

  /** Gate's id for a request: `9a593318e4842a725b60498b-00000003`, as in the seed. */
  newRequestId(): string {
    this.#requestCounter++;
    return `${this.#requestPrefix}-${String(this.#requestCounter).padStart(8, '0')}`;
  }

  find(projectId: number, paymentId: string): PaymentRecord | undefined {
    return this.#payments.get(key(projectId, paymentId));
  }

  /** The payment an accepted sale request created, by Gate's id of that request. */
  byRequestId(projectId: number, requestId: string): PaymentRecord | undefined {
    return this.#byRequestId.get(key(projectId, requestId));
  }

  /** Keeps what Gate answered a refused sale of `projectId`, for a status request by its id. */
  rememberRefusal(projectId: number, requestId: string, refusal: Refusal): void {
    this.#refusals.set(key(projectId, requestId), refusal);
    // Bounded: the oldest goes first (a Map iterates in insertion order).
    if (this.#refusals.size > REFUSALS_KEPT) {
      this.#refusals.delete(this.#refusals.keys().next().value!);
    }
  }

  refusal(projectId: number, requestId: string): Refusal | undefined {
    return this.#refusals.get(key(projectId, requestId));
  }

  byBankToken(token: string): PaymentRecord | undefined {
    return this.#byBankToken.get(token);
  }

  byPageToken(token: string): PaymentRecord | undefined {
    return this.#byPageToken.get(token);
  }

  all(): PaymentRecord[] {
    return [...this.#payments.values()];
  }

  /**
   * Creates the payment (the caller checked that its payment_id is free) and sends its
   * `awaiting customer action` callback with the QR code; the QR timeout starts.
   */
  create(input: NewPayment, requestId: string): PaymentRecord {
    if (this.find(input.projectId, input.paymentId)) {
      throw new SandboxError('conflict', `payment ${input.paymentId} already exists`);
    }
    const now = new Date();
    const timeoutMs = this.options.qrTimeoutSeconds * 1000;
    const record: PaymentRecord = {
      ...input,
      status: 'awaiting customer action',
      requestId,
      operationId: ++this.#operationCounter,
      providerPaymentId: String(1_000_000_000_000_000 + (randomBytes(6).readUIntBE(0, 6) % 1e15)),
      bankToken: newToken(),
      pageToken: newToken(),
      qrTimeoutSeconds: this.options.qrTimeoutSeconds,
      createdAt: now,
      providerDate: now,
      // Platform time: the real wait is scaled, the stated expiry is not.
      expiresAt: new Date(now.getTime() + timeoutMs),
      callbacks: [],
      deliveries: [],
    };
    this.#payments.set(key(record.projectId, record.paymentId), record);
    this.#byRequestId.set(key(record.projectId, requestId), record);
    this.#byBankToken.set(record.bankToken, record);
    this.#byPageToken.set(record.pageToken, record);
    this.options.log(
      `payment ${record.projectId}/${record.paymentId} created (${record.channel}, ${record.amount} ${record.currency}); bank app: ${this.qrUrl(record)}`,
    );

    const awaiting = this.#signed(record, this.facts(record));
    const faults = this.options.faults.resolve(record.projectId, record.paymentId);
    if (faults.finalBeforeAwaiting) record.held = awaiting;
    else this.#dispatch(record, awaiting);

    record.cancelTimeout = this.options.clock.timeout(this.options.clock.real(timeoutMs), () => {
      if (record.status === 'awaiting customer action')
        this.#finish(record, 'decline', TIMEOUT_DECLINE);
    });
    return record;
  }

  approve(projectId: number, paymentId: string): PaymentRecord {
    return this.#finish(this.#get(projectId, paymentId), 'success', {
      code: '0',
      message: 'Success',
    });
  }

  decline(projectId: number, paymentId: string, reason: DeclineReason = {}): PaymentRecord {
    const code = reason.code ?? DEFAULT_DECLINE.code;
    if (!/^\d{1,10}$/.test(code)) {
      throw new SandboxError('invalid', `a decline code is digits (got ${JSON.stringify(code)})`);
    }
    const status = reason.status ?? 'decline';
    if (status !== 'decline' && status !== 'awaiting customer') {
      throw new SandboxError(
        'invalid',
        `a decline's status is "decline" or "awaiting customer" (got ${JSON.stringify(status)})`,
      );
    }
    const message =
      reason.message ?? (reason.code === undefined ? DEFAULT_DECLINE.message : 'Decline');
    return this.#finish(this.#get(projectId, paymentId), status, { code, message });
  }

  expire(projectId: number, paymentId: string): PaymentRecord {
    return this.#finish(this.#get(projectId, paymentId), 'decline', TIMEOUT_DECLINE);
  }

  /** Ends a payment by its record (the bank-app page holds the record, not the ids). */
  finishRecord(
    record: PaymentRecord,
    status: FinalStatus,
    reason: { code: string; message: string },
  ): PaymentRecord {
    return this.#finish(record, status, reason);
  }

  /** This payment's bank-app page. */
  qrUrl(record: PaymentRecord): string {
    return `${this.options.baseUrl()}/bank/${record.bankToken}`;
  }

  /** What the QR code encodes (`qr_data`): the bank-app page, or an EMVCo payload (`qrFormat`). */
  qrData(record: PaymentRecord): string {
    if (this.#projects.get(record.projectId)?.qrFormat !== 'emv') return this.qrUrl(record);
    return emvQrPayload({
      projectId: record.projectId,
      amount: record.amount,
      reference: record.providerPaymentId,
    });
  }

  /** The callback (or status answer) body for the payment's current state, unsigned. */
  facts(record: PaymentRecord): CallbackFacts {
    const awaiting = record.status === 'awaiting customer action';
    return {
      projectId: record.projectId,
      paymentId: record.paymentId,
      status: record.status,
      amount: record.amount,
      currency: record.currency,
      description: record.description,
      account: record.email,
      phone: record.phone,
      operationId: record.operationId,
      requestId: record.requestId,
      createdAt: record.createdAt,
      providerDate: record.providerDate,
      date: record.finishedAt ?? record.providerDate,
      // The seed's awaiting callback carries the operation's "0" / "Success" so far.
      code: record.code ?? '0',
      message: record.message ?? 'Success',
      providerPaymentId: record.providerPaymentId,
      ...(awaiting
        ? { qr: { data: this.qrData(record), timeoutSeconds: record.qrTimeoutSeconds } }
        : {}),
    };
  }

  /**
   * The answer to a status request: the payment's current state with its operations (not a
   * callback's structure, PROTOCOL.md §2), in the project's format, signed as the platform.
   */
  statusAnswer(record: PaymentRecord): Record<string, unknown> {
    const project = this.#projects.get(record.projectId)!;
    return signCallback(
      buildStatusAnswer(this.facts(record), project.callbackFormat),
      project.secretKey,
    );
  }

  snapshot(record: PaymentRecord): SandboxPayment {
    return {
      projectId: record.projectId,
      paymentId: record.paymentId,
      status: record.status,
      channel: record.channel,
      amount: record.amount,
      currency: record.currency,
      description: record.description,
      requestId: record.requestId,
      operationId: record.operationId,
      qrUrl: this.qrUrl(record),
      qrData: this.qrData(record),
      qrTimeoutSeconds: record.qrTimeoutSeconds,
      createdAt: record.createdAt.toISOString(),
      expiresAt: record.expiresAt.toISOString(),
      ...(record.finishedAt ? { finishedAt: record.finishedAt.toISOString() } : {}),
      ...(record.code !== undefined ? { code: record.code, message: record.message } : {}),
      callbackUrl: this.callbackUrl(record),
      callbacks: record.callbacks.map((body) => structuredClone(body)),
      deliveries: record.deliveries.map((attempt) => ({ ...attempt })),
    };
  }

  /** The request's own callback URL, else the project's. */
  callbackUrl(record: PaymentRecord): string | undefined {
    return record.callbackUrl ?? this.#projects.get(record.projectId)?.callbackUrl;
  }

  #get(projectId: number, paymentId: string): PaymentRecord {
    const record = this.find(projectId, paymentId);
    if (!record) {
      throw new SandboxError(
        'not-found',
        `no payment ${JSON.stringify(paymentId)} in project ${projectId}`,
      );
    }
    return record;
  }

  #finish(
    record: PaymentRecord,
    status: FinalStatus,
    reason: { code: string; message: string },
  ): PaymentRecord {
    if (record.status !== 'awaiting customer action') {
      throw new SandboxError(
        'conflict',
        `payment ${record.projectId}/${record.paymentId} is already final (${record.status}${record.code ? ` ${record.code}` : ''})`,
      );
    }
    record.cancelTimeout?.();
    record.status = status;
    record.code = reason.code;
    record.message = reason.message;
    record.finishedAt = new Date();
    this.options.log(
      `payment ${record.projectId}/${record.paymentId}: ${status} (${reason.code} ${reason.message})`,
    );
    this.#dispatch(record, this.#signed(record, this.facts(record)));
    if (record.held) {
      const held = record.held;
      delete record.held;
      this.#dispatch(record, held);
    }
    return record;
  }

  /** Signs a callback body with the project's key (wrongly under the `corruptSignature` fault). */
  #signed(record: PaymentRecord, facts: CallbackFacts): Record<string, unknown> {
    const project = this.#projects.get(record.projectId)!;
    const faults = this.options.faults.resolve(record.projectId, record.paymentId);
    const body = signCallback(
      buildCallback(facts, project.callbackFormat),
      project.secretKey,
      faults.corruptSignature,
    );
    record.callbacks.push(body);
    return body;
  }

  /** Queues a callback, and its duplicates under the `duplicateCallbacks` fault. */
  #dispatch(record: PaymentRecord, body: Record<string, unknown>): void {
    const project = this.#projects.get(record.projectId)!;
    const faults = this.options.faults.resolve(record.projectId, record.paymentId);
    const copies = 1 + (faults.duplicateCallbacks ?? 0);
    for (let copy = 0; copy < copies; copy++) {
      const sent =
        copy === 0
          ? body
          : duplicateCallback(body, copy, project.secretKey, faults.corruptSignature ?? false);
      record.chain = this.options.deliverer.deliver({
        projectId: record.projectId,
        paymentId: record.paymentId,
        url: this.callbackUrl(record),
        body: sent,
        // Signed for each attempt (the same signature while the fault is unchanged), so a
        // `corruptSignature` lifted meanwhile lets the retries through.
        bodyFor: () =>
          signCallback(
            sent,
            project.secretKey,
            this.options.faults.resolve(record.projectId, record.paymentId).corruptSignature,
          ),
        delayMs: this.options.clock.real(faults.callbackDelayMs ?? 0),
        after: record.chain,
        failFirst: faults.failDeliveries ?? 0,
        failMode: faults.failMode ?? 'unreachable',
        onAttempt: (attempt) => record.deliveries.push(attempt),
      });
    }
  }
}

/** How a payment ends. */
type FinalStatus = Exclude<SandboxPaymentStatus, 'awaiting customer action'>;

function key(projectId: number, id: string): string {
  return `${projectId} ${id}`;
}
