// The page's own script (no inline script under the page's CSP): what a shop does on success.
document.querySelector('cup-qr-checkout').addEventListener('cup-qr-success', (event) => {
  // Ship on the server's word (its store, the verified callback), never on this event alone.
  document.querySelector('#result').textContent = `paid ${event.detail.paymentId}`;
});
