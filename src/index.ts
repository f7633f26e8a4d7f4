// The drop-in entry, `cup-qr-checkout`: defines <cup-qr-checkout> and exports its API.
import './define.js';

export { TAG_NAME } from './define.js';
export {
  CupQrCheckout,
  appLinkFor,
  formatAmount,
  peekPayload,
  type CheckoutMode,
} from './cup-qr-checkout.js';
export type { PaymentSession } from './element/attempt-storage.js';
export type { PayloadPreview } from './element/payload-preview.js';
export {
  CupQrCustomerEvent,
  CupQrDeclineEvent,
  CupQrErrorEvent,
  CupQrExpireEvent,
  CupQrStatusEvent,
  CupQrSuccessEvent,
  type CheckoutStatus,
  type CupQrEventMap,
  type CustomerEventDetail,
  type PaymentEventDetail,
  type StatusEventDetail,
} from './events.js';
export { loadTranslation } from './element/locale-words.js';
export {
  resolveLocale,
  type SupportedLocale,
  type Translation,
  type TranslationOverrides,
} from './translations/index.js';
export type { Clock } from './controllers/clock.js';
export type { PaymentStreamOptions } from './controllers/payment-stream.js';
export type { PaymentQr, PaymentState } from './wire/payment-state.js';
export type { PaymentStatus } from './wire/status.js';
export type { CustomerRuleId, ShopperCustomer, ShopperField } from './wire/customer.js';
