/**
 * The element's CSS: its parts and custom properties (docs/styling.md), the phone layout
 * and reduced motion. Private custom properties start with `--_`. The customer form's fields
 * and the Payment Page's frame bring their own (customer-form.styles.ts, payment-page.styles.ts
 * in src/element/), adopted when their file loads.
 */
import { css } from 'lit';

export default css`
  :host {
    /* Public tokens with their defaults; copied into private --_x variables below. */
    --cup-qr-size: 220px;
    --cup-qr-foreground: #111;
    --cup-qr-background: #fff;
    --cup-qr-surface: #fff;
    --cup-qr-text: #1f2328;
    --cup-qr-muted: #59636e;
    --cup-qr-border: #d1d9e0;
    --cup-qr-accent: #0b5aa6;
    --cup-qr-accent-text: #fff;
    --cup-qr-success: #1a7f37;
    --cup-qr-danger: #c0272d;
    --cup-qr-warning: #9a6700;
    --cup-qr-radius: 12px;
    --cup-qr-padding: 20px;
    --cup-qr-font-family: system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif;
    --cup-qr-ring-width: 4px;

    display: block;
    box-sizing: border-box;
    max-width: 100%;
    color-scheme: light dark;
    font-family: var(--cup-qr-font-family);
    color: var(--cup-qr-text);
    line-height: 1.5;
  }

  @media (prefers-color-scheme: dark) {
    :host {
      --cup-qr-surface: #161b22;
      --cup-qr-text: #e6edf3;
      --cup-qr-muted: #9198a1;
      --cup-qr-border: #3d444d;
      --cup-qr-accent: #4493f8;
      --cup-qr-accent-text: #0d1117;
      --cup-qr-success: #3fb950;
      --cup-qr-danger: #f85149;
      --cup-qr-warning: #d29922;
      /* The code itself stays dark on light: that is what bank apps scan best. */
    }
  }

  :host([hidden]) {
    display: none;
  }

  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }

  [part~='base'] {
    --_size: var(--cup-qr-size);
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 12px;
    padding: var(--cup-qr-padding);
    border: 1px solid var(--cup-qr-border);
    border-radius: var(--cup-qr-radius);
    background: var(--cup-qr-surface);
    text-align: center;
  }

  [part~='header'] {
    margin: 0;
    font-size: 1.05em;
    font-weight: 600;
  }

  [part~='amount'] {
    margin: 0;
    font-size: 1.75em;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
    min-height: 1.5em;
  }

  [part~='description'] {
    margin: 0;
    color: var(--cup-qr-muted);
    min-height: 1.5em;
    overflow-wrap: anywhere;
  }

  /* The stage keeps one size through every state: no layout jump. */
  [part~='stage'] {
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: flex-start;
    gap: 10px;
    width: 100%;
    /* The code, the timer line and two lines of instructions (the tallest of every state). */
    min-height: calc(var(--_size) + 4.5em + 20px);
  }

  /* Payment Page mode shows no code here: nothing to reserve room for. */
  :host([mode='payment-page']) [part~='stage'] {
    min-height: 0;
    justify-content: center;
  }

  :host(:state(idle)) [part~='stage'],
  :host(:state(success)) [part~='stage'],
  :host(:state(decline)) [part~='stage'],
  :host(:state(expired)) [part~='stage'],
  :host(:state(error)) [part~='stage'] {
    justify-content: center;
  }

  /* The code's box, and the skeleton in its place (part="qr skeleton"): the same size. */
  [part~='qr'] {
    flex: none;
    width: var(--_size);
    height: var(--_size);
    max-width: 100%;
    aspect-ratio: 1;
    color: var(--cup-qr-foreground);
    background: var(--cup-qr-background);
    border-radius: 4px;
  }

  [part~='qr'].skeleton {
    background: linear-gradient(
      90deg,
      color-mix(in srgb, var(--cup-qr-muted) 14%, transparent) 25%,
      color-mix(in srgb, var(--cup-qr-muted) 26%, transparent) 50%,
      color-mix(in srgb, var(--cup-qr-muted) 14%, transparent) 75%
    );
    background-size: 200% 100%;
    animation: shimmer 1.4s ease-in-out infinite;
  }

  @keyframes shimmer {
    from {
      background-position: 200% 0;
    }
    to {
      background-position: -200% 0;
    }
  }

  [part~='timer'] {
    margin: 0;
    min-height: 1.5em;
    display: inline-flex;
    align-items: center;
    gap: 8px;
    font-variant-numeric: tabular-nums;
    color: var(--cup-qr-muted);
  }

  [part~='instructions'] {
    margin: 0;
    max-width: 28em;
  }

  [part~='status'] {
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 6px;
    margin: 0;
  }

  .result-title {
    margin: 0;
    font-size: 1.25em;
    font-weight: 700;
  }

  .result-detail {
    margin: 0;
    color: var(--cup-qr-muted);
    max-width: 28em;
  }

  .icon {
    width: 3em;
    height: 3em;
  }

  :host(:state(success)) .icon {
    color: var(--cup-qr-success);
  }

  :host(:state(decline)) .icon,
  :host(:state(error)) .icon {
    color: var(--cup-qr-danger);
  }

  :host(:state(expired)) .icon {
    color: var(--cup-qr-warning);
  }

  [part~='actions'] {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: 8px;
    max-width: 100%;
  }

  [part~='button'] {
    font: inherit;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 44px;
    padding: 8px 16px;
    border: 1px solid var(--cup-qr-accent);
    border-radius: 8px;
    background: transparent;
    color: var(--cup-qr-accent);
    text-decoration: none;
    cursor: pointer;
    max-width: 100%;
    /* A label breaks between words, never inside a Chinese one (a row wraps first). */
    word-break: keep-all;
    overflow-wrap: anywhere;
  }

  [part~='button'].primary {
    background: var(--cup-qr-accent);
    color: var(--cup-qr-accent-text);
  }

  [part~='button']:focus-visible {
    outline: 2px solid var(--cup-qr-accent);
    outline-offset: 2px;
  }

  @media (max-width: 640px), (pointer: coarse) {
    /* And the phone actions (two rows of buttons on a narrow screen) under the same-phone text. */
    [part~='stage'] {
      min-height: calc(var(--_size) + 9.5em + 126px);
    }

    /* A result on a phone: the card fits its content (no tall empty card to scroll past). */
    :host(:state(success)) [part~='stage'],
    :host(:state(decline)) [part~='stage'],
    :host(:state(expired)) [part~='stage'],
    :host(:state(error)) [part~='stage'] {
      min-height: 0;
    }
  }

  /* The reconnecting notice and the note (link copied, payment resumed) share one line's room. */
  .messages {
    min-height: 1.5em;
    font-size: 0.9em;
  }

  [part~='notice'],
  .note {
    margin: 0;
  }

  [part~='notice'] {
    color: var(--cup-qr-warning);
  }

  .note {
    color: var(--cup-qr-muted);
  }

  /*
   * The customer form's frame, which its placeholder shares while the form's file loads; the
   * fields' own styles come with the form (src/element/customer-form.styles.ts).
   */
  [part~='form'] {
    display: flex;
    flex-direction: column;
    gap: 12px;
    width: 100%;
    max-width: 24em;
    text-align: start;
  }

  [part~='form'] p,
  [part~='form'] h3 {
    margin: 0;
  }

  .form-title {
    font-size: 1em;
  }

  .form-intro {
    color: var(--cup-qr-muted);
    font-size: 0.9em;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }

  /* The stage takes the focus when the control that had it goes (a new state): no ring. */
  [part~='stage']:focus {
    outline: none;
  }

  /*
   * Forced colours (Windows high contrast): the code keeps its own dark-on-light colours, as
   * a scanner needs them (in a dark palette its modules would turn as light as its ground);
   * the skeleton gets a frame, as its shimmering background is dropped.
   */
  @media (forced-colors: active) {
    [part~='qr'] {
      forced-color-adjust: none;
      color: #000;
      background: #fff;
    }

    [part~='qr'].skeleton {
      forced-color-adjust: auto;
      background: Canvas;
      border: 1px dashed CanvasText;
    }

    /* Buttons in the system's button colours; the primary one by a thicker border. */
    [part~='button'],
    [part~='button'].primary {
      background: ButtonFace;
      color: ButtonText;
      border-color: ButtonText;
    }

    [part~='button'].primary {
      border-width: 3px;
      padding: 6px 14px;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    [part~='qr'].skeleton {
      animation: none;
    }
  }
`;
