// The merchant toolkit, `cup-qr-checkout/server`: Node (or any runtime with fetch and
// node:crypto), no DOM, no Lit.
export * from '../ecommpay/signature.js';
export * from './gate-client.js';
// The protocol types that the toolkit's signatures use, so one import is enough.
export type {
  GateAccepted,
  GateAnswer,
  GateFieldError,
  GateRefused,
} from '../ecommpay/gate-answer.js';
export type { Callback, StatusAnswer } from '../ecommpay/callback.js';
export type { SaleCustomer, SaleRequest } from '../ecommpay/sale.js';
// The checkout handler, its adapters, payloads, stores, hub and report.
export * from './payload.js';
export * from './checkout.js';
export * from './node-adapter.js';
export * from './store.js';
export * from './hub.js';
export { MemoryStore } from './stores/memory.js';
export { openSqliteStore, SqliteStore, SQLITE_SCHEMA_VERSION } from './stores/sqlite.js';
export type { SqliteStoreOptions } from './stores/sqlite.js';
export type { TrustProxy } from './client-ip.js';
export type { AllowedOrigins } from './origin.js';
export { DEFAULT_RATE_LIMIT } from './rate-limit.js';
export type { RateLimit } from './rate-limit.js';
export type { ConnectionInfo } from './routes/create-payment.js';
export type { StreamLimits } from './sse.js';
// What a Store of your own needs for its token methods.
export { DEFAULT_TOKEN_RULES, planTokenIssue, TOKENS_KEPT } from './tokens.js';
export type { StoredToken, TokenIssue, TokenPlan, TokenRules } from './tokens.js';
export { applyCallback, AMOUNT_MISMATCH_CODE } from './state-machine.js';
export { AWAITING_CUSTOMER_CODE } from '../ecommpay/platform-statuses.js';
export type { CallbackEffect } from './state-machine.js';
export { toPaymentState } from './view.js';
export type { RefreshResult } from './refresh.js';
export { DEFAULT_PAYMENT_PAGE_URL } from './routes/payment-page.js';
export { buildReport, formatReport, toCsv } from './report.js';
export { reportCommand, REPORT_USAGE } from '../cli/commands/report.js';
export type { Report, ReportFormat, ReportRows, ReportRow } from './report.js';
export type { ReportOutput } from '../cli/commands/report.js';
export type { CreatedPayment } from '../wire/routes.js';
export type { ErrorBody, ErrorCode } from '../wire/errors.js';
export type { PayloadBody, PayloadCustomer, PaymentMode } from '../wire/payload.js';
export { readPayload, PAYMENT_MODES } from '../wire/payload.js';
export { ERROR_CODES } from '../wire/errors.js';
export { ROUTES, STATUS_EVENT } from '../wire/routes.js';
export { openRedisStore, RedisStore, DEFAULT_REDIS_PREFIX } from './stores/redis.js';
export type { RedisStoreOptions, RedisConnectionOptions } from './stores/redis.js';
export { openRedisHub, RedisHub } from './hubs/redis.js';
export type { RedisHubOptions } from './hubs/redis.js';
