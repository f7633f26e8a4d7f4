// What the types of cup-qr-checkout/react refuse (tsc fails if one of these type-checks): not
// used by the app, checked with it by `npm run typecheck`.
import { CupQrCheckout } from 'cup-qr-checkout/react';

export const refused = [
  // @ts-expect-error qrSize is a number of CSS pixels
  <CupQrCheckout key="1" qrSize="big" />,
  // @ts-expect-error the success event's detail has no such field
  <CupQrCheckout key="2" onSuccess={(e) => e.detail.noSuchField} />,
  // @ts-expect-error status is the element's own, read-only
  <CupQrCheckout key="3" status="success" />,
  // @ts-expect-error the bare tag's qr-size is a number too
  <cup-qr-checkout key="4" qr-size="big" />,
];
