/**
 * Where payments live: the {@link Store} interface and the records it holds. Every method is
 * async so that a networked store (Redis, SQL) can implement it: with several server
 * instances, the callback lands on one and the shopper's stream is held by another, and only
 * the store and the hub are shared.
 *
 * Concurrency is optimistic: {@link Store.updatePayment} writes only if the payment's `seq` is
 * still the one read, so two callbacks handled at once on two instances cannot both win.
 */
import type { PaymentStatus } from '../wire/status.js';
import type { PayloadCustomer } from '../wire/payload.js';
import type { TokenIssue, TokenRules } from './tokens.js';

/** The QR code of an `awaiting-customer` payment. */
export interface StoredQr {
  /** What the QR code encodes, as the platform's `qr_data` carried it (a URL, an EMVCo payload). */
  data: string;
  timeoutSeconds: number;
  /** When the callback that carried it arrived (Unix ms): the countdown starts there. */
  receivedAt: number;
}

/**
 * A {@link StoredQr} as read back from JSON a store or hub wrote, maybe by an earlier version,
 * which named the content `url` (Redis records, hub messages of an instance not yet upgraded).
 * A store of your own that keeps records as JSON reads its `qr` through this.
 */
export function readStoredQr(qr: StoredQr | (Omit<StoredQr, 'data'> & { url: string })): StoredQr {
  return {
    data: 'data' in qr ? qr.data : qr.url,
    timeoutSeconds: qr.timeoutSeconds,
    receivedAt: qr.receivedAt,
  };
}

/** How the shopper pays: the element's QR (a Gate sale) or ECommPay's Payment Page. */
export type PaymentChannel = 'gate' | 'payment-page';

/** One payment attempt of one order. */
export interface PaymentRecord {
  /** The `payment_id` at ECommPay: `ref` for the first attempt, then `ref-2`, `ref-3`... */
  paymentId: string;
  orderRef: string;
  /** 1 for the first attempt of the order. */
  attempt: number;
  projectId: number;
  channel: PaymentChannel;
  status: PaymentStatus;
  /** 0 when created; one more with every change. */
  seq: number;
  amount: number;
  currency: string;
  description: string;
  /** The customer sent to Gate (with `ip_address`). */
  customer: PayloadCustomer & { ip_address?: string };
  returnUrl: string;
  locale?: string;
  /** SHA-256 (hex) of the tokens handed out for this payment, oldest first; never the tokens. */
  tokenHashes: string[];
  /**
   * When each token (by hash) was last used to read this payment, Unix ms, written at most
   * once a minute (tokens.ts); a hash that is not here was never used. Read-only: the store
   * keeps it ({@link Store.touchToken}), `createPayment` and `updatePayment` ignore it.
   */
  tokenUse?: Record<string, number>;
  qr?: StoredQr;
  /** The platform's (or our) code and message of a decline or error. */
  code?: string;
  message?: string;
  /** The last platform status applied (`awaiting customer action`, `success`...). */
  platformStatus?: string;
  operationId?: string;
  operationDate?: string;
  /** Gate's id of the sale request. */
  requestId?: string;
  /**
   * Gate's last status answer that contradicted this final state (`refresh()`); absent while
   * Gate agrees. Changed only by {@link Store.setGateDisagreement}, never by `updatePayment`.
   */
  gateDisagreement?: GateDisagreement;
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
}

/**
 * A status answer of Gate that contradicts a payment's stored final state: stored `success`
 * while Gate says `awaiting customer action`, stored `decline` while Gate says `success`...
 * Neither side is believed on its own: the merchant checks (SECURITY.md).
 */
export interface GateDisagreement {
  /** Gate's payment status as it answered (`awaiting customer action`, `success`...). */
  platformStatus: string;
  /** What that status means here. */
  status: PaymentStatus;
  /** Whether the answer carried a signature that verifies with the project's secret key. */
  signed: boolean;
  /** When Gate answered so (Unix ms). */
  at: number;
}

/**
 * What the element is told of a payment: the part of the record a stream renders. The hub
 * carries only this, so no token hash or customer detail travels through a message broker
 * (`updateOf` in view.ts makes it from a record).
 */
export type PaymentUpdate = Pick<
  PaymentRecord,
  | 'paymentId'
  | 'status'
  | 'seq'
  | 'amount'
  | 'currency'
  | 'description'
  | 'qr'
  | 'code'
  | 'message'
  | 'updatedAt'
>;

/** What a received callback did. */
export type CallbackOutcome =
  /** It changed the payment's state. */
  | 'applied'
  /** It said nothing new (a duplicate, or `awaiting` again with the same code). */
  | 'duplicate'
  /** It came after a final state, or would move the payment back. */
  | 'ignored'
  /** Its amount or currency differ from the order's: the payment became `error`. */
  | 'amount-mismatch'
  /** No such payment in this store: kept for reconciliation. */
  | 'unknown-payment'
  /** Signed for another project. */
  | 'wrong-project'
  /** Signed, but not a callback we can read. */
  | 'unreadable';

