/**
 * The QR companion (companions.ts: `cup-qr-checkout.qr.js` beside a bundle, a chunk for
 * bundlers: the encoder and the QR view) as the element holds it before it has loaded. `load` starts the import as early
 * as a code may be shown (an attempt starting or resuming in `gate` mode, a payload set), so
 * that the file arrives while the merchant's server creates the payment; a code that arrives
 * first waits for it behind the skeleton (`render` gives nothing until then; once it can, each
 * code's drawing is computed once, and the view's CSS adopted before it first shows). One load per
 * page: every element shares the module once it is there, and a failed load is forgotten, so
 * the next `load` (the shopper's "Try again") asks again. When it cannot load, `load`'s promise
 * rejects with an error naming the file (load-companion.ts); the attempt then ends in `error`
 * with the code `qr-unavailable`, its payment kept (checkout-attempt.ts).
 */
import type { ReactiveElement, TemplateResult } from 'lit';
import type { PaymentQr } from '../wire/payment-state.js';
import type { Translation } from '../translations/types.js';
import { adoptCompanionStyles } from './companion-styles.js';
import { QR_ENCODER_FILE, importQrEncoder, type QrEncoderModule } from './companions.js';
import { loadCompanion } from './load-companion.js';
import type { QrDrawing } from './qr-encoder.js';
import type { QrTimer } from './qr-view.js';

/** The encoder once loaded, for every element of the page. */
let encoder: QrEncoderModule | undefined;
/** The page's one load under way. */
let pageLoad: Promise<QrEncoderModule> | undefined;

function loadEncoder(): Promise<QrEncoderModule> {
  pageLoad ??= loadCompanion('QR encoder', QR_ENCODER_FILE, importQrEncoder).then(
    (module) => {
      encoder = module;
      pageLoad = undefined;
      return module;
    },
    (error: unknown) => {
      pageLoad = undefined;
      throw error;
    },
  );
  return pageLoad;
}

export class LazyQrEncoder {
  /** This element's wait for the load: settles after the update that can draw the code. */
  #loading: Promise<void> | undefined;
  /** The drawing of the code last shown. */
  #cache: { data: string; drawing: QrDrawing } | undefined;

  constructor(private readonly host: ReactiveElement) {}

  /** The encoder is on its way: the element's `updateComplete` waits for it. */
  get loading(): Promise<void> | undefined {
    return this.#loading;
  }

  /** Loads the encoder (at once when it is there); rejects, naming the file, when it cannot. */
  load(): Promise<void> {
    if (encoder) return Promise.resolve();
    this.#loading ??= loadEncoder()
      .then(() => this.host.requestUpdate())
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }

  /** Starts the load ahead of an attempt; its failure is the attempt's to report, if it needs one. */
  preload(): void {
    this.load().catch(() => undefined);
  }

  /** The QR view of `qr` (qr-view.ts), or `undefined` while the companion has not loaded. */
  render(
    t: Translation,
    qr: PaymentQr,
    timer: QrTimer,
    onCopy: () => void,
    onSave: () => void,
  ): TemplateResult | undefined {
    if (!encoder) return undefined;
    if (this.#cache?.data !== qr.data)
      this.#cache = { data: qr.data, drawing: encoder.drawQr(qr.data) };
    adoptCompanionStyles(this.host, encoder.styles);
    return encoder.renderQrView(t, qr, this.#cache.drawing, timer, onCopy, onSave);
  }
}
