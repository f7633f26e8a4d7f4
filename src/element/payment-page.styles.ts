/**
 * The embedded Payment Page's frame and its bar (part `payment-page`, `.frame-bar`): they load
 * with the Payment Page's file and are adopted into the element's shadow root before the frame
 * first shows (companion-styles.ts).
 */
import { css } from 'lit';

export default css`
  /* The card's whole width (its padding too, for a phone's sake). */
  [part~='payment-page'] {
    display: block;
    width: calc(100% + 2 * var(--cup-qr-padding));
    margin: 0 calc(-1 * var(--cup-qr-padding));
    height: var(--cup-qr-frame-height, 640px);
    border: solid var(--cup-qr-border);
    border-width: 1px 0;
    background: #fff;
  }

  .frame-bar {
    align-self: flex-end;
  }
`;
