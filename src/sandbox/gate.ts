/**
 * Gate (PROTOCOL.md §2): `POST /v2/payment/cup/qr/sale`, and the status requests
 * `POST /v2/payment/status` (by `general.payment_id`) and `POST /v2/payment/status/request`
 * (by `request_id`: Gate's id of an earlier sale request, accepted or refused).
 *
 * A sale is checked in this order, the first failure answering (see errors.ts for the codes,
 * ECommPay's where its list has one): the body sent as JSON (415), body size (413), JSON (400
 * 2003), the foundation's sale rules, CNY included (400 with field errors), a known project (401
 * 2442), a signature at all (401 3262) that verifies (401 3261), a `merchant_callback_url` on the
 * project's own origin (400 with a field error, callback-url.ts), a payment_id not used yet in
 * the project (409 3041). Only then is the payment created and 200 answered; every refusal
 * leaves nothing behind but its answer, kept (the latest 1000) for a status request by its
 * request id. The Gate faults act before all of this.
 *
 * A status request is checked the same way (JSON, fields, project, signature), then answered
 * with the payment's state in the status answer's own structure (`payment`, `operations`,
 * `errors`; callbacks.ts), signed as the platform in the project's format; an unknown payment
 * is 404 3061.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseSaleRequest } from '../ecommpay/sale.js';
import type { SaleRequest } from '../ecommpay/sale.js';
import { FieldReader } from '../wire/problems.js';
import type { Problem } from '../wire/problems.js';
import { maxLength, MAX_PAYMENT_ID_LENGTH, nonEmpty, positiveInteger } from '../wire/fields.js';
import { checkSignature } from '../ecommpay/signature.js';
import { callbackUrlRefusal } from './callback-url.js';
import type { Clock } from './clock.js';
import { ClockClosedError } from './clock.js';
import type { Echo, GateErrorName } from './errors.js';
import { fieldError, GATE_ERRORS, gateErrorBody } from './errors.js';
import type { FaultBook } from './faults.js';
import { jsonBodyRefusal } from './guard.js';
import { parseJson, readBody, sendJson } from './http.js';
import type { Platform, Refusal } from './platform.js';
import type { SandboxProject } from './types.js';

/**
 * Gate's paths, as the toolkit's client sends them (ecommpay/gate-paths.ts). The status of a
 * payment by the request id of its sale is a public Gate stub's path (see docs).
 */
export {
  GATE_SALE_PATH as SALE_PATH,
  GATE_STATUS_BY_REQUEST_PATH as STATUS_BY_REQUEST_PATH,
  GATE_STATUS_PATH as STATUS_PATH,
} from '../ecommpay/gate-paths.js';

export interface GateContext {
  platform: Platform;
  faults: FaultBook;
  clock: Clock;
  maxBodyBytes: number;
  log: (line: string) => void;
  /** Responses left hanging by the `gateHang` fault, ended by `close()`. */
  hanging: Set<ServerResponse>;
}

type JsonBody = { ok: true; value: Record<string, unknown> } | { ok: false };

/** Reads a JSON object body, answering 415, 413 or 400 itself when it cannot. */
async function readJsonObject(
  context: GateContext,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
): Promise<JsonBody> {
  const mediaType = jsonBodyRefusal(request.headers, true);
  if (mediaType !== undefined) {
    refuse(
      response,
      'unsupportedMediaType',
      requestId,
      {},
      { message: `${GATE_ERRORS.unsupportedMediaType.message}: ${mediaType}` },
    );
    return { ok: false };
  }
  const body = await readBody(request, context.maxBodyBytes);
  if (!body.ok) {
    refuse(
      response,
      'tooLarge',
      requestId,
      {},
      {
        message: `${GATE_ERRORS.tooLarge.message}: the body is over ${context.maxBodyBytes} bytes`,
      },
    );
    return { ok: false };
  }
  const json = parseJson(body.text);
  if (
    !json.ok ||
    typeof json.value !== 'object' ||
    json.value === null ||
    Array.isArray(json.value)
  ) {
    refuse(
      response,
      'malformed',
      requestId,
      {},
      {
        message: `${GATE_ERRORS.malformed.message}: the body must be a JSON object`,
      },
    );
    return { ok: false };
  }
  return { ok: true, value: json.value as Record<string, unknown> };
}

