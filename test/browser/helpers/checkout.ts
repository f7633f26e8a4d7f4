/**
 * Helpers of the element tests: the `/__test__/` routes of `test/helpers/wtr-checkout-server.mjs`
 * (the real toolkit and sandbox in the test runner's process), and waiting for states.
 */
import { waitUntil } from '@open-wc/testing';
import jsQRModule from 'jsqr';
import type { CupQrCheckout } from '../../../src/cup-qr-checkout.js';
import type { CheckoutStatus } from '../../../src/events.js';

type Decode = typeof jsQRModule.default;
const jsQR: Decode =
  (jsQRModule as unknown as { default?: Decode }).default ?? (jsQRModule as unknown as Decode);

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`/__test__/${path}`, { method: 'POST', ...init });
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body;
}

export interface MintedPayload {
  payload: string;
  order: { ref: string; amount: number; currency: string; description: string };
}

export const server = {
  payload: (amount = 30000, description = '测试订单 Test order') =>
    call<MintedPayload>(`payload?amount=${amount}&description=${encodeURIComponent(description)}`),
  approve: (paymentId: string) => call(`approve/${encodeURIComponent(paymentId)}`),
  decline: (paymentId: string) => call(`decline/${encodeURIComponent(paymentId)}`),
  expire: (paymentId: string) => call(`expire/${encodeURIComponent(paymentId)}`),
  settled: () => call('settled'),
  payment: (paymentId: string) =>
    call<{ qrUrl: string; status: string } | null>(`payment/${encodeURIComponent(paymentId)}`),
  saleRequests: async () => (await call<{ count: number }>('sale-requests')).count,
  streams: async (paymentId: string) =>
    (await call<{ count: number }>(`streams/${encodeURIComponent(paymentId)}`)).count,
  dropStreams: (paymentId: string) => call(`drop-streams/${encodeURIComponent(paymentId)}`),
  sse: (flags: { block?: boolean; duplicate?: boolean }) =>
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

/** Paints the element's QR code onto a canvas, as a phone camera would see it, and decodes it. */
export async function decodeQr(el: CupQrCheckout, pixels = 400): Promise<string | undefined> {
  const svgElement = shadow(el).querySelector('[part~="qr"] svg')!.cloneNode(true) as SVGElement;
  svgElement.setAttribute('color', '#000');
  svgElement.querySelector('rect')!.setAttribute('fill', '#fff');
  const markup = new XMLSerializer().serializeToString(svgElement);
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  try {
    const image = new Image(pixels, pixels);
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = pixels;
    canvas.height = pixels;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0, pixels, pixels);
    const { data, width, height } = context.getImageData(0, 0, pixels, pixels);
    return jsQR(data, width, height)?.data;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Counts the events of `types` that `el` fires from now on. */
export function recordEvents(el: EventTarget, types: string[]): Event[] {
  const seen: Event[] = [];
  for (const type of types) el.addEventListener(type, (event) => seen.push(event));
  return seen;
}