/** Whether a callback with this outcome changed the payment's stored state. */
export function outcomeChangedState(outcome: CallbackOutcome): boolean {
  return outcome === 'applied' || outcome === 'amount-mismatch';
}

/** The report's fields of a callback, by the platform's dotted names (`operation.code`). */
export type CallbackFields = Record<string, string | number>;

/**
 * One callback as it arrived (signature verified), for {@link Store.recordCallback}: what was
 * parsed, and a bounded copy of the body (src/server/callback-record.ts builds it).
 */
export interface ReceivedCallback {
  /** Unix ms. */
  receivedAt: number;
  /** `''` when it could not be read. */
  paymentId: string;
  projectId?: number;
  platformStatus?: string;
  outcome: CallbackOutcome;
  /** The start of the JSON text as received: at most 4 KiB of UTF-8, whole characters. */
  body: string;
  /** The size of the whole body in bytes. */
  bodyBytes: number;
  /** SHA-256 (hex) of the whole body: an identical delivery has the same. */
  bodySha256: string;
  /** What the report shows of it (`operation.id`, `payment.sum.amount`...), as parsed. */
  fields: CallbackFields;
}

/**
 * One callback as kept: its first arrival, and how often the very same body arrived (the
 * platform retries, an attacker replays): an identical body for the same payment is counted
 * on this record, never stored again.
 */
export interface CallbackRecord extends ReceivedCallback {
  /** Arrivals of this body: 1, then one more per identical delivery. */
  count: number;
  /** The latest arrival (Unix ms); `receivedAt` until the body comes again. */
  lastReceivedAt: number;
}

/** One state of a payment, as stored in its history. */
export interface TransitionRecord {
  paymentId: string;
  seq: number;
  status: PaymentStatus;
  code?: string;
  message?: string;
  /** Unix ms. */
  at: number;
}

/** A period, `from` inclusive, `to` exclusive, in Unix ms. */
export interface Period {
  from: number;
  to: number;
}

export interface Store {
  /**
   * Adds a new payment (seq 0), its tokens (`tokenHashes`, issued at `createdAt`) and its first
   * history entry; false when the id exists.
   */
  createPayment(payment: PaymentRecord): Promise<boolean>;
  getPayment(paymentId: string): Promise<PaymentRecord | undefined>;
  /** The order's attempt with the highest number. */
  latestAttempt(orderRef: string): Promise<PaymentRecord | undefined>;
  /**
   * Replaces the payment with `next` (whose `seq` is `expectedSeq + 1`) and records the new
   * state in its history, in one step, only if its `seq` is still `expectedSeq`.
   * Resolves false when someone else changed it first: read again and retry.
   */
  updatePayment(next: PaymentRecord, expectedSeq: number): Promise<boolean>;
  /**
   * Issues one more token of a payment under `rules`, in one atomic step: runs
   * `planTokenIssue` (tokens.ts) on the payment's stored tokens, then drops what it says and
   * adds `tokenHash` (issued at `now`), or changes nothing and resolves its refusal. The
   * tokens of a payment are kept apart from its record: `updatePayment` never changes them.
   */
  issueToken(
    paymentId: string,
    tokenHash: string,
    now: number,
    rules: TokenRules,
  ): Promise<TokenIssue>;
  /** Records that a payment's token was used at `now` (nothing when it is not stored). */
  touchToken(paymentId: string, tokenHash: string, now: number): Promise<void>;
  /**
   * Keeps a received callback. When a record with the same `paymentId` and `bodySha256`
   * exists, counts it there instead (`count` + 1, `lastReceivedAt`), and takes its `outcome`
   * only if this arrival changed the payment ({@link outcomeChangedState}: copies handled at
   * once may be recorded in any order). Resolves true when a new record was added.
   */
  recordCallback(callback: ReceivedCallback): Promise<boolean>;
  /** Sets (or, with `undefined`, clears) a payment's {@link GateDisagreement}; no `seq` change. */
  setGateDisagreement(paymentId: string, disagreement: GateDisagreement | undefined): Promise<void>;
  /** Payments created within the period, oldest first. */
  listPayments(period: Period): Promise<PaymentRecord[]>;
  /** Callbacks first received within the period, oldest first. */
  listCallbacks(period: Period): Promise<CallbackRecord[]>;
  /** A payment's history, oldest first. */
  listTransitions(paymentId: string): Promise<TransitionRecord[]>;
  close(): Promise<void>;
}

/** The history entry a record's current state makes. */
export function transitionOf(payment: PaymentRecord): TransitionRecord {
  return {
    paymentId: payment.paymentId,
    seq: payment.seq,
    status: payment.status,
    ...(payment.code !== undefined ? { code: payment.code } : {}),
    ...(payment.message !== undefined ? { message: payment.message } : {}),
    at: payment.updatedAt,
  };
}
