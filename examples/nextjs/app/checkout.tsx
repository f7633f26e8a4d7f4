'use client';
// The React wrapper renders on the server and hydrates in the browser; its event props are
// listeners it adds itself, so onSuccess fires after hydration too.
import { useState } from 'react';
import { CupQrCheckout } from 'cup-qr-checkout/react';

export function Checkout({ payload }: { payload: string }) {
  const [result, setResult] = useState('');
  return (
    <main>
      <CupQrCheckout
        payload={payload}
        locale="zh-CN"
        // Ship on the server's word (its store, the verified callback), never on this alone.
        onSuccess={(event) => setResult(`paid ${event.detail.paymentId}`)}
      />
      <p id="result">{result}</p>
    </main>
  );
}
