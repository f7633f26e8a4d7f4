/**
 * The Payment Page (PROTOCOL.md §4; the seed's first flow):
 *
 *   GET  /payment?<flat params>&signature=…   checks them; shows the method (CUP QR, preselected
 *                                            by force_payment_method=cup-qr: then straight to
 *                                            the bank list)
 *   POST /payment <flat params as a form>      the same, as merchant.js's EPayWidget.run(config,
 *                                            'POST') opens it (from the merchant's page: the
 *                                            guard lets this one post in from another site,
 *                                            guard.ts)
 *   POST /payment/method {q, method}           the bank list
 *   POST /payment/bank   {q, bank}             creates the payment (callbacks as through Gate),
 *                                            303 to its session page
 *   GET  /payment/session/<token>              the QR code, reloading every second until the
 *                                            payment is decided; then the outcome, and after a
 *                                            success back to merchant_success_url
 *
 * `q` is the signed query string itself, carried in a hidden field and checked again on every
 * step, so a form cannot change what the merchant signed. The parameters are read as the SDKs
 * build them (payment-page-params.ts: unsigned `_` parameters, booleans written `true`).
 *
 * No inline script anywhere. With `frame_mode` (merchant.js, the element's embedded Payment
 * Page) the pages get a layout for a frame, no automatic return to the merchant inside the
 * frame, and, when merchant.js named its page (`_referrer`), one same-origin script that posts
 * the outcome to that page only (merchant-js.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { correction, generate } from 'lean-qr';
import { toSvgSource } from 'lean-qr/extras/svg';
import { CUP_QR_CURRENCY, MAX_PAYMENT_ID_LENGTH } from '../wire/fields.js';
import { checkSignature } from '../ecommpay/signature.js';
import { callbackUrlRefusal } from './callback-url.js';
import type { Clock } from './clock.js';
import { readBody, redirect, sendHtml } from './http.js';
import type { FramedView, PaymentSummary } from './pages.js';
import {
  bankListPage,
  BANKS,
  errorPage,
  methodPage,
  notFoundPage,
  qrPage,
  resultPage,
} from './pages.js';
import {
  FRAME_MODES,
  frameModeOf,
  interfaceTypeProblem,
  readParams,
  referrerOrigin,
  signedQuery,
  signedReadings,
} from './payment-page-params.js';
import type { PageParams } from './payment-page-params.js';
import type { Platform } from './platform.js';
import type { SandboxProject } from './types.js';

export interface PaymentPageContext {
  platform: Platform;
  clock: Clock;
  merchantName: string;
  maxBodyBytes: number;
}

export const SESSION_ROUTE = /^\/payment\/session\/([A-Za-z0-9_-]{16,64})$/;

/**
 * Every Payment Page answer may be framed, on purpose: ECommPay's Payment Page is embedded in
 * the merchant's page (merchant.js, the seed's EPayWidget flow; the element's
 * `payment-page-target="embedded"`). Nothing on it moves money (the bank-app page does, and
 * refuses frames).
 */
function sendPage(response: ServerResponse, status: number, html: string): void {
  sendHtml(response, status, html, {}, 'payment-page');
}

/** Seconds between reloads of the QR page. */
const REFRESH_SECONDS = 1;

/** The Payment Page's parameters, checked. */
interface PageRequest {
  q: string;
  /** The parameters as verified (booleans as `1`/`0` when they were signed so). */
  params: PageParams;
  project: SandboxProject;
  paymentId: string;
  amount: number;
  forced: boolean;
  /** Shown in a frame (`frame_mode`). */
  framed?: FramedView;
}

type Checked =
  | { ok: true; value: PageRequest }
  | {
      ok: false;
      status: number;
      title: { zh: string; en: string };
      problems: string[];
      /** Set when the request is one already made: its session page's token. */
      session?: string;
    };

const INVALID = { zh: '请求无效', en: 'Invalid request' };

function absoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Checks the flat parameters: fields, then the project, then the signature, then the callback
 * URL (callback-url.ts), then the payment_id.
 */
