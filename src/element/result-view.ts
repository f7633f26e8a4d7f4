/**
 * The view of a final status: its icon (a ring with a tick, a clock hand or a cross), its
 * words (the slot of the same name replaces them) and, but after a success, the new-code or
 * retry action. A server's own message is technical: shown only where the element has no
 * explanation of its own for the code. Of codes, only the platform's own (digits: `20602`) are
 * shown, for a support call; the toolkit's (`gate-unavailable`, `network`) never are.
 */
import { html, nothing, svg, type TemplateResult } from 'lit';
import type { Translation } from '../translations/index.js';

export type ResultStatus = 'success' | 'decline' | 'expired' | 'error';

function resultIcon(status: ResultStatus): TemplateResult {
  const path =
    status === 'success'
      ? svg`<path d="M7 12.5l3.2 3.2L17 9" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"></path>`
      : status === 'expired'
        ? svg`<path d="M12 7v5l3 2" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"></path>`
        : svg`<path d="M9 9l6 6M15 9l-6 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"></path>`;
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
    ${svg`<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2"></circle>`}
    ${path}
  </svg>`;
}

/** A reason's code, a decline's or an error's. */
export interface Reason {
  code?: string;
  message?: string;
}

/** ECommPay's codes are digits (`20602`, `3028`); the toolkit's own are words. */
const PLATFORM_CODE = /^[0-9]{1,10}$/;

/**
 * `payment`: the payment's reason as the server reported it (the platform's code and message);
 * `failure`: why none could be reached (the toolkit's code, the server's message).
 */
export function renderResult(
  t: Translation,
  status: ResultStatus,
  payment: Reason | undefined,
  failure: Reason | undefined,
  onNewCode: () => void,
): TemplateResult {
  const explained = status === 'error' ? t.errorFor(payment?.code ?? failure?.code) : undefined;
  const detail = explained ?? t[`${status}Detail`];
  const message = explained ? undefined : (payment?.message ?? failure?.message);
  const code =
    payment?.code !== undefined && PLATFORM_CODE.test(payment.code) ? payment.code : undefined;
  const reason = status === 'decline' || status === 'error' ? t.reason(code, message) : '';
  return html`<div part="status" tabindex="-1">
      <slot name=${status}>
        ${resultIcon(status)}
        <p class="result-title">${t[status]}</p>
        <p class="result-detail">${detail}${reason}</p>
      </slot>
    </div>
    ${
      status === 'success'
        ? nothing
        : html`<div part="actions">
            <button part="button" class="primary" type="button" @click=${onNewCode}>
              ${status === 'error' ? t.retry : t.newCode}
            </button>
          </div>`
    }`;
}
