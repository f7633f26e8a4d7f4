/**
 * The sandbox's HTTP server: one `node:http` listener, a small router, and a `close()` that
 * leaves nothing behind (timers, deliveries, hanging Gate answers, keep-alive sockets). Every
 * request first passes the guard (guard.ts): a `Host` it answers, and no cross-site browser
 * request that changes something (but the Payment Page's entry, which changes nothing).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logText } from '../shared/log-text.js';
import { BANK_ROUTE, handleBankApp } from './bank-app.js';
import { callbackOrigin } from './callback-url.js';
import { Clock } from './clock.js';
import { createControl, handleControl } from './control.js';
import {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_RETRY_DELAYS_MS,
  Deliverer,
  ECOMMPAY_RETRY_DELAYS_MS,
} from './delivery.js';
import { GATE_ERRORS, gateErrorBody } from './errors.js';
import type { GateErrorName } from './errors.js';
import { FaultBook } from './faults.js';
import {
  handleSale,
  handleStatus,
  handleStatusByRequest,
  SALE_PATH,
  STATUS_BY_REQUEST_PATH,
  STATUS_PATH,
} from './gate.js';
import type { GateContext } from './gate.js';
import { isAllowedHostEntry, isCrossSiteEntry, RequestGuard } from './guard.js';
import { DEFAULT_MAX_BODY_BYTES, sendAsset, sendHtml, sendJson } from './http.js';
import {
  MERCHANT_CSS,
  MERCHANT_CSS_PATH,
  MERCHANT_JS_PATH,
  merchantJs,
  PAYMENT_PAGE_SCRIPT,
  PAYMENT_PAGE_SCRIPT_PATH,
} from './merchant-js.js';
import { errorPage, STYLESHEET, STYLESHEET_PATH } from './pages.js';
import {
  handlePaymentEntryPost,
  handlePaymentPage,
  handlePaymentSession,
  handlePaymentStep,
  SESSION_ROUTE,
} from './payment-page.js';
import { Platform } from './platform.js';
import type { Sandbox, SandboxOptions, SandboxQrFormat } from './types.js';

export const DEFAULT_PORT = 8090;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_QR_TIMEOUT_SECONDS = 600;
export const DEFAULT_MERCHANT_NAME = '沙盒商户 Sandbox Merchant';

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const settings = checkOptions(options);
  const log = options.log ?? (() => {});
  const clock = new Clock(settings.timeScale);
  // ECommPay's schedule is platform time, like the QR timeout; `retryDelaysMs` is real time.
  const retryDelaysMs =
    settings.retrySchedule === 'ecommpay'
      ? ECOMMPAY_RETRY_DELAYS_MS.map((ms) => clock.real(ms))
      : settings.retryDelaysMs;
  const deliverer = new Deliverer(clock, retryDelaysMs, settings.deliveryTimeoutMs, log);
  const faults = new FaultBook();
  let baseUrl = '';
  const platform = new Platform({
    projects: options.projects,
    clock,
    deliverer,
    faults,
    qrTimeoutSeconds: settings.qrTimeoutSeconds,
    baseUrl: () => baseUrl,
    log,
  });
  const control = createControl(platform, faults, deliverer);
  const gate: GateContext = {
    platform,
    faults,
    clock,
    maxBodyBytes: settings.maxBodyBytes,
    log,
    hanging: new Set(),
  };
  const pages = {
    platform,
    clock,
    merchantName: settings.merchantName,
    maxBodyBytes: settings.maxBodyBytes,
  };

  let guard: RequestGuard | undefined;
  // Each refused host or origin is logged once (at most 100 of them): a page that keeps trying
  // does not fill the log.
  const refusalsLogged = new Set<string>();
  const logRefusal = (key: string, line: string): void => {
    if (refusalsLogged.has(key) || refusalsLogged.size >= 100) return;
    refusalsLogged.add(key);
    log(`${line} (logged once)`);
  };

  /** A refused request, answered in the shape of the part of the sandbox it was meant for. */
  const refuseRequest = (
    response: ServerResponse,
    path: string,
    name: Extract<GateErrorName, 'unknownHost' | 'crossSite'>,
    message: string,
  ): void => {
    const status = name === 'unknownHost' ? 421 : 403;
    if (path.startsWith('/sandbox/')) {
      const code = name === 'unknownHost' ? 'unknown-host' : 'cross-site';
      return sendJson(response, status, { error: { code, message } });
    }
    if (path.startsWith('/bank/') || path === '/payment' || path.startsWith('/payment/')) {
      const title =
        name === 'unknownHost'
          ? { zh: '未知主机名', en: 'Unknown host' }
          : { zh: '拒绝跨站请求', en: 'Cross-site request refused' };
      return sendHtml(response, status, errorPage(title, [message]));
    }
    sendJson(response, status, gateErrorBody(name, platform.newRequestId(), {}, { message }));
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    const hostRefusal = guard ? guard.hostRefusal(request.headers) : 'The sandbox is starting.';
    if (hostRefusal !== undefined) {
      const host = logText(request.headers.host ?? '(none)');
      logRefusal(`host ${host}`, `refused ${method} ${logText(path)}: Host ${host}`);
      return refuseRequest(response, path, 'unknownHost', hostRefusal);
    }
    if (
      method !== 'GET' &&
      method !== 'HEAD' &&
      method !== 'OPTIONS' &&
      !isCrossSiteEntry(method, path)
    ) {
      const crossSite = guard!.crossSiteRefusal(request.headers);
      if (crossSite !== undefined) {
        const from = logText(
          `${request.headers['sec-fetch-site'] ?? ''} ${request.headers.origin ?? ''}`.trim(),
        );
        logRefusal(`site ${from}`, `refused ${method} ${logText(path)}: cross-site (${from})`);
        return refuseRequest(response, path, 'crossSite', crossSite);
      }
    }
    if (path === SALE_PATH || path === STATUS_PATH || path === STATUS_BY_REQUEST_PATH) {
      if (method !== 'POST') {
        if (path === SALE_PATH) platform.countSaleRequest();
        response.setHeader('Allow', 'POST');
        return sendJson(response, 405, gateErrorBody('methodNotAllowed', platform.newRequestId()));
      }
      if (path === SALE_PATH) return handleSale(gate, request, response);
      return path === STATUS_PATH
        ? handleStatus(gate, request, response)
        : handleStatusByRequest(gate, request, response);
    }
    if (path.startsWith('/sandbox/')) {
      return handleControl(control, request, response, path, settings.maxBodyBytes);
    }
    const bank = BANK_ROUTE.exec(path);
    if (bank) {
      return handleBankApp(pages, request, response, bank[1], bank[2] as 'approve' | 'decline');
    }
    if (path === '/payment' && method === 'GET') return handlePaymentPage(pages, response, url);
    if (path === '/payment' && method === 'POST') {
      return handlePaymentEntryPost(pages, request, response);
    }
    if ((path === '/payment/method' || path === '/payment/bank') && method === 'POST') {
      return handlePaymentStep(
        pages,
        request,
        response,
        path === '/payment/method' ? 'method' : 'bank',
      );
    }
    const session = SESSION_ROUTE.exec(path);
    if (session && method === 'GET') return handlePaymentSession(pages, response, session[1]);
    if (path === STYLESHEET_PATH) return sendAsset(response, 'text/css', STYLESHEET);
    if (path === MERCHANT_CSS_PATH) return sendAsset(response, 'text/css', MERCHANT_CSS);
    if (path === MERCHANT_JS_PATH) {
      return sendAsset(response, 'text/javascript', merchantJs(baseUrl));
    }
    if (path === PAYMENT_PAGE_SCRIPT_PATH) {
      return sendAsset(response, 'text/javascript', PAYMENT_PAGE_SCRIPT);
    }
    if (path === '/favicon.ico') {
      // Browsers ask for it on every page; an empty answer keeps their consoles clean.
      response.writeHead(204, { 'Cache-Control': 'max-age=86400' });
      response.end();
      return;
    }
    sendJson(response, 404, gateErrorBody('notFound', platform.newRequestId()));
  };

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      log(
        `internal error on ${request.method} ${request.url}: ${(error as Error)?.stack ?? error}`,
      );
      if (!response.headersSent) {
        sendJson(response, 500, {
          status: 'error',
          code: GATE_ERRORS.internal.code,
          message: GATE_ERRORS.internal.message,
        });
      } else {
        response.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A platform takes bursts: Node's default accept backlog (511) drops the connections of a
    // thousand sales at once, which then wait seconds for a SYN retransmit.
    server.listen({ port: settings.port, host: settings.host, backlog: 4096 }, () => {
      server.off('error', reject);
      // Built before any request is read: the port is known only now (0 picks one).
      guard = new RequestGuard({
        listenHost: settings.host,
        port: (server.address() as AddressInfo).port,
        ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
        allowedHosts: settings.allowedHosts,
      });
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${hostForUrl}:${port}`;
  baseUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  log(`sandbox listening on ${url}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clock.close();
      deliverer.close();
      for (const response of gate.hanging) response.destroy();
      gate.hanging.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      // Deliveries notice the closed clock on their next step: wait for them to finish.
      await deliverer.settled();
      log('sandbox closed');
    })();
    return closing;
  };

  return { url, port, close, control };
}

