/**
 * What the phone-only actions do (qr-view.ts draws their buttons), and the note each leaves
 * under the stage: copy the code's link (only an `http(s):` code has one, the protocol's QR
 * rule), save the code as an image (its export loaded on the first click: a QR-only page
 * never needs it), and the one wording of a failure's note ({@link failureNote}).
 */
import type { Clock } from '../controllers/clock.js';
import type { Translation } from '../translations/types.js';
import { copyableLink } from '../wire/qr.js';
import { importQrImage, QR_IMAGE_FILE } from './companions.js';
import { loadCompanion } from './load-companion.js';
import { messageOf } from './merchant-api.js';

/** A note saying what failed and why (the error's own words). */
export function failureNote(t: Translation, error: unknown): string {
  return `${t.error}${t.reason(undefined, messageOf(error))}`;
}

/** Copies the link of the code's `data`: the note, or `undefined` when it has none. */
export async function copyQrLink(
  data: string | undefined,
  t: Translation,
): Promise<string | undefined> {
  const url = data === undefined ? undefined : copyableLink(data);
  if (!url) return undefined;
  try {
    await navigator.clipboard.writeText(url);
    return t.copied;
  } catch {
    return t.copyFailed;
  }
}

/** Saves the code drawn in `svg` as an image: the note, or `undefined` with no code drawn. */
export async function saveQrImage(
  svg: SVGSVGElement | null,
  clock: Clock,
  t: Translation,
): Promise<string | undefined> {
  if (!svg) return undefined;
  try {
    const { downloadQrImage } = await loadCompanion(
      'QR image export',
      QR_IMAGE_FILE,
      importQrImage,
    );
    await downloadQrImage(svg, clock);
  } catch (error) {
    return failureNote(t, error);
  }
  // What next: the image is only useful from a bank app's scanner (its photo album).
  return t.saved;
}
