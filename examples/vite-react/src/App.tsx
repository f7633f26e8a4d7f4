// The checkout with the React wrapper (cup-qr-checkout/react): typed props and event props.
import { useEffect, useState } from 'react';
import { CupQrCheckout } from 'cup-qr-checkout/react';
import type { CupQrSuccessEvent } from 'cup-qr-checkout';

export function App() {
  const [payload, setPayload] = useState<string>();
  const [result, setResult] = useState('');
  useEffect(() => {
    void fetch('/api/payload')
      .then((response) => response.json() as Promise<{ payload: string }>)
      .then((body) => setPayload(body.payload));
  }, []);
  // Ship on the server's word (its store, the verified callback), never on this event alone.
  const paid = (event: CupQrSuccessEvent) => setResult(`paid ${event.detail.paymentId}`);
  return (
    <main>
      {payload && (
        <CupQrCheckout
          payload={payload}
          locale="zh-CN"
          qrSize={240}
          onSuccess={paid}
          onError={(event) => console.warn(event.detail.code, event.detail.message)}
        />
      )}
      <p id="result">{result}</p>
    </main>
  );
}