interface Settings {
  port: number;
  host: string;
  allowedHosts: readonly string[];
  qrTimeoutSeconds: number;
  timeScale: number;
  retryDelaysMs: readonly number[];
  retrySchedule?: 'ecommpay';
  deliveryTimeoutMs: number;
  merchantName: string;
  maxBodyBytes: number;
}

/** The values of a project's `qrFormat`. */
export const QR_FORMATS: readonly SandboxQrFormat[] = ['url', 'emv'];

/** Options checked up front: a typo fails at start, not in the middle of a test. */
function checkOptions(options: SandboxOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('startSandbox: options are required: { projects: [{ id, secretKey }] }');
  }
  const { projects } = options;
  if (!Array.isArray(projects) || projects.length === 0) {
    throw new TypeError('startSandbox: projects must list at least one { id, secretKey }');
  }
  const ids = new Set<number>();
  for (const project of projects) {
    if (!Number.isSafeInteger(project?.id) || project.id <= 0) {
      throw new TypeError(
        `startSandbox: a project id must be a positive integer (got ${project?.id})`,
      );
    }
    if (ids.has(project.id))
      throw new TypeError(`startSandbox: project ${project.id} is listed twice`);
    ids.add(project.id);
    if (typeof project.secretKey !== 'string' || project.secretKey === '') {
      throw new TypeError(`startSandbox: project ${project.id} needs a secretKey`);
    }
    if (project.callbackUrl !== undefined && !isHttpUrl(project.callbackUrl)) {
      throw new TypeError(
        `startSandbox: project ${project.id}: callbackUrl must be an http(s) URL (got ${JSON.stringify(project.callbackUrl)})`,
      );
    }
    const origins = project.callbackOrigins ?? [];
    if (!Array.isArray(origins)) {
      throw new TypeError(`startSandbox: project ${project.id}: callbackOrigins must be a list`);
    }
    for (const entry of origins) {
      if (callbackOrigin(entry) === undefined) {
        throw new TypeError(
          `startSandbox: project ${project.id}: callbackOrigins: ${JSON.stringify(entry)} is not an origin (http(s)://host[:port], no path)`,
        );
      }
    }
    if (
      project.callbackFormat !== undefined &&
      project.callbackFormat !== 'top-level' &&
      project.callbackFormat !== 'general'
    ) {
      throw new TypeError(
        `startSandbox: project ${project.id}: callbackFormat must be "top-level" or "general" (got ${JSON.stringify(project.callbackFormat)})`,
      );
    }
    if (
      project.allowAnyCallbackUrl !== undefined &&
      typeof project.allowAnyCallbackUrl !== 'boolean'
    ) {
      throw new TypeError(
        `startSandbox: project ${project.id}: allowAnyCallbackUrl must be a boolean`,
      );
    }
    if (project.qrFormat !== undefined && !QR_FORMATS.includes(project.qrFormat)) {
      throw new TypeError(
        `startSandbox: project ${project.id}: qrFormat must be ${QR_FORMATS.join(' or ')} (got ${JSON.stringify(project.qrFormat)})`,
      );
    }
  }
  const allowedHosts = options.allowedHosts ?? [];
  if (!Array.isArray(allowedHosts)) {
    throw new TypeError('startSandbox: allowedHosts must be a list of host names');
  }
  for (const entry of allowedHosts) {
    if (!isAllowedHostEntry(entry)) {
      throw new TypeError(
        `startSandbox: allowedHosts: ${JSON.stringify(entry)} is not a host name (phone.local, 192.168.1.20, sandbox.test:8443)`,
      );
    }
  }
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`startSandbox: port must be 0-65535 (got ${port})`);
  }
  const positive = (name: string, value: number): number => {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(`startSandbox: ${name} must be a positive number (got ${value})`);
    }
    return value;
  };
  const qrTimeoutSeconds = options.qrTimeoutSeconds ?? DEFAULT_QR_TIMEOUT_SECONDS;
  if (!Number.isInteger(qrTimeoutSeconds) || qrTimeoutSeconds <= 0) {
    throw new TypeError(
      `startSandbox: qrTimeoutSeconds must be a whole number of seconds > 0 (got ${qrTimeoutSeconds})`,
    );
  }
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  if (
    !Array.isArray(retryDelaysMs) ||
    !retryDelaysMs.every((ms) => Number.isFinite(ms) && ms >= 0)
  ) {
    throw new TypeError('startSandbox: retryDelaysMs must be a list of milliseconds >= 0');
  }
  if (options.retrySchedule !== undefined && options.retrySchedule !== 'ecommpay') {
    throw new TypeError(
      `startSandbox: retrySchedule must be "ecommpay" (got ${JSON.stringify(options.retrySchedule)})`,
    );
  }
  if (options.retrySchedule !== undefined && options.retryDelaysMs !== undefined) {
    throw new TypeError(
      'startSandbox: give retryDelaysMs (real milliseconds) or retrySchedule: "ecommpay", not both',
    );
  }
  if (options.publicUrl !== undefined && !isHttpUrl(options.publicUrl)) {
    throw new TypeError('startSandbox: publicUrl must be an http(s) URL');
  }
  return {
    port,
    host: options.host ?? DEFAULT_HOST,
    allowedHosts: [...allowedHosts],
    qrTimeoutSeconds,
    timeScale: positive('timeScale', options.timeScale ?? 1),
    retryDelaysMs: [...retryDelaysMs],
    ...(options.retrySchedule !== undefined ? { retrySchedule: options.retrySchedule } : {}),
    deliveryTimeoutMs: positive(
      'deliveryTimeoutMs',
      options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    ),
    merchantName: options.merchantName ?? DEFAULT_MERCHANT_NAME,
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
  };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
