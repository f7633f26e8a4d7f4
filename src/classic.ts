// The types of the classic script, `dist/cup-qr-checkout.min.js` (package.json's exports):
// loaded, it defines <cup-qr-checkout> and sets the global `CupQrCheckout` to the API of the
// module entry. Nothing here runs; the script itself is the Vite build of index.ts.
import type * as Api from './index.js';

declare global {
  // The IIFE's global, as Vite's `lib.name` sets it.
  var CupQrCheckout: typeof Api;
}

export {};
