/**
 * The element's words: one typed term table per locale (Shoelace's `translations/` habit).
 * Every string can be overridden through the element's `strings` property.
 */
import type { CustomerRuleId, ShopperField } from '../wire/customer.js';

export interface Translation {
  /** BCP 47 tag of the table, used for number formatting too. */
  readonly locale: string;
  /** The element's accessible name (its region). */
  checkoutLabel: string;
  /** The QR image's label. */
  qrLabel: string;
  /** Heading above the code. */
  title: string;
  /** How to pay: open a bank app or the UnionPay app and scan. */
  instructions: string;
  /**
   * How to pay from the phone that shows the code (phone-sized screens): save the image, open
   * the app, scan it from the photos; `link` says whether "open payment link" is offered too.
   */
  samePhone: (link: boolean) => string;
  /** No payment yet and no start button (no payload): nothing to scan, so no instructions. */
  idle: string;
  startButton: string;
  /** Creating the payment. */
  starting: string;
  /** Payment created, waiting for the platform's QR code. */
  pending: string;
  /** Shown in the skeleton's place for screen readers. */
  loading: string;
  /** Remaining time, visible, `m:ss`. */
  remaining: (clock: string) => string;
  /** The same remaining time for screen readers (a clock reading would say "9:42 o'clock"). */
  remainingAccessible: (minutes: number, seconds: number) => string;
  /** Spoken remaining time (the polite live region). */
  remainingSpoken: (minutes: number, seconds: number) => string;
  success: string;
  successDetail: string;
  decline: string;
  declineDetail: string;
  expired: string;
  expiredDetail: string;
  error: string;
  errorDetail: string;
  /** A shopper-facing explanation of a wire-protocol error code, where one helps. */
  errorFor: (code: string | undefined) => string | undefined;
  /** Start a new attempt after an expired code, a decline or an error. */
  newCode: string;
  retry: string;
  /** The stream is down for more than a few seconds. */
  reconnecting: string;
  /** Phone actions: open the code's `https:` link, copy it, save the image. */
  openInApp: string;
  copyLink: string;
  /** After a copy: what to do with the link. */
  copied: string;
  copyFailed: string;
  saveImage: string;
  /** After "save image": where the image went and how to pay with it. */
  saved: string;
  /** Payment Page mode. */
  paymentPageInstructions: string;
  paymentPageButton: string;
  paymentPageOpened: string;
  paymentPageBlocked: string;
  /**
   * `payment-page-target="embedded"`: the frame's title, its close button, and what is said
   * once it is closed (beside `paymentPageButton`, which reopens it).
   */
  paymentPageTitle: string;
  paymentPageClose: string;
  paymentPageClosed: string;
  /**
   * The platform's code (digits, e.g. `20602`) and message, when it gave one; our own error
   * codes are never passed. A table may leave out a message not in its language.
   */
  reason: (code: string | undefined, message: string | undefined) => string;
  /** The payment's amount for screen readers. */
  amountLabel: string;
  /** The amount as spoken: `300.00` (already formatted) and its currency → "300.00 Chinese yuan". */
  amountSpoken: (amount: string, currency: string) => string;
  /** The payment was resumed after a reload. */
  resumed: string;
  /** The customer form (details the payload leaves open): its heading and why it asks. */
  customerTitle: string;
  customerIntro: string;
  /*
   * The customer form's own words (optional here): their default values load with the form
   * (the companion file, customer-form.ts: {@link CustomerFormTranslation}); a merchant's
   * `strings` override them like any other word.
   */
  /** Its submit button: the payment starts. */
  customerSubmit?: string;
  /** Each field's label. */
  customerLabels?: Record<ShopperField, string>;
  /** A hint under a field (Chinese preferred for names and address, Latin letters accepted...). */
  customerHints?: Partial<Record<ShopperField, string>>;
  /** The country list's empty choice. */
  customerChooseCountry?: string;
  /** Country names by ISO code where the runtime's own (`Intl.DisplayNames`) are not the ones to show. */
  customerCountryNames?: Partial<Record<string, string>>;
  /** Why a field was refused, by rule id (`wire/customer.ts`), shown next to it. */
  customerErrors?: Record<CustomerRuleId, string>;
  /** Announced on a refused submission: how many fields need a fix. */
  customerErrorCount?: (count: number) => string;
}

/** The form's words that load with the form. */
export type CustomerFormWordKey =
  | 'customerSubmit'
  | 'customerLabels'
  | 'customerHints'
  | 'customerChooseCountry'
  | 'customerCountryNames'
  | 'customerErrors'
  | 'customerErrorCount';

/** A table of the form's words, as the form's companion ships them (en-form.ts, zh-CN-form.ts). */
export type CustomerFormTranslation = Required<Pick<Translation, CustomerFormWordKey>>;

/** Overrides accepted by the `strings` property. */
export type TranslationOverrides = Partial<Omit<Translation, 'locale'>>;