function check(platform: Platform, q: string): Checked {
  const params = readParams(q);
  const problems: string[] = [];
  const integer = /^[1-9][0-9]*$/;

  if (!params.signature) problems.push('signature: required');
  const projectText = params.project_id ?? '';
  if (!integer.test(projectText) || !Number.isSafeInteger(Number(projectText))) {
    problems.push(`project_id: a positive integer (got ${JSON.stringify(projectText)})`);
  }
  const paymentId = params.payment_id ?? '';
  if (paymentId.trim() === '') problems.push('payment_id: required');
  else if (paymentId.length > MAX_PAYMENT_ID_LENGTH) {
    problems.push(`payment_id: at most ${MAX_PAYMENT_ID_LENGTH} characters`);
  }
  const amountText = params.payment_amount ?? '';
  if (!integer.test(amountText) || !Number.isSafeInteger(Number(amountText))) {
    problems.push(
      `payment_amount: a positive integer of minor units (got ${JSON.stringify(amountText)})`,
    );
  }
  if (params.payment_currency !== CUP_QR_CURRENCY) {
    problems.push(
      `payment_currency: CUP QR takes ${CUP_QR_CURRENCY} only (got ${JSON.stringify(params.payment_currency ?? '')})`,
    );
  }
  if (!params.customer_id?.trim()) problems.push('customer_id: required');
  const forced = params.force_payment_method;
  if (forced !== undefined && forced !== 'cup-qr') {
    problems.push(
      `force_payment_method: the sandbox has cup-qr only (got ${JSON.stringify(forced)})`,
    );
  }
  for (const name of ['merchant_success_url', 'merchant_fail_url', 'merchant_callback_url']) {
    if (params[name] !== undefined && !absoluteHttpUrl(params[name])) {
      problems.push(`${name}: an absolute http(s) URL`);
    }
  }
  const interfaceType = interfaceTypeProblem(params.interface_type);
  if (interfaceType !== undefined) problems.push(interfaceType);
  if (frameModeOf(params) === false) {
    problems.push(
      `frame_mode: ${FRAME_MODES.join(' or ')} (got ${JSON.stringify(params.frame_mode)})`,
    );
  }
  if (problems.length > 0) return { ok: false, status: 400, title: INVALID, problems };

  const project = platform.project(Number(projectText));
  if (!project) {
    return {
      ok: false,
      status: 401,
      title: { zh: '未知项目', en: 'Unknown project' },
      problems: [`project_id: ${projectText} is not a sandbox project`],
    };
  }
  const readings = signedReadings(params);
  const verified = readings.find((reading) => checkSignature(reading, project.secretKey).valid);
  if (!verified) {
    const signature = checkSignature(readings[0], project.secretKey);
    const reason = signature.valid ? '' : signature.reason;
    return {
      ok: false,
      status: 401,
      title: { zh: '签名无效', en: 'Invalid signature' },
      problems: [
        `signature: ${reason}${readings.length > 1 ? '; nor with true/false read as 1/0' : ''}`,
      ],
    };
  }
  const callbackUrl = params.merchant_callback_url;
  const callbackRefusal = callbackUrl ? callbackUrlRefusal(project, callbackUrl) : undefined;
  if (callbackRefusal !== undefined) {
    return {
      ok: false,
      status: 400,
      title: INVALID,
      problems: [`merchant_callback_url: ${callbackRefusal}`],
    };
  }
  const existing = platform.find(project.id, paymentId);
  if (existing) {
    // The same signed request again (a reload, the back button, merchant.js opening it once
    // more): back to its payment. The unsigned parameters may differ.
    if (
      existing.channel === 'payment-page' &&
      existing.pageQuery !== undefined &&
      signedQuery(existing.pageQuery) === signedQuery(q)
    ) {
      return { ok: false, status: 303, session: existing.pageToken, title: INVALID, problems: [] };
    }
    return {
      ok: false,
      status: 409,
      title: { zh: '订单号已使用', en: 'Payment ID already used' },
      problems: [`payment_id: ${paymentId} is already used in project ${project.id}`],
    };
  }
  return {
    ok: true,
    value: {
      q,
      params: verified,
      project,
      paymentId,
      amount: Number(amountText),
      forced: forced === 'cup-qr',
      ...framing(params),
    },
  };
}

/** `{framed}` when `frame_mode` asks for a frame (from the raw parameters: `_referrer` too). */
function framing(params: PageParams): { framed?: FramedView } {
  if (!frameModeOf(params)) return {};
  const parentOrigin = referrerOrigin(params);
  return { framed: parentOrigin === undefined ? {} : { parentOrigin } };
}

function viewOf(context: PaymentPageContext, page: PageRequest): PaymentSummary & { q: string } {
  return {
    merchant: context.merchantName,
    amount: page.amount,
    currency: CUP_QR_CURRENCY,
    description: page.params.payment_description ?? '',
    paymentId: page.paymentId,
    q: page.q,
    ...(page.framed ? { framed: page.framed } : {}),
  };
}

function refuse(response: ServerResponse, checked: Extract<Checked, { ok: false }>): void {
  if (checked.session !== undefined)
    return redirect(response, `/payment/session/${checked.session}`);
  sendPage(response, checked.status, errorPage(checked.title, checked.problems));
}

/** The first step of `GET /payment?…` and `POST /payment`. */
function showEntry(context: PaymentPageContext, response: ServerResponse, q: string): void {
  const checked = check(context.platform, q);
  if (!checked.ok) return refuse(response, checked);
  const page = checked.value;
  const view = viewOf(context, page);
  sendPage(response, 200, page.forced ? bankListPage(view) : methodPage(view));
}

