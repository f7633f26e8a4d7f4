// The merchant toolkit, `cup-qr-checkout/server`: Node (or any runtime with fetch and
// node:crypto), no DOM, no Lit. Everything public is listed here by name; nothing else is.

// The checkout handler (the wire protocol's server side) and its Node bridge.
export { createCheckout, DEFAULT_MAX_ATTEMPTS } from './checkout.js';
export type { Checkout, CheckoutOptions } from './checkout.js';
export type { ConnectionInfo } from './http.js';
export { toNodeHandler } from './node-adapter.js';
export type { NodeHandlerOptions } from './node-adapter.js';
export { fastifyCheckout } from './fastify.js';
export type { FastifyCheckoutHost, FastifyCheckoutPlugin } from './fastify.js';
export type { TrustProxy } from './client-ip.js';
export type { AllowedOrigins } from './origin.js';
export { DEFAULT_RATE_LIMIT } from './rate-limit.js';
export type { RateLimit } from './rate-limit.js';
export type { StreamLimits } from './sse.js';
export type { RefreshResult } from './refresh.js';
export { DEFAULT_PAYMENT_PAGE_URL } from './routes/payment-page.js';

// Signed payloads, for the merchant's page.
export {
  createPayload,
  DEFAULT_PAYLOAD_TTL_SECONDS,
  orderProblems,
  PAYLOAD_DOMAIN,
  PayloadError,
  payloadKeyOf,
  verifyPayload,
} from './payload.js';
export type {
  CreatePayloadOptions,
  Order,
  PayloadErrorCode,
  PayloadKeyOptions,
} from './payload.js';

// ECommPay's signature.
export {
  canonicalString,
  checkSignature,
  compareNatural,
  findSignature,
  FLOAT_FORMATS,
  sign,
  SignatureError,
  SIGNATURE_ORDERINGS,
  verify,
} from '../ecommpay/signature.js';
export type { FloatFormat, SignatureCheck, SignatureOrdering } from '../ecommpay/signature.js';

// The Gate client.
export { GATE_SALE_PATH, GATE_STATUS_PATH, GateClient } from './gate/client.js';
export type { GateStatus, SaleInput } from './gate/client.js';
export { GateError } from './gate/errors.js';
export type { GateErrorKind, GateErrorOptions } from './gate/errors.js';
export { DEFAULT_GATE_TIMEOUT_MS, DEFAULT_GATE_URL } from './gate/options.js';
export type { GateClientOptions } from './gate/options.js';

// The protocol types that the toolkit's signatures use, so one import is enough.
export type {
  GateAccepted,
  GateAnswer,
  GateFieldError,
  GateRefused,
} from '../ecommpay/gate-answer.js';
export type { Callback, StatusAnswer } from '../ecommpay/callback.js';
export type { SaleCustomer, SaleRequest } from '../ecommpay/sale.js';
export { AWAITING_CUSTOMER_CODE } from '../ecommpay/platform-statuses.js';
export { ROUTES, STATUS_EVENT } from '../wire/routes.js';
export type { CreatedPayment } from '../wire/routes.js';
export { ERROR_CODES } from '../wire/errors.js';
export type { ErrorBody, ErrorCode } from '../wire/errors.js';
export { PAYMENT_MODES, readPayload } from '../wire/payload.js';
export type { PayloadBody, PayloadCustomer, PaymentMode } from '../wire/payload.js';

// Stores, and what a store of your own needs.
export { outcomeChangedState, readStoredQr, transitionOf } from './store.js';
export type {
  CallbackFields,
  CallbackOutcome,
  CallbackRecord,
  GateDisagreement,
  PaymentChannel,
  PaymentRecord,
  PaymentUpdate,
  Period,
  ReceivedCallback,
  Store,
  StoredQr,
  TransitionRecord,
} from './store.js';
export { DEFAULT_TOKEN_RULES, planTokenIssue, TOKENS_KEPT } from './tokens.js';
export type { StoredToken, TokenIssue, TokenPlan, TokenRules } from './tokens.js';
export { MemoryStore } from './stores/memory.js';
export { openSqliteStore, SqliteStore, SQLITE_SCHEMA_VERSION } from './stores/sqlite.js';
export type { SqliteStoreOptions } from './stores/sqlite.js';
export { openRedisStore, RedisStore } from './stores/redis.js';
export type { RedisStoreOptions } from './stores/redis.js';
export { DEFAULT_REDIS_PREFIX } from './redis.js';
export type { RedisConnectionOptions } from './redis.js';

// Hubs, and the state machine and views they carry.
export { MemoryHub } from './hub.js';
export type { Hub, HubListener } from './hub.js';
export { openRedisHub, RedisHub } from './hubs/redis.js';
export type { RedisHubOptions } from './hubs/redis.js';
export { applyCallback, AMOUNT_MISMATCH_CODE } from './state-machine.js';
export type { CallbackEffect } from './state-machine.js';
export { toPaymentState, updateOf } from './view.js';

// Reconciliation.
export { buildReport, formatReport, toCsv } from './report.js';
export type { Report, ReportFormat, ReportRow, ReportRows } from './report.js';
export { reportCommand, REPORT_USAGE } from '../cli/commands/report.js';
export type { ReportOutput } from '../cli/commands/report.js';
