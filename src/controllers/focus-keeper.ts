/**
 * Keeps the keyboard's place through the element's state changes (WCAG 2.4.3). A new state
 * renders new controls: the start button, the form, the new-code or retry button and the phone
 * actions go, and the browser drops the focus they had to `<body>`, so a keyboard or screen
 * reader user starts again from the page's top. When a render removed the focused control, this
 * moves the focus to what the new state offers first (the host's `target`: the first field, the
 * result, the stage with the QR code). Focus that was elsewhere on the page is never taken.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface FocusKeeperHost extends ReactiveControllerHost {
  readonly shadowRoot: ShadowRoot | null;
}

export class FocusKeeper implements ReactiveController {
  /** The shadow root held the focus when this update began. */
  #hadFocus = false;

  constructor(
    private readonly host: FocusKeeperHost,
    private readonly target: () => HTMLElement | SVGElement | null,
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    this.#hadFocus = this.host.shadowRoot?.activeElement != null;
  }

  hostUpdated(): void {
    if (!this.#hadFocus) return;
    this.#hadFocus = false;
    const inside = this.host.shadowRoot?.activeElement;
    if (inside) {
      // The stage holds the focus only until the state offers something better: the form's
      // first field once its file has loaded, or the result.
      const target = this.target();
      if (target && target !== inside && inside.matches('[part~="stage"]')) this.focusTarget();
      return;
    }
    // The focused control went with the render: the document's focus is now on nothing.
    const active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement) return;
    this.focusTarget();
  }

  /** Focuses the host's target for its current state (after a render). */
  focusTarget(): void {
    this.target()?.focus({ preventScroll: false });
  }
}