/** `GET /payment?…`. */
export function handlePaymentPage(
  context: PaymentPageContext,
  response: ServerResponse,
  url: URL,
): void {
  showEntry(context, response, url.search.replace(/^\?/, ''));
}

/**
 * `POST /payment`: the parameters as a form body (`application/x-www-form-urlencoded`, as
 * merchant.js posts them), checked and shown exactly as `GET /payment` does. It creates
 * nothing, which is why it may come from another site (guard.ts).
 */
export async function handlePaymentEntryPost(
  context: PaymentPageContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const type = request.headers['content-type'] ?? '';
  if (!/^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i.test(type)) {
    // Read (and dropped) so that the connection stays usable.
    await readBody(request, context.maxBodyBytes);
    sendPage(
      response,
      415,
      errorPage(INVALID, [
        `Post the parameters as a form (application/x-www-form-urlencoded), as merchant.js does (got ${JSON.stringify(type.slice(0, 100) || 'no Content-Type')}).`,
      ]),
    );
    return;
  }
  const body = await readBody(request, context.maxBodyBytes);
  if (!body.ok) {
    sendPage(response, 413, errorPage(INVALID, ['The form is too large.']));
    return;
  }
  showEntry(context, response, body.text);
}

/** `POST /payment/method` and `POST /payment/bank`. */
export async function handlePaymentStep(
  context: PaymentPageContext,
  request: IncomingMessage,
  response: ServerResponse,
  step: 'method' | 'bank',
): Promise<void> {
  const body = await readBody(request, context.maxBodyBytes);
  if (!body.ok) {
    sendPage(response, 413, errorPage(INVALID, ['The form is too large.']));
    return;
  }
  const form = new URLSearchParams(body.text);
  const checked = check(context.platform, form.get('q') ?? '');
  if (!checked.ok) return refuse(response, checked);
  const page = checked.value;
  const view = viewOf(context, page);

  if (step === 'method') {
    if (form.get('method') !== 'cup-qr') {
      sendPage(response, 400, errorPage(INVALID, ['method: the sandbox has cup-qr only']));
      return;
    }
    sendPage(response, 200, bankListPage(view));
    return;
  }

  const bank = form.get('bank');
  if (!BANKS.some((known) => known.id === bank)) {
    sendPage(response, 400, errorPage(INVALID, ['bank: choose one of the listed banks']));
    return;
  }
  const { params } = page;
  const record = context.platform.create(
    {
      projectId: page.project.id,
      paymentId: page.paymentId,
      channel: 'payment-page',
      amount: page.amount,
      currency: CUP_QR_CURRENCY,
      description: params.payment_description ?? '',
      email: params.customer_email ?? '',
      phone: params.customer_phone ?? '',
      ...(params.merchant_callback_url ? { callbackUrl: params.merchant_callback_url } : {}),
      ...(params.merchant_success_url ? { successUrl: params.merchant_success_url } : {}),
      ...(params.merchant_fail_url ? { failUrl: params.merchant_fail_url } : {}),
      pageQuery: page.q,
    },
    context.platform.newRequestId(),
  );
  redirect(response, `/payment/session/${record.pageToken}`);
}

/** `GET /payment/session/<token>`. */
export async function handlePaymentSession(
  context: PaymentPageContext,
  response: ServerResponse,
  token: string,
): Promise<void> {
  const record = context.platform.byPageToken(token);
  if (!record) {
    sendPage(response, 404, notFoundPage());
    return;
  }
  const view: PaymentSummary = {
    merchant: context.merchantName,
    amount: record.amount,
    currency: record.currency,
    description: record.description,
    paymentId: record.paymentId,
    ...framing(readParams(record.pageQuery ?? '')),
  };
  if (record.status === 'awaiting customer action') {
    const qrUrl = context.platform.qrUrl(record);
    const svg = toSvgSource(generate(qrUrl, { minCorrectionLevel: correction.M }), {
      pad: 4,
      width: 240,
      height: 240,
      xmlDeclaration: false,
    });
    // Platform time: with a fast clock the countdown runs as fast as the timeout does.
    const elapsed = (Date.now() - record.createdAt.getTime()) / context.clock.scale / 1000;
    const secondsLeft = Math.max(0, Math.ceil(record.qrTimeoutSeconds - elapsed));
    sendPage(
      response,
      200,
      qrPage({ ...view, svg, qrUrl, secondsLeft, refreshSeconds: REFRESH_SECONDS }),
    );
    return;
  }
  const returnUrl = record.status === 'success' ? record.successUrl : record.failUrl;
  sendPage(
    response,
    200,
    resultPage({
      ...view,
      status: record.status,
      ...(record.code !== undefined ? { code: record.code, message: record.message } : {}),
      ...(returnUrl ? { returnUrl } : {}),
    }),
  );
}
