/**
 * `cup-qr-checkout/sandbox`: an offline emulator of the ECommPay platform for CUP QR.
 *
 * ```ts
 * const sandbox = await startSandbox({
 *   port: 0,
 *   projects: [{ id: 200, secretKey: 'test-key', callbackUrl: 'http://127.0.0.1:8080/cup-qr/callback' }],
 *   timeScale: 0.01,
 * });
 * // Gate at sandbox.url: POST /v2/payment/cup/qr/sale, POST /v2/payment/status(/request);
 * // the Payment Page at GET /payment?…&signature=…; the bank app behind each qr_data.
 * await sandbox.control.approve(200, paymentId); // a payment one of its sales created
 * await sandbox.control.settled();
 * await sandbox.close();
 * ```
 */
export { startSandbox, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_QR_TIMEOUT_SECONDS } from './server.js';
export { DEFAULT_RETRY_DELAYS_MS, ECOMMPAY_RETRY_DELAYS_MS } from './delivery.js';
export { DEFAULT_DECLINE, TIMEOUT_DECLINE } from './platform.js';
export { FIELD_ERRORS, GATE_ERRORS, SandboxError } from './errors.js';
export { SALE_PATH, STATUS_BY_REQUEST_PATH, STATUS_PATH } from './gate.js';
export type {
  CallbackFormat,
  DeclineReason,
  DeliveryAttempt,
  FaultScope,
  Sandbox,
  SandboxControl,
  SandboxFaults,
  SandboxOptions,
  SandboxPayment,
  SandboxPaymentStatus,
  SandboxProject,
  SandboxQrFormat,
} from './types.js';
