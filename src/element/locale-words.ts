/**
 * The element's words for the locale in force. The Chinese table is in the bundle (the default,
 * and what most CUP QR shoppers read); the English one is a companion (companions.ts), requested
 * the first time an English element updates: in the same moment as the payment's creation, so
 * it arrives while the merchant's server is still answering, and a Chinese page never loads it.
 * Until it is there the element shows its wordless placeholder and `updateComplete` waits.
 * When it cannot load (offline, a CDN that serves the script without its files), the element
 * speaks Chinese rather than nothing: paying works in either language; the console names the
 * file that did not load.
 */
import type { ReactiveControllerHost } from 'lit';
import {
  withOverrides,
  zhCN,
  type SupportedLocale,
  type Translation,
  type TranslationOverrides,
} from '../translations/index.js';
import { ENGLISH_FILE, importEnglish } from './companions.js';
import { loadCompanion } from './load-companion.js';

/** The tables this page has, shared by every element on it. */
const loaded: Partial<Record<SupportedLocale, Translation>> = { 'zh-CN': zhCN };
const loading = new Map<SupportedLocale, Promise<Translation>>();

async function loadTable(locale: SupportedLocale): Promise<Translation> {
  const table = loaded[locale];
  if (table) return table;
  let pending = loading.get(locale);
  if (!pending) {
    pending = loadCompanion('English words', ENGLISH_FILE, importEnglish).then(
      (module) => (loaded[locale] = module.default),
    );
    // A failed load is not kept: the next request tries again.
    pending.then(
      () => loading.delete(locale),
      () => loading.delete(locale),
    );
    loading.set(locale, pending);
  }
  return pending;
}

/**
 * The element's words for `locale` with `overrides` on top (as the `strings` property applies
 * them), loading the English table the first time. It rejects, naming the file, when that
 * table cannot load.
 */
export async function loadTranslation(
  locale: SupportedLocale,
  overrides?: TranslationOverrides | null,
): Promise<Translation> {
  return withOverrides(await loadTable(locale), overrides);
}

/** The words one element shows: at once when their table is here, else once it has loaded. */
export class LocaleWords {
  readonly #host: ReactiveControllerHost;
  #loading: Promise<unknown> | undefined;
  /** Tables that did not load for this element: it speaks Chinese instead. */
  readonly #failed = new Set<SupportedLocale>();
  /** The table of the words last shown. */
  #shown: Translation | undefined;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
  }

  /** The table is on its way: the element's `updateComplete` waits for it. */
  get loading(): Promise<unknown> | undefined {
    return this.#loading;
  }

  /**
   * The words for `locale` with `overrides`. While their table loads (the host updates again
   * once it has come, or has failed and Chinese stands in): the words shown until then (a
   * language switch mid-payment keeps the card as it is), `undefined` on the first update.
   */
  for(locale: SupportedLocale, overrides?: TranslationOverrides | null): Translation | undefined {
    const table = this.#failed.has(locale) ? zhCN : loaded[locale];
    if (table) {
      this.#shown = table;
    } else {
      this.#loading ??= loadTable(locale)
        .catch((error: unknown) => {
          this.#failed.add(locale);
          console.warn(`<cup-qr-checkout>: ${(error as Error).message}; showing Chinese words`);
        })
        .finally(() => {
          this.#loading = undefined;
          this.#host.requestUpdate();
        });
    }
    return this.#shown && withOverrides(this.#shown, overrides);
  }
}
