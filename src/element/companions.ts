/**
 * The element's companions, the code its first paint does not need, each imported the first
 * time it is wanted: the QR encoder (as soon as a code may be shown: it arrives while the
 * payment is created), the customer form (a payload that leaves customer fields open, with
 * its rule tables, words and country list), the Payment Page mode (a payload with
 * `mode: payment-page`: its button, window and embedded frame), the QR image export ("save
 * image") and the English words (an English page; the Chinese ones are in the bundle). This file is
 * what the per-module build (`tsc`, the package's entry for bundlers) ships: plain `import()`s
 * that Vite, webpack or esbuild turn into chunks of their own. The two self-contained bundles
 * use companions.bundle.ts instead (vite.config.ts swaps it in): files beside the script.
 * load-companion.ts names the file in the error when one cannot load.
 */
import type * as CustomerFormExports from './customer-form.js';
import type * as PaymentPageExports from './payment-page.js';
import type * as QrImageExports from './qr-image.js';
import type * as QrEncoderExports from './qr-encoder.js';
import type * as EnglishExports from '../translations/en.js';

export type CustomerFormModule = typeof CustomerFormExports;
export type PaymentPageModule = typeof PaymentPageExports;
export type QrImageModule = typeof QrImageExports;
export type QrEncoderModule = typeof QrEncoderExports;
export type EnglishModule = typeof EnglishExports;

/** What an error names when a chunk cannot load. */
export const CUSTOMER_FORM_FILE = 'customer-form.js';
export const PAYMENT_PAGE_FILE = 'payment-page.js';
export const QR_IMAGE_FILE = 'qr-image.js';
export const QR_ENCODER_FILE = 'qr-encoder.js';
export const ENGLISH_FILE = 'translations/en.js';

export function importCustomerForm(): Promise<CustomerFormModule> {
  return import('./customer-form.js');
}

export function importPaymentPage(): Promise<PaymentPageModule> {
  return import('./payment-page.js');
}

export function importQrImage(): Promise<QrImageModule> {
  return import('./qr-image.js');
}

export function importQrEncoder(): Promise<QrEncoderModule> {
  return import('./qr-encoder.js');
}

export function importEnglish(): Promise<EnglishModule> {
  return import('../translations/en.js');
}
