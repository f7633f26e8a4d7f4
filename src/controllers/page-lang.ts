/**
 * The page's language around the host: the closest `lang` attribute, else `<html lang>`. It
 * re-renders the host when `<html lang>` changes (a language switch), so that an element
 * without its own `locale` follows it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class PageLangController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  #observer: MutationObserver | undefined;

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  /** The language tag in force where the host stands, `undefined` when none is set. */
  get lang(): string | undefined {
    const tag =
      this.#host.closest('[lang]')?.getAttribute('lang') ??
      (typeof document !== 'undefined' ? document.documentElement.lang : undefined);
    return tag || undefined;
  }

  hostConnected(): void {
    if (typeof MutationObserver === 'undefined') return;
    this.#observer = new MutationObserver(() => this.#host.requestUpdate());
    this.#observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['lang'],
    });
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
  }
}
