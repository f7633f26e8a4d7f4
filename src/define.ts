// Registers <cup-qr-checkout>, tolerating a second load (a CDN script beside a bundle).
import { CupQrCheckout } from './cup-qr-checkout.js';
import { TAG_NAME } from './tag-name.js';

export { TAG_NAME };

if (typeof customElements !== 'undefined' && !customElements.get(TAG_NAME)) {
  customElements.define(TAG_NAME, CupQrCheckout);
}

declare global {
  interface HTMLElementTagNameMap {
    'cup-qr-checkout': CupQrCheckout;
  }
}

export { CupQrCheckout };
