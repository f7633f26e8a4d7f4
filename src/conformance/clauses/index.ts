/**
 * Every clause of the kit, in the order it prints them: the sections of
 * docs/wire-protocol.md from the routes to the restarts.
 */
import type { Clause } from '../clause.js';
import { CALLBACK_CLAUSES } from './callbacks.js';
import { CUSTOMER_CLAUSES } from './customer.js';
import { PAYLOAD_CLAUSES } from './payload.js';
import { PAYMENT_PAGE_CLAUSES } from './payment-page.js';
import { RESTART_CLAUSES } from './restarts.js';
import { PAYMENT_CLAUSES } from './payments.js';
import { ROUTE_CLAUSES } from './routes.js';
import { STREAM_CLAUSES } from './stream.js';
import { TOKEN_CLAUSES } from './tokens.js';

export const CLAUSES: readonly Clause[] = [
  ...ROUTE_CLAUSES,
  ...PAYLOAD_CLAUSES,
  ...PAYMENT_CLAUSES,
  ...CUSTOMER_CLAUSES,
  ...TOKEN_CLAUSES,
  ...STREAM_CLAUSES,
  ...CALLBACK_CLAUSES,
  ...PAYMENT_PAGE_CLAUSES,
  ...RESTART_CLAUSES,
];
