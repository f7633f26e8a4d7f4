/**
 * The public shapes of the sandbox (`cup-qr-checkout/sandbox`): its options, the payments it
 * holds, its delivery log, the faults it can inject and the control API tests drive it with.
 */

/** One ECommPay project the sandbox knows. */
export interface SandboxProject {
  id: number;
  /** Requests are verified and callbacks signed with it. */
  secretKey: string;
  /**
   * Where callbacks go when a request names no `general.merchant_callback_url`. A request's own
   * callback URL is used only on this URL's origin (or one of {@link callbackOrigins}); a sale
   * naming another is refused.
   */
  callbackUrl?: string;
  /**
   * More origins (`http://127.0.0.1:3000`) whose URLs a sale or a Payment Page link may name
   * as its callback URL, besides `callbackUrl`'s.
   */
  callbackOrigins?: string[];
  /**
   * Any callback URL a request names is used (the sandbox then POSTs wherever a sale says: keep
   * it for tests whose merchants listen on ports known only later). Default `false`.
   */
  allowAnyCallbackUrl?: boolean;
  /**
   * Where its callbacks (and status answers) carry `project_id` and `signature`: `top-level`
   * (default; the seed's callbacks) or `general` (`{"general": {"project_id", "signature"}, …}`,
   * a format some ECommPay projects are set up with; the PHP SDK's test data has it).
   */
  callbackFormat?: CallbackFormat;
  /**
   * What `qr_data` carries. `url` (default): the payment's bank-app page, as the seed shows.
   * `emv`: an EMVCo merchant-presented payload for UnionPay (`000201010212…6304<CRC>`), as QR
   * payment providers send: it opens nothing when scanned, so the bank-app page is reached
   * through {@link SandboxPayment.qrUrl} (or the control API approves).
   */
  qrFormat?: SandboxQrFormat;
}

/** Where a project's callbacks carry `project_id` and `signature` (see {@link SandboxProject}). */
export type CallbackFormat = 'top-level' | 'general';

/** What the sandbox's `qr_data` carries: the bank-app page's URL, or an EMVCo payload. */
export type SandboxQrFormat = 'url' | 'emv';

export interface SandboxOptions {
  /** Default 8090; 0 picks a free port (tests). */
  port?: number;
  /** Default `127.0.0.1`: the control API has no authentication, keep it off the network. */
  host?: string;
  /**
   * More names the sandbox answers (`phone.local`, `192.168.1.20`, `sandbox.test:8443`; without
   * a port, on any port), besides its listening host, `localhost`, `127.0.0.1` and `[::1]` with
   * its port, and `publicUrl`'s host. Any other `Host` is answered 421 (DNS rebinding).
   */
  allowedHosts?: string[];
  projects: SandboxProject[];
  /**
   * The base URL the bank-app links (`qr_data`) and pages use, when the sandbox is reached
   * under another name than `http://host:port` (a phone on the LAN, a proxy). Default: `url`.
   * Its host is one the sandbox answers.
   */
  publicUrl?: string;
  /** "QR Code Timeout" in seconds, sent in `display_data`; default 600. */
  qrTimeoutSeconds?: number;
  /**
   * How fast platform time runs: 0.01 makes the QR timeout, the fault delays and the
   * `ecommpay` retry schedule 100x shorter. Default 1. `retryDelaysMs` are real milliseconds,
   * not scaled.
   */
  timeScale?: number;
  /**
   * The waits between delivery attempts of one callback, in real milliseconds: the platform's
   * schedule compressed for tests. One attempt plus one per entry.
   * Default [100, 200, 400, 800, 1600, 3200]. Not with `retrySchedule`.
   */
  retryDelaysMs?: number[];
  /**
   * `ecommpay`: callbacks are retried on ECommPay's own schedule, in platform time (scaled by
   * `timeScale`): 6 retries 10 s apart, then waits doubling from 20 s up to one every 4 hours,
   * ending after 120 attempts or 11 days, whichever comes first (81 attempts). From older notes,
   * not confirmed by an ECommPay page (PROTOCOL.md §3). Default: `retryDelaysMs`.
   */
  retrySchedule?: 'ecommpay';
  /** How long one delivery attempt may take before it counts as failed; default 5000 ms. */
  deliveryTimeoutMs?: number;
  /** Shown on the bank-app page and the Payment Page; default "沙盒商户 Sandbox Merchant". */
  merchantName?: string;
  /** The largest request body read; default 64 KiB. Larger ones get HTTP 413. */
  maxBodyBytes?: number;
  /** One line per event (requests, payments, deliveries). Default: silent. */
  log?: (line: string) => void;
}

/**
 * Faults injected on demand ({@link SandboxControl.setFaults}), for the whole sandbox, one
 * project or one payment. Delays are platform time (scaled by `timeScale`).
 */
