/**
 * The QR encoder (companions.ts: `cup-qr-checkout.qr.js` beside a bundle, a chunk for
 * bundlers) as the element holds it before it has loaded. `load` starts the import as early
 * as a code may be shown (an attempt starting or resuming in `gate` mode, a payload set), so
 * that the file arrives while the merchant's server creates the payment; a code that arrives
 * first waits for it behind the skeleton (qr-view.ts draws nothing until then). One load per
 * page: every element shares the module once it is there, and a failed load is forgotten, so
 * the next `load` (the shopper's "Try again") asks again. When it cannot load, `load`'s promise
 * rejects with an error naming the file (load-companion.ts); the attempt then ends in `error`
 * with the code `qr-unavailable`, its payment kept (checkout-attempt.ts).
 */
import type { ReactiveControllerHost } from 'lit';
import { QR_ENCODER_FILE, importQrEncoder, type QrEncoderModule } from './companions.js';
import { loadCompanion } from './load-companion.js';
import type { QrDrawing } from './qr-encoder.js';

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

  constructor(private readonly host: ReactiveControllerHost) {}

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

  /** The drawing of `data`'s code, or `undefined` while the encoder has not loaded. */
  draw(data: string): QrDrawing | undefined {
    return encoder?.drawQr(data);
  }
}
