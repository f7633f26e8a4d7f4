/**
 * What a framework sets on <cup-qr-checkout> and listens to, derived from the element's own
 * class and event map: the React wrapper's props, React's JSX and Vue's `GlobalComponents`
 * are typed from here, so a property or event added to the element is typed in each at once.
 * Types only: nothing here runs.
 */
import type { CupQrCheckout } from './cup-qr-checkout.js';
import type { CupQrEventMap } from './events.js';

/** The properties a page sets (`status` and `mode` are the element's own, read-only). */
export type CupQrCheckoutSettable =
  | 'payload'
  | 'endpoint'
  | 'locale'
  | 'qrSize'
  | 'paymentPageTarget'
  | 'manual'
  | 'prefill'
  | 'strings'
  | 'streamOptions';

/** The settable properties, each optional, with the element's own types. */
export type CupQrCheckoutProperties = Partial<Pick<CupQrCheckout, CupQrCheckoutSettable>>;

/** The attributes whose name is not the property's (HTML is written kebab-case). */
export interface CupQrCheckoutKebabAttributes {
  'qr-size'?: number | `${number}`;
  'payment-page-target'?: CupQrCheckout['paymentPageTarget'];
}

/** `cup-qr-success` → `Success`. */
type Suffix<K extends string> = K extends `cup-qr-${infer Rest}` ? Capitalize<Rest> : never;

/** `cup-qr-success` → `cupQrSuccess`. */
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

/** The React wrapper's event props: `onSuccess`, `onStatus`, … */
export type CupQrCheckoutEventProps = {
  [K in keyof CupQrEventMap as `on${Suffix<K>}`]?: (event: CupQrEventMap[K]) => void;
};

/** React 19's props for a custom element's events on the bare tag: `oncup-qr-success`, … */
export type CupQrCheckoutDomEventProps = {
  [K in keyof CupQrEventMap as `on${K}`]?: (event: CupQrEventMap[K]) => void;
};

/** Vue's listener props, what `@cup-qr-success` compiles to: `onCupQrSuccess`, … */
export type CupQrCheckoutVueEventProps = {
  [K in keyof CupQrEventMap as `on${Capitalize<Camel<K>>}`]?: (event: CupQrEventMap[K]) => void;
};
