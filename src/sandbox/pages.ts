/**
 * The sandbox's HTML: the bank-app page behind `qr_data` and the Payment Page's steps.
 * Phone-sized, Chinese first with English beside (`lang="zh-CN"`, `<span lang="en">`), no
 * inline scripts (plain forms that POST and redirect back; `<meta http-equiv="refresh">` where
 * a page must follow the payment), so the strict CSP of http.ts holds. A Payment Page shown in
 * a frame ({@link FramedView}) has a layout for it, and, when it knows the page that framed it,
 * loads the sandbox's one script ({@link PAYMENT_PAGE_SCRIPT_PATH}), which posts the outcome
 * there. Every interpolated value goes through {@link escapeHtml}.
 */
import { PAYMENT_PAGE_SCRIPT_PATH } from './merchant-js.js';
import type { SandboxPaymentStatus } from './types.js';

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** 30000 fen -> `300.00` (CNY has two decimals). */
export function formatAmount(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Both languages, side by side: `支付 <span lang="en">Pay</span>`. */
function bi(zh: string, en: string): string {
  return `${escapeHtml(zh)} <span lang="en">${escapeHtml(en)}</span>`;
}

export const STYLESHEET_PATH = '/assets/sandbox.css';

export const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;background:#eef1f5;color:#1d2330;font:16px/1.5 system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif}
main{max-width:420px;margin:0 auto;min-height:100vh;background:#fff;padding:16px 20px 32px}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #dde2ea;padding-bottom:8px;margin-bottom:16px;font-weight:600}
header small{font-weight:400;color:#5b6577}
h1{font-size:1.3rem;margin:0 0 12px}
h2{font-size:1.05rem;margin:20px 0 8px}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;margin:0 0 16px}
dt{color:#5b6577}
dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.amount{font-size:1.8rem;font-weight:700;color:#c8102e;margin:8px 0 16px}
.actions{display:grid;gap:12px;margin-top:24px}
button{width:100%;font:inherit;font-weight:600;padding:14px;border-radius:10px;border:1px solid transparent;cursor:pointer}
button.approve,button.primary{background:#c8102e;color:#fff}
button.decline{background:#fff;color:#1d2330;border-color:#9aa3b2}
button:focus-visible,a:focus-visible,input:focus-visible{outline:3px solid #1a5fd0;outline-offset:2px}
fieldset{border:1px solid #dde2ea;border-radius:10px;margin:0 0 16px;padding:8px 12px}
legend{padding:0 4px;font-weight:600}
label{display:flex;gap:8px;align-items:center;padding:8px 0}
.qr{display:block;width:240px;height:240px;margin:8px auto}
.outcome{font-size:1.2rem;font-weight:700;padding:12px;border-radius:10px;text-align:center}
.outcome.success{background:#e3f6e8;color:#11612a}
.outcome.decline{background:#fde8e8;color:#9b1c1c}
.notice{background:#fff5d6;border:1px solid #e0c060;border-radius:10px;padding:10px}
ul.problems{padding-left:20px}
a{color:#1a5fd0}
body.framed{background:#fff;font-size:15px}
.framed main{max-width:none;min-height:0;padding:4px 12px 8px}
.framed header{font-size:.85rem;gap:8px;padding-bottom:4px;margin-bottom:6px}
.framed .amount{font-size:1.5rem;margin:0 0 6px}
.framed dl{font-size:.85rem;gap:0 8px;margin-bottom:6px}
.framed p{margin:6px 0}
.framed h2{margin:6px 0 2px}
.framed fieldset{margin-bottom:8px;padding:2px 10px}
.framed label{padding:3px 0}
.framed button{padding:10px}
.framed .qr{width:200px;height:200px;margin:4px auto}
.framed .qr svg{width:100%;height:100%}
.framed .actions{margin-top:12px}
`;

/** A Payment Page shown in a frame (`frame_mode`): merchant.js's modal, the element's frame. */
export interface FramedView {
  /** The origin of the page that framed it (merchant.js's `_referrer`): told the outcome. */
  parentOrigin?: string;
}

interface LayoutOptions {
  title: string;
  body: string;
  /** `<meta http-equiv="refresh">`: reload (or go to `url`) after `seconds`. */
  refresh?: { seconds: number; url?: string };
  framed?: FramedView | undefined;
}

function layout({ title, body, refresh, framed }: LayoutOptions): string {
  const meta = refresh
    ? `\n<meta http-equiv="refresh" content="${refresh.seconds}${refresh.url ? `;url=${escapeHtml(refresh.url)}` : ''}">`
    : '';
  const parent = framed?.parentOrigin;
  const script =
    parent === undefined ? '' : `\n<script src="${PAYMENT_PAGE_SCRIPT_PATH}" defer></script>`;
  const bodyTag = framed
    ? `<body class="framed"${parent === undefined ? '' : ` data-parent-origin="${escapeHtml(parent)}"`}>`
    : '<body>';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${meta}
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">${script}
</head>
${bodyTag}
<main>
${body}
</main>
</body>
</html>
`;
}

/** The payment as both pages show it. */
export interface PaymentSummary {
  merchant: string;
  amount: number;
  currency: string;
  description: string;
  paymentId: string;
  /** A Payment Page step shown in a frame. */
  framed?: FramedView;
}

function summary(view: PaymentSummary): string {
  return `<p class="amount" data-field="amount">¥${escapeHtml(formatAmount(view.amount))} ${escapeHtml(view.currency)}</p>
<dl>
<dt>${bi('商户', 'Merchant')}</dt><dd data-field="merchant">${escapeHtml(view.merchant)}</dd>
<dt>${bi('商品', 'Description')}</dt><dd data-field="description">${escapeHtml(view.description)}</dd>
<dt>${bi('订单号', 'Payment ID')}</dt><dd data-field="payment-id">${escapeHtml(view.paymentId)}</dd>
</dl>`;
}

/** A payment's outcome in words. */
export interface Outcome {
  status: SandboxPaymentStatus;
  code?: string;
  message?: string;
}

function outcomeText(outcome: Outcome): string {
  const data = `data-status="${escapeHtml(outcome.status)}"${outcome.code !== undefined ? ` data-code="${escapeHtml(outcome.code)}" data-message="${escapeHtml(outcome.message ?? '')}"` : ''}`;
  if (outcome.status === 'success') {
    return `<p class="outcome success" role="status" data-outcome="success" ${data}>${bi('支付成功', 'Payment approved')}</p>`;
  }
  const timedOut = outcome.code === '20602';
  const words =
    outcome.status === 'awaiting customer'
      ? bi('支付未完成', 'Payment not completed')
      : timedOut
        ? bi('二维码已过期', 'Time-out: the QR code expired')
        : bi('支付已拒绝', 'Payment declined');
  const detail =
    outcome.code !== undefined
      ? `<p>${bi('原因', 'Reason')}: <span lang="en">${escapeHtml(outcome.code)} ${escapeHtml(outcome.message ?? '')}</span></p>`
      : '';
  return `<p class="outcome decline" role="status" data-outcome="decline" ${data}>${words}</p>${detail}`;
}

export interface BankAppView extends PaymentSummary, Outcome {
  /** `/bank/<token>`: the forms post to `<action>/approve` and `<action>/decline`. */
  action: string;
  /** A second outcome was just refused. */
  refused?: boolean;
}

/** The "bank app" a phone opens after scanning the QR code: approve or decline. */
export function bankAppPage(view: BankAppView): string {
  const decided = view.status !== 'awaiting customer action';
  const refused = view.refused
    ? `<p class="notice" role="alert">${bi('该付款已处理，不能再更改。', 'This payment is already decided: a second outcome is refused.')}</p>`
    : '';
  const actions = decided
    ? outcomeText(view)
    : `<div class="actions">
<form method="post" action="${escapeHtml(view.action)}/approve"><button type="submit" class="approve">${bi('确认付款', 'Approve')}</button></form>
<form method="post" action="${escapeHtml(view.action)}/decline"><button type="submit" class="decline">${bi('拒绝', 'Decline')}</button></form>
</div>`;
  return layout({
    title: '银联云闪付 UnionPay (sandbox)',
    body: `<header><span>${bi('银联云闪付', 'UnionPay')}</span><small>${bi('沙盒', 'Sandbox')}</small></header>
<h1>${bi('向商户付款', 'Pay the merchant')}</h1>
${summary(view)}
${refused}
${actions}`,
  });
}

/** The banks the Payment Page lists for CUP QR. */
export const BANKS: readonly { id: string; zh: string; en: string }[] = [
  { id: 'icbc', zh: '中国工商银行', en: 'ICBC' },
  { id: 'ccb', zh: '中国建设银行', en: 'China Construction Bank' },
  { id: 'boc', zh: '中国银行', en: 'Bank of China' },
  { id: 'abc', zh: '中国农业银行', en: 'Agricultural Bank of China' },
  { id: 'cmb', zh: '招商银行', en: 'China Merchants Bank' },
];

function pageHeader(merchant: string): string {
  return `<header><span>${bi('收银台', 'Payment Page')}</span><small>${escapeHtml(merchant)} · ${bi('沙盒', 'Sandbox')}</small></header>`;
}

/** Step 1 without `force_payment_method`: choose the method. `q` carries the signed parameters. */
export function methodPage(view: PaymentSummary & { q: string }): string {
  return layout({
    framed: view.framed,
    title: '选择支付方式 Choose a payment method',
    body: `${pageHeader(view.merchant)}
${summary(view)}
<form method="post" action="/payment/method">
<input type="hidden" name="q" value="${escapeHtml(view.q)}">
<fieldset>
<legend>${bi('选择支付方式', 'Payment method')}</legend>
<label><input type="radio" name="method" value="cup-qr" checked> ${bi('银联二维码', 'UnionPay QR (CUP QR)')}</label>
<label><input type="radio" name="method" value="card" disabled> ${bi('银行卡（沙盒不支持）', 'Card (not in the sandbox)')}</label>
</fieldset>
<button type="submit" class="primary">${bi('继续', 'Continue')}</button>
</form>`,
  });
}

/** Step 2: CUP QR selected (or preselected), choose the bank. */
export function bankListPage(view: PaymentSummary & { q: string }): string {
  const banks = BANKS.map(
    (bank, index) =>
      `<label><input type="radio" name="bank" value="${escapeHtml(bank.id)}"${index === 0 ? ' checked' : ''}> ${bi(bank.zh, bank.en)}</label>`,
  ).join('\n');
  return layout({
    framed: view.framed,
    title: '银联二维码 CUP QR',
    body: `${pageHeader(view.merchant)}
${summary(view)}
<p data-field="method">${bi('支付方式', 'Payment method')}: <strong>${bi('银联二维码', 'UnionPay QR (CUP QR)')}</strong></p>
<form method="post" action="/payment/bank">
<input type="hidden" name="q" value="${escapeHtml(view.q)}">
<fieldset>
<legend>${bi('选择银行', 'Choose your bank')}</legend>
${banks}
</fieldset>
<button type="submit" class="primary">${bi('去支付', 'Pay')}</button>
</form>`,
  });
}

export interface QrPageView extends PaymentSummary {
  /** The QR code as SVG markup (generated, no user text in it). */
  svg: string;
  qrUrl: string;
  secondsLeft: number;
  /** Seconds between reloads while the shopper scans. */
  refreshSeconds: number;
}

/**
 * Step 3: the QR code; the page reloads until the payment is decided. The bank-app link opens
 * a window of its own: in a frame it would navigate the frame, and the bank app refuses frames.
 */
export function qrPage(view: QrPageView): string {
  const minutes = Math.floor(view.secondsLeft / 60);
  const seconds = String(view.secondsLeft % 60).padStart(2, '0');
  return layout({
    framed: view.framed,
    title: '扫码支付 Scan to pay',
    refresh: { seconds: view.refreshSeconds },
    body: `${pageHeader(view.merchant)}
${summary(view)}
<h2>${bi('请用银行App扫码', 'Scan with your bank app')}</h2>
<div class="qr" role="img" aria-label="QR code">${view.svg}</div>
<p data-field="timer">${bi('剩余时间', 'Time left')}: ${minutes}:${seconds}</p>
<p><a href="${escapeHtml(view.qrUrl)}" target="_blank" rel="noopener" data-field="bank-link">${bi('在本设备打开银行App', 'Open the bank app on this device')}</a></p>`,
  });
}

export interface ResultPageView extends PaymentSummary, Outcome {
  /** Where the shopper goes back to (merchant_success_url or merchant_fail_url). */
  returnUrl?: string;
}

/**
 * Step 4: the outcome; after a success the shopper is sent back to the merchant. In a frame the
 * page that framed it decides (merchant.js's hooks, the element's own result): no automatic
 * return, and the link leaves the frame for the whole window.
 */
export function resultPage(view: ResultPageView): string {
  const target = view.framed ? ' target="_top"' : '';
  const back = view.returnUrl
    ? `<p><a href="${escapeHtml(view.returnUrl)}"${target} data-field="return">${bi('返回商户', 'Return to the merchant')}</a></p>`
    : '';
  return layout({
    framed: view.framed,
    title: view.status === 'success' ? '支付成功 Payment approved' : '支付未完成 Payment declined',
    ...(view.returnUrl && !view.framed ? { refresh: { seconds: 2, url: view.returnUrl } } : {}),
    body: `${pageHeader(view.merchant)}
${summary(view)}
${outcomeText(view)}
${back}`,
  });
}

/** A refused request to the Payment Page, every problem listed. */
export function errorPage(title: { zh: string; en: string }, problems: readonly string[]): string {
  const items = problems.map((problem) => `<li lang="en">${escapeHtml(problem)}</li>`).join('\n');
  return layout({
    title: `${title.zh} ${title.en}`,
    body: `<header><span>${bi('收银台', 'Payment Page')}</span><small>${bi('沙盒', 'Sandbox')}</small></header>
<h1 role="alert">${bi(title.zh, title.en)}</h1>
<ul class="problems">
${items}
</ul>`,
  });
}

/** For a bank link that leads nowhere. */
export function notFoundPage(): string {
  return errorPage({ zh: '未找到', en: 'Not found' }, ['No payment behind this link.']);
}
