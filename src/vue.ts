/**
 * `cup-qr-checkout/vue`: what a Vue 3 app needs beside `import 'cup-qr-checkout'`.
 *
 * - `isCustomElement`, for the template compiler (`vue({ template: { compilerOptions: {
 *   isCustomElement } } })` in vite.config): it leaves the tag to the browser. It loads
 *   neither the element nor Lit, so a bundler's config can import it.
 * - `GlobalComponents` types for `<cup-qr-checkout>`, so vue-tsc checks its properties
 *   (`:qr-size="'big'"` is an error) and its events (`@cup-qr-success="(e) => e.detail…"`),
 *   typed from the element. `import type {} from 'cup-qr-checkout/vue'` (or any import from
 *   it) brings them in.
 */
import type { DefineComponent } from 'vue';
import type {
  CupQrCheckoutKebabAttributes,
  CupQrCheckoutProperties,
  CupQrCheckoutVueEventProps,
} from './framework-types.js';
import { TAG_NAME } from './tag-name.js';

/** Whether Vue's compiler should leave `tag` to the browser: `<cup-qr-checkout>` only. */
export function isCustomElement(tag: string): boolean {
  return tag === TAG_NAME;
}

/** `<cup-qr-checkout>`'s props in a Vue template: properties, kebab attributes, listeners. */
export type CupQrCheckoutVueProps = CupQrCheckoutProperties &
  CupQrCheckoutKebabAttributes &
  CupQrCheckoutVueEventProps;

declare module 'vue' {
  interface GlobalComponents {
    'cup-qr-checkout': DefineComponent<CupQrCheckoutVueProps>;
  }
}
