/**
 * `cup-qr-checkout/react`: `<CupQrCheckout>` for React, made by `@lit/react`'s
 * `createComponent`. It sets the element's properties (`payload`, `qrSize`, `prefill`, …) and
 * listens to its events through typed props (`onSuccess`, `onDecline`, `onExpire`, `onError`,
 * `onStatus`, `onCustomer`) in a layout effect, so they work after server rendering and
 * hydration (Next.js) as well as in a page rendered in the browser; the tag it renders is
 * marked to suppress React's hydration warning for the attributes the element adds itself
 * (`status`, `mode`). Importing it defines the element.
 *
 * It also declares the bare tag for React 19's JSX (`<cup-qr-checkout payload={…}
 * oncup-qr-success={…}>`): properties and `on<event>` props typed from the element.
 */
import { createComponent, type EventName } from '@lit/react';
import React from 'react';
import { CupQrCheckout as CupQrCheckoutElement } from './define.js';
import {
  CupQrCustomerEvent,
  CupQrDeclineEvent,
  CupQrErrorEvent,
  CupQrExpireEvent,
  CupQrStatusEvent,
  CupQrSuccessEvent,
} from './events.js';
import type {
  CupQrCheckoutDomEventProps,
  CupQrCheckoutEventProps,
  CupQrCheckoutKebabAttributes,
  CupQrCheckoutProperties,
} from './framework-types.js';
import { TAG_NAME } from './tag-name.js';

/** The wrapper's event props, each the element's event of that name. */
const events = {
  onStatus: CupQrStatusEvent.type as EventName<CupQrStatusEvent>,
  onSuccess: CupQrSuccessEvent.type as EventName<CupQrSuccessEvent>,
  onDecline: CupQrDeclineEvent.type as EventName<CupQrDeclineEvent>,
  onExpire: CupQrExpireEvent.type as EventName<CupQrExpireEvent>,
  onError: CupQrErrorEvent.type as EventName<CupQrErrorEvent>,
  onCustomer: CupQrCustomerEvent.type as EventName<CupQrCustomerEvent>,
} satisfies Record<keyof CupQrCheckoutEventProps, string>;

/** The wrapper's props: the element's settable properties, its events, and HTML's own. */
export type CupQrCheckoutProps = Omit<
  React.HTMLAttributes<CupQrCheckoutElement>,
  keyof CupQrCheckoutEventProps | keyof CupQrCheckoutProperties
> &
  CupQrCheckoutProperties &
  CupQrCheckoutEventProps &
  React.RefAttributes<CupQrCheckoutElement>;

/** `<CupQrCheckout payload={payload} onSuccess={(e) => …} />`; its ref is the element. */
export const CupQrCheckout: React.ForwardRefExoticComponent<CupQrCheckoutProps> = createComponent({
  react: React,
  tagName: TAG_NAME,
  elementClass: CupQrCheckoutElement,
  events,
  displayName: 'CupQrCheckout',
});

export type { CupQrCheckoutElement };

/** The bare tag's props in React 19's JSX (React sets known properties as properties). */
export type CupQrCheckoutJsxProps = React.DetailedHTMLProps<
  React.HTMLAttributes<CupQrCheckoutElement>,
  CupQrCheckoutElement
> &
  CupQrCheckoutProperties &
  CupQrCheckoutKebabAttributes &
  CupQrCheckoutDomEventProps;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'cup-qr-checkout': CupQrCheckoutJsxProps;
    }
  }
}
