/**
 * Helpers of the element tests: the `/__test__/` routes of `test/helpers/wtr-checkout-server.mjs`
 * (the real toolkit and sandbox in the test runner's process), and waiting for states.
 */
import { waitUntil } from '@open-wc/testing';
import type { CupQrCheckout } from '../../../src/cup-qr-checkout.js';
import type { CheckoutStatus } from '../../../src/events.js';
import { decodeQrSvg } from './qr.js';

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`/__test__/${path}`, { method: 'POST', ...init });
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body;
}

export interface MintedPayload {
  payload: string;
  order: { ref: string; amount: number; currency: string; description: string };
  /** The sandbox project the checkout serves. */
  projectId: number;
}

export const server = {
  payload: (amount = 30000, description = '测试订单 Test order') =>
    call<MintedPayload>(`payload?amount=${amount}&description=${encodeURIComponent(description)}`),
  /**
   * A payload for the shop under `/cup-qr-emv` (the element's `endpoint`), whose project's QR
   * codes are EMVCo payloads (`qrFormat: 'emv'`); `project: 'emv'` on the calls below.
   */
  emvPayload: () => call<MintedPayload>('payload?project=emv'),
  /** A payload the shop signed for ECommPay's Payment Page (`mode: 'payment-page'`). */
  paymentPagePayload: (fields?: string[]) =>
    call<MintedPayload>(
      `payload?mode=payment-page${fields ? `&customer=${encodeURIComponent(fields.join(','))}` : ''}`,
    ),
  /** A payload fixing only `fields` of the customer: the element asks for the others. */
  partialPayload: (fields: string[]) =>
    call<MintedPayload>(`payload?customer=${encodeURIComponent(fields.join(','))}`),
  /** The sale request the sandbox received for a payment (null: none reached it). */
  sale: (paymentId: string) =>
    call<{
      request: { customer: Record<string, string> };
      accepted: boolean;
    } | null>(`sale/${encodeURIComponent(paymentId)}`),
  approve: (paymentId: string, project?: 'emv') =>
    call(`approve/${encodeURIComponent(paymentId)}${project ? `?project=${project}` : ''}`),
  /** `status: 'awaiting customer'`: ECommPay's status of an attempt the shopper left. */
  decline: (paymentId: string, status?: 'awaiting customer') =>
    call(
      `decline/${encodeURIComponent(paymentId)}${status ? `?status=${encodeURIComponent(status)}` : ''}`,
    ),
  expire: (paymentId: string) => call(`expire/${encodeURIComponent(paymentId)}`),
  settled: () => call('settled'),
  payment: (paymentId: string, project?: 'emv') =>
    call<{ qrUrl: string; qrData: string; status: string } | null>(
      `payment/${encodeURIComponent(paymentId)}${project ? `?project=${project}` : ''}`,
    ),
  saleRequests: async () => (await call<{ count: number }>('sale-requests')).count,
  streams: async (paymentId: string) =>
    (await call<{ count: number }>(`streams/${encodeURIComponent(paymentId)}`)).count,
  dropStreams: (paymentId: string) => call(`drop-streams/${encodeURIComponent(paymentId)}`),
  /** Event streams opened for a payment so far. */
  streamOpens: async (paymentId: string) =>
    (await call<{ count: number }>(`stream-opens/${encodeURIComponent(paymentId)}`)).count,
  /** `short`: streams end at once, as after their lifetime (the browser reconnects). */
  sse: (flags: { block?: boolean; duplicate?: boolean; short?: boolean }) =>
    call<{ blockSse: boolean; duplicateSse: boolean; duplicated: number }>(
      `sse?${Object.entries(flags)
        .map(([k, v]) => `${k}=${v ? 1 : 0}`)
        .join('&')}`,
    ),
  payOnPaymentPage: (url: string) =>
    call<{ status: number }>(`pay-on-payment-page?url=${encodeURIComponent(url)}`),
  faults: (faults: Record<string, unknown>) =>
    call('faults', {
      body: JSON.stringify(faults),
      headers: { 'content-type': 'application/json' },
    }),
  reset: () => call('reset'),
};

/** Resolves when `el.status` is `status` (at once if it already is). */
export async function statusReached(
  el: CupQrCheckout,
  status: CheckoutStatus,
  timeout = 8000,
): Promise<void> {
  await waitUntil(() => el.status === status, `status ${status} (is ${el.status})`, {
    timeout,
    interval: 20,
  });
  await el.updateComplete;
}

export function shadow(el: CupQrCheckout): ShadowRoot {
  return el.shadowRoot!;
}

export function part(el: CupQrCheckout, name: string): HTMLElement | null {
  return shadow(el).querySelector<HTMLElement>(`[part~="${name}"]`);
}

export function liveText(el: CupQrCheckout): string {
  return (shadow(el).querySelector('.visually-hidden[role="status"]')?.textContent ?? '').trim();
}

export function button(el: CupQrCheckout, text: string): HTMLElement {
  const found = [...shadow(el).querySelectorAll<HTMLElement>('button, a')].find(
    (b) => b.textContent?.trim() === text,
  );
  if (!found) throw new Error(`no button "${text}"`);
  return found;
}

/** Decodes the element's QR code from its pixels, as a phone camera would. */
export function decodeQr(el: CupQrCheckout, pixels = 400): Promise<string | undefined> {
  return decodeQrSvg(shadow(el).querySelector<SVGElement>('[part~="qr"] svg')!, pixels);
}

/** Counts the events of `types` that `el` fires from now on. */
export function recordEvents(el: EventTarget, types: string[]): Event[] {
  const seen: Event[] = [];
  for (const type of types) el.addEventListener(type, (event) => seen.push(event));
  return seen;
}
