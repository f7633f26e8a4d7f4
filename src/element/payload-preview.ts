/**
 * What the page can read of a signed payload before the server answers: the amount, currency,
 * description and mode it shows at once, and the customer fields the form must ask for. The
 * payload is decoded ONCE (cached, a few payloads at most) with the wire protocol's
 * `readPayload`, WITHOUT verification: only the server holds the key, and it refuses any change
 * anyway. Anything unreadable reads as empty (no amount, `gate`, no open fields): the server
 * refuses such a payload as a whole.
 */
import { openShopperFields, type ShopperField } from '../wire/shopper-fields.js';
import { readPayload, type PaymentMode } from '../wire/payload.js';

/** What the page can read of a payload before the server answers (it is not verified here). */
export interface PayloadPreview {
  amount?: number;
  currency?: string;
  description?: string;
  mode?: PaymentMode;
}

/** A payload as the element reads it. */
export interface PayloadReading {
  preview: PayloadPreview;
  /** The payload's `mode`, `gate` when it has none. */
  mode: PaymentMode;
  /** The customer fields it leaves open, in the form's order. */
  openFields: readonly ShopperField[];
}

const cache = new Map<string, PayloadReading>();

export function readPayloadPreview(payload: string): PayloadReading {
  let reading = cache.get(payload);
  if (reading) return reading;
  const parsed = payload ? readPayload(payload) : undefined;
  const body = parsed?.ok ? parsed.value : undefined;
  reading = {
    preview: body
      ? {
          amount: body.amount,
          currency: body.currency,
          description: body.description,
          ...(body.mode ? { mode: body.mode } : {}),
        }
      : {},
    mode: body?.mode ?? 'gate',
    openFields: body ? openShopperFields(body.customer) : [],
  };
  if (cache.size > 20) cache.clear();
  cache.set(payload, reading);
  return reading;
}
