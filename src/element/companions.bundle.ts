/**
 * Where the companions come from in the self-contained bundles (the ES module for a CDN and
 * the classic script; vite.config.ts puts this file in companions.ts's place): files served
 * beside the script, `cup-qr-checkout.qr.js` (the QR encoder), `cup-qr-checkout.form.js` (the
 * customer form), `cup-qr-checkout.page.js` (the Payment Page mode), `cup-qr-checkout.png.js`
 * (the QR image export) and `cup-qr-checkout.en.js` (the English words), imported with
 * `import()` from the script's own URL the first time they are wanted. Each is an ES module of
 * its own (`vite build --mode qr`, `--mode form`, `--mode page`, `--mode png`, `--mode en`), so
 * the same file serves both bundles: the classic script cannot share modules with a chunk, and
 * the ES module bundle then needs no second name.
 *
 * The script's URL is read while it runs: the classic script's `document.currentScript` (gone
 * afterwards; the classic build has no `import.meta`), else the ES module's `import.meta.url`.
 * `import()` is no Trusted Types sink; `script-src` governs it, and `'self'` allows a companion
 * served beside the script.
 */
import type {
  CustomerFormModule,
  EnglishModule,
  PaymentPageModule,
  QrEncoderModule,
  QrImageModule,
} from './companions.js';

export type {
  CustomerFormModule,
  EnglishModule,
  PaymentPageModule,
  QrEncoderModule,
  QrImageModule,
};

const script = typeof document === 'undefined' ? null : document.currentScript;
/** Where the script came from (the page itself for a script that was not loaded by a tag). */
const scriptUrl: string | undefined =
  (script instanceof HTMLScriptElement && script.src) || import.meta.url || undefined;

/** A companion's URL, beside the script (docs/embedding.md: serve them in the same folder). */
const beside = (file: string): string => (scriptUrl ? new URL(file, scriptUrl).href : file);

/** The companion files' URLs, which an error names when one cannot load. */
export const CUSTOMER_FORM_FILE = beside('cup-qr-checkout.form.js');
export const PAYMENT_PAGE_FILE = beside('cup-qr-checkout.page.js');
export const QR_IMAGE_FILE = beside('cup-qr-checkout.png.js');
export const QR_ENCODER_FILE = beside('cup-qr-checkout.qr.js');
export const ENGLISH_FILE = beside('cup-qr-checkout.en.js');

const tries = new Map<string, number>();

/** Imports the companion at `url`; a retry asks for it under a URL of its own. */
function importBeside<T>(url: string): Promise<T> {
  // A failed module fetch stays failed for the page's lifetime in some engines: a retry (the
  // shopper's "Try again" once back online) asks for the file under a URL of its own.
  const n = tries.get(url) ?? 0;
  tries.set(url, n + 1);
  return import(/* @vite-ignore */ n === 0 ? url : `${url}?retry=${n}`) as Promise<T>;
}

export const importCustomerForm = (): Promise<CustomerFormModule> =>
  importBeside(CUSTOMER_FORM_FILE);

export const importPaymentPage = (): Promise<PaymentPageModule> => importBeside(PAYMENT_PAGE_FILE);

export const importQrImage = (): Promise<QrImageModule> => importBeside(QR_IMAGE_FILE);

export const importQrEncoder = (): Promise<QrEncoderModule> => importBeside(QR_ENCODER_FILE);

export const importEnglish = (): Promise<EnglishModule> => importBeside(ENGLISH_FILE);
