/**
 * The QR view's own CSS (qr-view.ts): the code's `<svg>`, the countdown's ring, and the
 * phone-only text and actions. It ships with the view in the QR companion
 * (`cup-qr-checkout.qr.js`) and is adopted before the view first shows (companion-styles.ts);
 * the code's box, its skeleton, the timer's line and the stage stay in the element's styles,
 * as they show before the companion is there.
 */
import { css } from 'lit';

export default css`
  [part~='qr'] svg {
    display: block;
    width: 100%;
    height: 100%;
  }

  [part~='timer'].low {
    color: var(--cup-qr-warning);
  }

  [part~='timer-ring'] {
    width: 1.5em;
    height: 1.5em;
    transform: rotate(-90deg);
  }

  [part~='timer-ring'] circle {
    fill: none;
    stroke-width: var(--cup-qr-ring-width);
  }

  [part~='timer-ring'] .track {
    stroke: var(--cup-qr-border);
  }

  [part~='timer-ring'] .progress {
    stroke: currentColor;
    transition: stroke-dashoffset 1s linear;
  }

  [part~='same-phone'] {
    margin: 0;
    max-width: 28em;
  }

  /* Phone actions: only on small screens or touch devices. */
  .phone {
    display: none;
  }

  @media (max-width: 640px), (pointer: coarse) {
    .phone {
      display: flex;
    }

    /* The same-phone text is a paragraph: its Chinese runs (lang spans) flow inside its lines. */
    p.phone {
      display: block;
    }

    /* On a phone, how to pay from it (part same-phone) in the place of "scan the code". */
    .not-phone {
      display: none;
    }
  }

  /* Forced colours: the code's ground stays light (the element's styles keep its colours). */
  @media (forced-colors: active) {
    [part~='qr'] svg rect {
      fill: #fff;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    [part~='timer-ring'] .progress {
      transition: none;
    }
  }
`;
