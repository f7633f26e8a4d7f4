/**
 * Gate (PROTOCOL.md §2): `POST /v2/payment/cup/qr/sale` and `POST /v2/payment/status`.
 *
 * A sale is checked in this order, the first failure answering (see errors.ts for the codes):
 * the body sent as JSON (415), body size (413), JSON (400), the foundation's sale rules with a
 * required signature, CNY included (400 with field errors), a known project (401), the
 * signature (401), a `merchant_callback_url` on the project's own origin (400 with a field
 * error, callback-url.ts), a payment_id not used yet in the project (409). Only then is the payment created and 200 answered;
 * every refusal leaves nothing behind. The Gate faults act before all of this.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseSaleRequest } from '../protocol/sale.js';
import type { SaleRequest } from '../protocol/sale.js';
import { FieldReader } from '../protocol/problems.js';
import type { Problem } from '../protocol/problems.js';
import { maxLength, MAX_PAYMENT_ID_LENGTH, nonEmpty, positiveInteger } from '../protocol/fields.js';
import { checkSignature } from '../server/signature.js';
import { callbackUrlRefusal } from './callback-url.js';
import type { Clock } from './clock.js';
import { ClockClosedError } from './clock.js';
import type { Echo, GateErrorName } from './errors.js';
import { fieldError, GATE_ERRORS, gateErrorBody } from './errors.js';
import type { FaultBook } from './faults.js';
import { jsonBodyRefusal } from './guard.js';
import { parseJson, readBody, sendJson } from './http.js';
import type { Platform } from './platform.js';

export const SALE_PATH = '/v2/payment/cup/qr/sale';
export const STATUS_PATH = '/v2/payment/status';

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

  const parsed = parseSaleRequest(body, { requireSignature: true });
  if (!parsed.ok) {
    refuse(response, 'invalidParameters', requestId, echo, {
      errors: parsed.problems.map(fieldError),
    });
    return;
  }
  const sale: SaleRequest = parsed.value;
  const projectId = sale.general.project_id;
  const paymentId = sale.general.payment_id;
  const project = authenticate(platform, projectId, body, response, requestId, echo);
  if (!project) return;
  const callbackUrl = sale.general.merchant_callback_url;
  const callbackRefusal = callbackUrl ? callbackUrlRefusal(project, callbackUrl) : undefined;
  if (callbackRefusal !== undefined) {
    refuse(response, 'invalidParameters', requestId, echo, {
      errors: [fieldError({ path: 'general.merchant_callback_url', message: callbackRefusal })],
    });
    return;
  }
  if (platform.find(projectId, paymentId)) {
    refuse(response, 'paymentIdUsed', requestId, echo, {
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

export async function handleStatus(
  context: GateContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { platform } = context;
  const requestId = platform.newRequestId();
  const json = await readJsonObject(context, request, response, requestId);
  if (!json.ok) return;
  const body = json.value;
  const echo = echoOf(body);

  const problems: Problem[] = [];
  const general = new FieldReader(body.general, 'general', problems);
  const projectId = general.integer('project_id', positiveInteger);
  const paymentId = general.string('payment_id', nonEmpty, maxLength(MAX_PAYMENT_ID_LENGTH));
  general.string('signature', nonEmpty);
  if (problems.length > 0) {
    refuse(response, 'invalidParameters', requestId, echo, { errors: problems.map(fieldError) });
    return;
  }
  const project = authenticate(platform, projectId, body, response, requestId, echo);
  if (!project) return;
  const record = platform.find(projectId, paymentId);
  if (!record) {
    refuse(response, 'paymentNotFound', requestId, echo, {
      message: `${GATE_ERRORS.paymentNotFound.message}: ${paymentId}`,
    });
    return;
  }
  sendJson(response, 200, platform.statusAnswer(record));
}

/** Leaves the answer open until the client gives up or `close()` cuts it. */
function hang(context: GateContext, response: ServerResponse): void {
  context.hanging.add(response);
  response.on('close', () => context.hanging.delete(response));
}

/**
 * The request's project, when it exists and the request is signed with its key; otherwise
 * the refusal is sent and the answer is `undefined`.
 */
function authenticate(
  platform: Platform,
  projectId: number,
  body: Record<string, unknown>,
  response: ServerResponse,
  requestId: string,
  echo: Echo,
): ReturnType<Platform['project']> {
  const project = platform.project(projectId);
  if (!project) {
    refuse(response, 'unknownProject', requestId, echo, {
      message: `${GATE_ERRORS.unknownProject.message}: ${projectId}`,
    });
    return undefined;
  }
  const check = checkSignature(body, project.secretKey);
  if (!check.valid) {
    refuse(response, 'invalidSignature', requestId, echo, {
      message: `${GATE_ERRORS.invalidSignature.message}: ${check.reason}`,
    });
    return undefined;
  }
  return project;
}

function refuse(
  response: ServerResponse,
  name: GateErrorName,
  requestId: string,
  echo: Echo,
  details: Parameters<typeof gateErrorBody>[3] = {},
): void {
  sendJson(response, GATE_ERRORS[name].http, gateErrorBody(name, requestId, echo, details));
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
