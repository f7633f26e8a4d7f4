/**
 * The customer form's fields (parts `field`, `label`, `input`, `hint`, `field-error`,
 * `form-error`): they load with the form's file and are adopted into the element's shadow root
 * before the form first shows (companion-styles.ts). The form's frame, which its placeholder
 * shares, stays in the element's CSS (cup-qr-checkout.styles.ts).
 */
import { css } from 'lit';

export default css`
  /* Fields start-aligned in a column, each error under its field. */
  [part~='field'] {
    display: flex;
    flex-direction: column;
    gap: 4px;
    width: 100%;
    max-width: 24em;
    text-align: start;
  }

  [part~='hint'],
  [part~='field-error'],
  [part~='form-error'] {
    color: var(--cup-qr-muted);
    font-size: 0.9em;
  }

  [part~='label'] {
    font-weight: 600;
  }

  [part~='input'] {
    font: inherit;
    /* As wide as the form, never wider: a long country name does not widen a select. */
    width: 100%;
    min-width: 0;
    max-width: 100%;
    min-height: 44px;
    padding: 8px 10px;
    border: 1px solid var(--cup-qr-muted);
    border-radius: 8px;
    background: var(--cup-qr-surface);
    color: inherit;
  }

  [part~='input']:focus-visible {
    outline: 2px solid var(--cup-qr-accent);
    outline-offset: 1px;
  }

  /* A refused field is marked by more than colour (forced colours make all borders one). */
  [part~='input'][aria-invalid='true'] {
    border-color: var(--cup-qr-danger);
    border-width: 3px;
    padding: 6px 8px;
  }

  [part~='field-error'],
  [part~='form-error'] {
    color: var(--cup-qr-danger);
    overflow-wrap: anywhere;
  }

  /* And its message by a sign (not read out: the text says it). */
  [part~='field-error']::before {
    content: '⚠';
    content: '⚠' / '';
    margin-inline-end: 0.35em;
  }
`;