export async function handleSale(
  context: GateContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { platform } = context;
  platform.countSaleRequest();
  const requestId = platform.newRequestId();
  const json = await readJsonObject(context, request, response, requestId);
  if (!json.ok) return;
  const body = json.value;
  const echo = echoOf(body);

  const faults = context.faults.resolve(echo.project_id, echo.payment_id);
  if (faults.gateDelayMs) {
    try {
      await context.clock.sleep(context.clock.real(faults.gateDelayMs));
    } catch (error) {
      if (error instanceof ClockClosedError) return;
      throw error;
    }
  }
  const gateFault = context.faults.takeGateFault(echo.project_id, echo.payment_id);
  if (gateFault.gateHang === true) {
    context.log(`sale ${echo.payment_id ?? '?'}: hanging (fault gateHang), nothing created`);
    hang(context, response);
    return;
  }
  if (gateFault.gateError !== undefined) {
    context.log(`sale ${echo.payment_id ?? '?'}: HTTP ${gateFault.gateError} (fault gateError)`);
    sendJson(response, gateFault.gateError, gateErrorBody('unavailable', requestId, echo));
    return;
  }

  const refuseSale = (
    name: GateErrorName,
    details: Parameters<typeof gateErrorBody>[3] = {},
  ): void => {
    const answer = refuse(response, name, requestId, echo, details);
    if (echo.project_id !== undefined) {
      platform.rememberRefusal(echo.project_id, requestId, answer);
    }
  };
  // The signature is checked once the project is known, below: its absence is 3262, not a field.
  const parsed = parseSaleRequest(body);
  if (!parsed.ok) {
    refuseSale('invalidParameters', { errors: parsed.problems.map(fieldError) });
    return;
  }
  const sale: SaleRequest = parsed.value;
  const projectId = sale.general.project_id;
  const paymentId = sale.general.payment_id;
  const auth = authenticate(platform, projectId, body);
  if (!auth.ok) {
    refuseSale(auth.name, { message: auth.message });
    return;
  }
  const { project } = auth;
  const callbackUrl = sale.general.merchant_callback_url;
  const callbackRefusal = callbackUrl ? callbackUrlRefusal(project, callbackUrl) : undefined;
  if (callbackRefusal !== undefined) {
    refuseSale('invalidParameters', {
      errors: [fieldError({ path: 'general.merchant_callback_url', message: callbackRefusal })],
    });
    return;
  }
  if (platform.find(projectId, paymentId)) {
    refuseSale('paymentIdUsed', {
      message: `${GATE_ERRORS.paymentIdUsed.message}: ${paymentId}`,
    });
    return;
  }

  platform.create(
    {
      projectId,
      paymentId,
      channel: 'gate',
      amount: sale.payment.amount,
      currency: sale.payment.currency,
      description: sale.payment.description,
      email: sale.customer.email,
      phone: sale.customer.phone,
      ...(callbackUrl ? { callbackUrl } : {}),
      successUrl: sale.return_url.success,
    },
    requestId,
  );
  if (gateFault.gateHang === 'after-accept') {
    context.log(`sale ${paymentId}: accepted, answer withheld (fault gateHang after-accept)`);
    hang(context, response);
    return;
  }
  context.log(`sale ${projectId}/${paymentId}: accepted (${requestId})`);
  sendJson(response, 200, {
    status: 'success',
    request_id: requestId,
    project_id: projectId,
    payment_id: paymentId,
  });
}

/** `POST /v2/payment/status {general: {project_id, payment_id, signature}}`. */
export async function handleStatus(
  context: GateContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const status = await readStatusRequest(context, request, response, 'payment_id');
  if (!status) return;
  const { platform, projectId, key: paymentId, requestId, echo } = status;
  const record = platform.find(projectId, paymentId);
  if (!record) {
    refuse(response, 'paymentNotFound', requestId, echo, {
      message: `${GATE_ERRORS.paymentNotFound.message}: ${paymentId}`,
    });
    return;
  }
  sendJson(response, 200, platform.statusAnswer(record));
}

/**
 * `POST /v2/payment/status/request {general: {project_id, signature}, request_id}`: the payment
 * an accepted sale created, as {@link handleStatus} answers it; for a refused sale, the answer
 * Gate gave it (with its errors), now with HTTP 200.
 */
export async function handleStatusByRequest(
  context: GateContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const status = await readStatusRequest(context, request, response, 'request_id');
  if (!status) return;
  const { platform, projectId, key: saleRequestId, requestId, echo } = status;
  const record = platform.byRequestId(projectId, saleRequestId);
  if (record) {
    sendJson(response, 200, platform.statusAnswer(record));
    return;
  }
  const refusal = platform.refusal(projectId, saleRequestId);
  if (refusal) {
    sendJson(response, 200, refusal.body);
    return;
  }
  refuse(response, 'paymentNotFound', requestId, echo, {
    message: `${GATE_ERRORS.paymentNotFound.message}: no request ${saleRequestId}`,
  });
}