export interface SandboxFaults {
  /** Each callback is also sent this many extra times, each copy one second later in `operation.date`. */
  duplicateCallbacks?: number;
  /** The `awaiting customer action` callback is held back and sent after the final one. */
  finalBeforeAwaiting?: boolean;
  /** Platform milliseconds before each callback's first delivery attempt. */
  callbackDelayMs?: number;
  /**
   * The first N delivery attempts of each callback fail on the platform's side, so the
   * callback is retried on the backing-off schedule; see {@link failMode}.
   */
  failDeliveries?: number;
  /**
   * How those attempts fail. `unreachable` (default): nothing is sent, as if the connection
   * were refused, so the merchant sees the callback late. `answer-lost`: the callback is sent
   * but the merchant's answer is treated as lost, so the merchant receives it N+1 times.
   */
  failMode?: 'unreachable' | 'answer-lost';
  /**
   * Callbacks carry a signature that does not verify. Read at each delivery attempt: once it
   * is lifted, the retries of a refused callback go out correctly signed (as a merchant who
   * fixed a wrong key would see them verify).
   */
  corruptSignature?: boolean;
  /** Gate answers the sale with this HTTP status (5xx) and a Gate-shaped error; nothing is created. */
  gateError?: number;
  /**
   * Gate never answers the sale (the connection stays open until the client gives up or the
   * sandbox closes). `true`: nothing is created. `after-accept`: the payment is created and its
   * callbacks flow, only the answer is lost (for a client's `status()` after a timeout).
   */
  gateHang?: boolean | 'after-accept';
  /** Platform milliseconds before Gate answers a sale. */
  gateDelayMs?: number;
  /** How many sale requests `gateError`/`gateHang` affect before Gate behaves again; default all. */
  gateFaultTimes?: number;
}

/** Which payments a fault applies to: none given, all of them. */
export interface FaultScope {
  projectId?: number;
  paymentId?: string;
}

/**
 * The platform's payment status, as callbacks spell it. `awaiting customer` (without "action")
 * is how a payment ends that the shopper left unfinished ({@link DeclineReason.status}).
 */
export type SandboxPaymentStatus =
  'awaiting customer action' | 'success' | 'decline' | 'awaiting customer';

/** One attempt to deliver one callback. */
export interface DeliveryAttempt {
  projectId: number;
  paymentId: string;
  /** The delivery this attempt belongs to (one callback, or one duplicate of it). */
  deliveryId: number;
  /** `payment.status` of the callback. */
  callbackStatus: string;
  /** 1 for the first attempt of a delivery. */
  attempt: number;
  url: string;
  /** ISO 8601. */
  at: string;
  durationMs: number;
  /** The merchant's HTTP status, when it answered. */
  httpStatus?: number;
  /** Why the attempt failed: a network error, a timeout, a non-200 status, a simulated fault. */
  error?: string;
  delivered: boolean;
  /** Set when the `failDeliveries` fault made this attempt fail. */
  simulated?: 'unreachable' | 'answer-lost';
  /** Real milliseconds until the next attempt; absent when delivered or given up. */
  retryInMs?: number;
  /** The last attempt failed and no more will be made. */
  gaveUp?: boolean;
}

/** A payment as the sandbox holds it (a snapshot: changing it changes nothing). */
export interface SandboxPayment {
  projectId: number;
  paymentId: string;
  status: SandboxPaymentStatus;
  /** How it was started. */
  channel: 'gate' | 'payment-page';
  /** Minor units (fen). */
  amount: number;
  currency: string;
  description: string;
  /** Gate's id of the sale request (`operation.request_id`). */
  requestId: string;
  operationId: number;
  /** The bank-app page, where the shopper approves or declines. */
  qrUrl: string;
  /**
   * What the QR code encodes (`qr_data`): `qrUrl` itself, or for a project with
   * `qrFormat: 'emv'` an EMVCo payload.
   */
  qrData: string;
  qrTimeoutSeconds: number;
  /** ISO 8601. */
  createdAt: string;
  /** When the QR code times out (platform time), ISO 8601. */
  expiresAt: string;
  finishedAt?: string;
  /** The final operation's code and message (`0` Success, `20602` Time-out...). */
  code?: string;
  message?: string;
  /** Where its callbacks go (`undefined`: nowhere configured). */
  callbackUrl?: string;
  /** Every callback produced for it, signed as sent (duplicates not repeated). */
  callbacks: Record<string, unknown>[];
  /** Every delivery attempt of its callbacks. */
  deliveries: DeliveryAttempt[];
}

/** Decline reason; defaults to code `20000` "General decline". */
export interface DeclineReason {
  code?: string;
  message?: string;
  /**
   * The final payment status: `decline` (default), or `awaiting customer`, ECommPay's status of
   * an attempt the shopper did not finish (a failed attempt that may be started again, as
   * ECommPay's own plug-ins treat it).
   */
  status?: 'decline' | 'awaiting customer';
}

/** Driving the sandbox from a test; the same operations are under `/sandbox/` over HTTP. */
export interface SandboxControl {
  /** The shopper pays: `success`. Throws a {@link SandboxError} for an unknown or finished payment. */
  approve(projectId: number, paymentId: string): Promise<SandboxPayment>;
  /** The shopper's bank declines (or, with `status: 'awaiting customer'`, the shopper gives up). */
  decline(projectId: number, paymentId: string, reason?: DeclineReason): Promise<SandboxPayment>;
  /** As if the QR timeout passed: `decline` with code 20602 "Time-out". */
  expire(projectId: number, paymentId: string): Promise<SandboxPayment>;
  payment(projectId: number, paymentId: string): SandboxPayment | undefined;
  payments(): SandboxPayment[];
  /** Replaces the faults of a scope (`{}` clears them); no scope: every payment. */
  setFaults(faults: SandboxFaults, scope?: FaultScope): void;
  /** How many sale requests reached Gate, accepted or not. */
  saleRequests(): number;
  /** Every delivery attempt, oldest first. */
  deliveries(): DeliveryAttempt[];
  /**
   * Resolves when no callback delivery is pending or scheduled (an `awaiting customer action`
   * callback held back by `finalBeforeAwaiting` waits for its final callback and does not count).
   */
  settled(): Promise<void>;
}

export interface Sandbox {
  /** `http://127.0.0.1:8090`: Gate's base URL for the toolkit. */
  url: string;
  port: number;
  /** Stops timers, pending deliveries, open connections and the server. */
  close(): Promise<void>;
  control: SandboxControl;
}
