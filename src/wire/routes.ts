/**
 * The routes of the wire protocol between the element and the merchant's server (DESIGN.md):
 * their paths under the prefix (the element's `endpoint`), the SSE event name, and the bodies
 * the routes take and answer. One home for the route strings: the toolkit's router matches
 * paths with {@link matchRoute}, the element's client builds them from {@link ROUTES}.
 *
 * No DOM, no Node: the element imports it.
 */
import type { PaymentState } from './payment-state.js';
import type { PayloadCustomer, PaymentMode } from './payload.js';

/** The route prefix the element calls by default (its `endpoint` attribute). */
export const DEFAULT_ROUTE_PREFIX = '/cup-qr';

/** Routes under the prefix. `:id` is the payment id, URL-encoded. */
export const ROUTES = {
  /** `POST {payload, mode?, customer?}` -> {@link CreatedPayment}. */
  payments: '/payments',
  /** `GET ?token=` -> `text/event-stream` of `status` events. */
  events: '/payments/:id/events',
  /** `GET ?token=` -> {@link PaymentState} JSON (the polling fallback). */
  payment: '/payments/:id',
  /** `POST` ECommPay's callbacks. */
  callback: '/callback',
  /** `POST {paymentId, token}` -> {@link PaymentPageLink}. */
  paymentPage: '/payment-page',
} as const;

/** The only SSE event name the server sends; its `data:` is a {@link PaymentState}. */
export const STATUS_EVENT = 'status';

/** The body of `POST /payments`. */
export interface CreatePaymentBody {
  payload: string;
  /**
   * The mode the page expects. Optional: the payload decides (`gate` when it says nothing),
   * and a mode that disagrees with it is refused (`400 field-fixed`), never followed.
   */
  mode?: PaymentMode;
  /**
   * The customer fields the payload leaves open (the element's form). A field the payload
   * fixes, `id` or `ip_address` is refused (`field-fixed`), as is any other top-level key.
   */
  customer?: PayloadCustomer;
}

/** The answer of `POST /payments`: 201 for a new attempt, 200 for the current one. */
export interface CreatedPayment {
  paymentId: string;
  /** Opens this payment's stream and status; keep it like a session secret. */
  token: string;
  state: PaymentState;
}

/** The answer of `POST /payment-page`. */
export interface PaymentPageLink {
  url: string;
}
