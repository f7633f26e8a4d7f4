/**
 * The QR view of `awaiting-customer` in `gate` mode: the code, the countdown's ring and `m:ss`
 * (spoken as minutes and seconds), how to pay, and, on a phone-sized screen, how to pay from
 * that phone with the phone-only actions: open payment link (an `https:` code), copy link (an
 * `http(s):` code), save image. Any content is drawn; what may be a link is the protocol's QR
 * rule. It ships in the QR companion with the encoder (qr-encoder.ts) and its CSS
 * (qr-view.styles.ts); the element holds it through lazy-qr-encoder.ts, which computes each
 * code's drawing once, not on each tick of the countdown.
 */
import { html, nothing, svg, type TemplateResult } from 'lit';
import type { PaymentQr } from '../wire/payment-state.js';
import { appLinkFor, copyableLink } from '../wire/qr.js';
import type { QrDrawing } from './qr-encoder.js';
import type { Translation } from '../translations/index.js';
import { formatClock, spokenClock } from './format.js';
import { markChinese } from './lang-runs.js';

/** What the view shows of the countdown: whole seconds left and the ring's share of them. */
export interface QrTimer {
  remaining: number;
  fraction: number;
}

/**
 * The `<svg>` of `drawing`, scaled to its box (`width`/`height` come from CSS), dark modules in
 * `currentColor` on a `--cup-qr-background`-coloured square with the quiet zone included.
 */
export function qrSvg({ side, path }: QrDrawing, label: string): TemplateResult {
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${side} ${side}"
    role="img"
    aria-label=${label}
    shape-rendering="crispEdges"
    part="qr-svg"
  >
    <rect width=${side} height=${side} fill="var(--cup-qr-background, #fff)"></rect>
    <path d=${path} fill="currentColor"></path>
  </svg>`;
}

/** The view of `qr`, its code drawn as `drawing`. */
export function renderQrView(
  t: Translation,
  qr: PaymentQr,
  drawing: QrDrawing,
  { remaining, fraction }: QrTimer,
  onCopy: () => void,
  onSave: () => void,
): TemplateResult {
  const circumference = 2 * Math.PI * 10;
  const appLink = appLinkFor(qr.data);
  return html`<div part="qr">${qrSvg(drawing, t.qrLabel)}</div>
    <div part="timer" class=${remaining <= 60 ? 'low' : ''}>
      <svg part="timer-ring" viewBox="0 0 24 24" aria-hidden="true">
        ${svg`<circle class="track" cx="12" cy="12" r="10"></circle>
            <circle
              class="progress"
              cx="12"
              cy="12"
              r="10"
              stroke-dasharray=${circumference}
              stroke-dashoffset=${circumference * (1 - fraction)}
            ></circle>`}
      </svg>
      <span part="timer-text" aria-hidden="true">${t.remaining(formatClock(remaining))}</span>
      <span class="visually-hidden">${spokenClock(remaining, t)}</span>
    </div>
    <p part="instructions" class="not-phone">${markChinese(t.instructions, t.locale)}</p>
    <p part="same-phone" class="phone">
      ${markChinese(t.samePhone(appLink !== undefined), t.locale)}
    </p>
    <div part="actions phone-actions" class="phone">
      ${
        appLink
          ? html`<a
              part="button"
              class="primary"
              href=${appLink}
              target="_blank"
              rel="noopener noreferrer"
              >${t.openInApp}</a
            >`
          : nothing
      }
      ${
        copyableLink(qr.data) !== undefined
          ? html`<button part="button" type="button" @click=${onCopy}>${t.copyLink}</button>`
          : nothing
      }
      <button part="button" type="button" @click=${onSave}>${t.saveImage}</button>
    </div>`;
}
