/**
 * The element's events: one small class each, bubbling and composed, with a typed `detail`,
 * declared in `GlobalEventHandlersEventMap` so that
 * `el.addEventListener('cup-qr-success', (e) => e.detail.paymentId)` type-checks.
 */
import type { ShopperCustomer } from './wire/customer.js';
import type { PaymentState } from './wire/payment-state.js';
import type { PaymentStatus } from './wire/status.js';

/**
 * What the element's `status` can be: before a payment exists (`collecting`: the customer form
 * asks for details the payload leaves open), then the payment's own state.
 */
export type CheckoutStatus = 'idle' | 'collecting' | 'starting' | PaymentStatus;

/** What every payment event tells about the attempt. */
export interface PaymentEventDetail {
  /** The attempt's `payment_id` at ECommPay; empty when the attempt never got one. */
  paymentId: string;
  /** Minor units (fen); 0 when unknown. */
  amount: number;
  currency: string;
  /**
   * The platform's (or the merchant server's) code and message, when there is one; the
   * element's own `invalid-response` when the server's answers could not be used, and
   * `form-unavailable` or `page-unavailable` when the customer form's or the Payment Page's
   * file did not load (`message` names it).
   */
  code?: string;
  message?: string;
  /**
   * Of an `invalid-response`: the first wrong field of the answer, by its dotted path in it
   * (`qr.expiresInSeconds` of a streamed state, `state.qr.expiresInSeconds` of the
   * `POST /payments` answer); absent when the answer as a whole was wrong (not JSON).
   */
  field?: string;
  /** The payment was started before a reload and resumed by this page. */
  resumed: boolean;
}

export interface StatusEventDetail extends PaymentEventDetail {
  status: CheckoutStatus;
  previous: CheckoutStatus;
  /** The server's state, when the change came from the server. */
  state?: PaymentState;
}

/** The base of every event: its `type` is the subclass's static `type`. */
abstract class CupQrEvent<D> extends Event {
  readonly detail: D;
  constructor(detail: D) {
    super((new.target as unknown as { type: string }).type, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

/** Every change of `status`. */
export class CupQrStatusEvent extends CupQrEvent<StatusEventDetail> {
  static readonly type = 'cup-qr-status';
}

/** The payment succeeded: once per attempt per page. */
export class CupQrSuccessEvent extends CupQrEvent<PaymentEventDetail> {
  static readonly type = 'cup-qr-success';
}

/** The payment was declined: once per attempt per page. */
export class CupQrDeclineEvent extends CupQrEvent<PaymentEventDetail> {
  static readonly type = 'cup-qr-decline';
}

/** The QR code expired unpaid: once per attempt per page. */
export class CupQrExpireEvent extends CupQrEvent<PaymentEventDetail> {
  static readonly type = 'cup-qr-expire';
}

/** The payment could not be started or ended in an error: once per attempt per page. */
export class CupQrErrorEvent extends CupQrEvent<PaymentEventDetail> {
  static readonly type = 'cup-qr-error';
}

export interface CustomerEventDetail {
  /** What the shopper entered: the fields the payload leaves open, trimmed, all valid. */
  customer: ShopperCustomer;
}

/** The customer form was submitted with valid details; the payment starts with them next. */
export class CupQrCustomerEvent extends CupQrEvent<CustomerEventDetail> {
  static readonly type = 'cup-qr-customer';
}

/**
 * The element's events by name: the one list that `addEventListener`, the React wrapper's
 * `on…` props, the JSX and the Vue types are typed from.
 */
export interface CupQrEventMap {
  'cup-qr-status': CupQrStatusEvent;
  'cup-qr-success': CupQrSuccessEvent;
  'cup-qr-decline': CupQrDeclineEvent;
  'cup-qr-expire': CupQrExpireEvent;
  'cup-qr-error': CupQrErrorEvent;
  'cup-qr-customer': CupQrCustomerEvent;
}

declare global {
  // The list above, merged into the DOM's own map.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends CupQrEventMap {}
}