interface StatusRequest {
  platform: Platform;
  projectId: number;
  /** The payment id, or the sale's request id, asked about. */
  key: string;
  /** This status request's own id. */
  requestId: string;
  echo: Echo;
}

/**
 * A status request's body, checked as a sale is (JSON, fields, project, signature): asking by
 * `general.payment_id` or by a top-level `request_id`. `undefined` once a refusal is sent.
 */
async function readStatusRequest(
  context: GateContext,
  request: IncomingMessage,
  response: ServerResponse,
  by: 'payment_id' | 'request_id',
): Promise<StatusRequest | undefined> {
  const { platform } = context;
  const requestId = platform.newRequestId();
  const json = await readJsonObject(context, request, response, requestId);
  if (!json.ok) return undefined;
  const body = json.value;
  const echo = echoOf(body);

  const problems: Problem[] = [];
  const general = new FieldReader(body.general, 'general', problems);
  const projectId = general.integer('project_id', positiveInteger);
  const idRule = [nonEmpty, maxLength(MAX_PAYMENT_ID_LENGTH)];
  const key =
    by === 'payment_id'
      ? general.string('payment_id', ...idRule)
      : new FieldReader(body, '', problems).string('request_id', ...idRule);
  general.optionalString('signature');
  if (problems.length > 0) {
    refuse(response, 'invalidParameters', requestId, echo, { errors: problems.map(fieldError) });
    return undefined;
  }
  const auth = authenticate(platform, projectId, body);
  if (!auth.ok) {
    refuse(response, auth.name, requestId, echo, { message: auth.message });
    return undefined;
  }
  return { platform, projectId, key, requestId, echo };
}

/** Leaves the answer open until the client gives up or `close()` cuts it. */
function hang(context: GateContext, response: ServerResponse): void {
  context.hanging.add(response);
  response.on('close', () => context.hanging.delete(response));
}

type Authenticated =
  | { ok: true; project: SandboxProject }
  | { ok: false; name: 'unknownProject' | 'emptySignature' | 'invalidSignature'; message: string };

/**
 * The request's project, when it exists and the request is signed with its key; otherwise the
 * refusal to send: 2442 for an unknown project, 3262 for no signature, 3261 for a wrong one.
 */
function authenticate(
  platform: Platform,
  projectId: number,
  body: Record<string, unknown>,
): Authenticated {
  const project = platform.project(projectId);
  if (!project) {
    return {
      ok: false,
      name: 'unknownProject',
      message: `${GATE_ERRORS.unknownProject.message}: ${projectId}`,
    };
  }
  // Gate requests carry it in `general` (a top-level one is no Gate signature).
  const general = body.general as Record<string, unknown>;
  const signature = general.signature;
  if (typeof signature !== 'string' || signature.trim() === '') {
    return {
      ok: false,
      name: 'emptySignature',
      message: `${GATE_ERRORS.emptySignature.message}: general.signature is required`,
    };
  }
  const check = checkSignature(body, project.secretKey);
  if (!check.valid) {
    return {
      ok: false,
      name: 'invalidSignature',
      message: `${GATE_ERRORS.invalidSignature.message}: ${check.reason}`,
    };
  }
  return { ok: true, project };
}

/** Sends a Gate error answer; returns it, for a later status request by its request id. */
function refuse(
  response: ServerResponse,
  name: GateErrorName,
  requestId: string,
  echo: Echo,
  details: Parameters<typeof gateErrorBody>[3] = {},
): Refusal {
  const refusal = {
    httpStatus: GATE_ERRORS[name].http,
    body: gateErrorBody(name, requestId, echo, details),
  };
  sendJson(response, refusal.httpStatus, refusal.body);
  return refusal;
}

/** The project and payment ids of a request, when they are readable, for the answer's echo. */
function echoOf(body: Record<string, unknown>): Echo {
  const general = body.general;
  if (typeof general !== 'object' || general === null) return {};
  const { project_id: projectId, payment_id: paymentId } = general as Record<string, unknown>;
  return {
    ...(Number.isSafeInteger(projectId) && (projectId as number) > 0
      ? { project_id: projectId as number }
      : {}),
    ...(typeof paymentId === 'string' && paymentId.length <= MAX_PAYMENT_ID_LENGTH
      ? { payment_id: paymentId }
      : {}),
  };
}
