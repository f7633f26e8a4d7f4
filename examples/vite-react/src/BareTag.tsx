// The other way: the bare tag in React 19's JSX, typed by `cup-qr-checkout/react` (React sets
// its properties and adds listeners for on<event> props). In a page rendered on the server
// (Next.js), prefer the wrapper: React attaches no on<event> listener when it hydrates.
import 'cup-qr-checkout/react';
import type { CupQrSuccessEvent } from 'cup-qr-checkout';

export function BareTagCheckout({
  payload,
  onPaid,
}: {
  payload: string;
  onPaid: (id: string) => void;
}) {
  return (
    <cup-qr-checkout
      payload={payload}
      qr-size={240}
      oncup-qr-success={(event: CupQrSuccessEvent) => onPaid(event.detail.paymentId)}
    />
  );
}
