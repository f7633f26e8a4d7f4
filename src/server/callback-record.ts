/**
 * What is kept of a verified callback: what was parsed (the fields the report shows, by the
 * platform's dotted names) and a bounded copy of the body (its first 4 KiB, its size and its
 * SHA-256), never the whole body. A genuine callback is about 1 KiB, so it is kept whole; a
 * padded one cannot fill the store, and an identical delivery is recognised by its hash and
 * counted (store.ts `recordCallback`) instead of stored again.
 */
import { createHash } from 'node:crypto';
import type { CallbackFields, ReceivedCallback } from './store.js';

/** The most of a callback's body a record keeps, in bytes of UTF-8. */
export const CALLBACK_BODY_KEPT_BYTES = 4096;

/** The longest text a field keeps (the shape check allows longer values, up to 4096). */
const FIELD_MAX_LENGTH = 512;

/**
 * The report's fields of a callback, by path in the body (`provider.payment_id` lives in
 * `operation.provider`). The first three are the record's own too once the callback is read;
 * as fields, they are there for the ones that could not be.
 */
export const CALLBACK_FIELD_PATHS: Readonly<Record<string, string>> = {
  project_id: 'project_id',
  'payment.id': 'payment.id',
  'payment.status': 'payment.status',
  'payment.sum.amount': 'payment.sum.amount',
  'payment.sum.currency': 'payment.sum.currency',
  'operation.id': 'operation.id',
  'operation.type': 'operation.type',
  'operation.status': 'operation.status',
  'operation.request_id': 'operation.request_id',
  'operation.code': 'operation.code',
  'operation.message': 'operation.message',
  'operation.date': 'operation.date',
  'provider.payment_id': 'operation.provider.payment_id',
};

/** A string or number at a dotted path of unknown JSON (own properties only). */
function at(value: unknown, path: string): string | number | undefined {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'number') return Number.isFinite(current) ? current : undefined;
  if (typeof current === 'string') return current.slice(0, FIELD_MAX_LENGTH);
  return undefined;
}

/** Where a field is in the project formats that put it under `general` instead. */
const GENERAL_FIELD_PATHS: Readonly<Record<string, string>> = {
  project_id: 'general.project_id',
};

/** The report's fields of a parsed callback body (anything: unreadable ones too). */
export function callbackFieldsOf(body: unknown): CallbackFields {
  const fields: CallbackFields = {};
  for (const [name, path] of Object.entries(CALLBACK_FIELD_PATHS)) {
    const general = Object.hasOwn(GENERAL_FIELD_PATHS, name) ? GENERAL_FIELD_PATHS[name] : '';
    const value = at(body, path) ?? (general ? at(body, general) : undefined);
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

/** The longest start of `text` that ends on a character boundary and fits `max` bytes of UTF-8. */
function utf8Prefix(text: string, size: number, max: number): string {
  if (size <= max) return text;
  const bytes = Buffer.from(text, 'utf8');
  let end = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** What a record keeps of a body, whatever the callback did. */
export type KeptCallback = Pick<ReceivedCallback, 'body' | 'bodyBytes' | 'bodySha256' | 'fields'>;

/** What the store keeps of a callback received as `text` and parsed as `body`. */
export function keptCallback(text: string, body: unknown): KeptCallback {
  const size = Buffer.byteLength(text, 'utf8');
  return {
    body: utf8Prefix(text, size, CALLBACK_BODY_KEPT_BYTES),
    bodyBytes: size,
    bodySha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    fields: callbackFieldsOf(body),
  };
}
