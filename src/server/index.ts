// The merchant toolkit, `cup-qr-checkout/server`: Node (or any runtime with fetch and
// node:crypto), no DOM, no Lit.
export * from './signature.js';
export * from './gate-client.js';
// The protocol types that the toolkit's signatures use, so one import is enough.
export type {
  GateAccepted,
  GateAnswer,
  GateFieldError,
  GateRefused,
} from '../protocol/gate-answer.js';
export type { Callback } from '../protocol/callback.js';
export type { SaleCustomer, SaleRequest } from '../protocol/sale.js';
