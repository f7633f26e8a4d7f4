/**
 * The control API: the in-process {@link SandboxControl} and its HTTP twin under `/sandbox/`,
 * for tests in another process or language. No authentication: the sandbox listens on
 * 127.0.0.1 by default.
 *
 *   GET  /sandbox/payments                                   every payment
 *   GET  /sandbox/payments/:projectId/:paymentId             one payment: state + delivery log
 *   POST /sandbox/payments/:projectId/:paymentId/approve
 *   POST /sandbox/payments/:projectId/:paymentId/decline     body (optional): {"code","message","status"}
 *   POST /sandbox/payments/:projectId/:paymentId/expire      decline 20602 Time-out
 *   PUT  /sandbox/faults                                     body: {"faults":{…},"scope":{…}}
 *   GET  /sandbox/deliveries                                 every delivery attempt
 *   GET  /sandbox/sale-requests                              {"saleRequests": n}
 *   GET  /sandbox/settled                                    answers once no delivery is pending
 *
 * Errors: `{"error":{"code":"not-found"|"conflict"|"invalid","message"}}` with 404, 409, 400;
 * `unsupported-media-type` (415) for a body not sent as `application/json`: a page of another
 * site can post a form or `text/plain` here through the developer's browser, never JSON.
 * (`approve` and `expire` take no body: `curl -X POST` needs no header.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deliverer } from './delivery.js';
import { SandboxError } from './errors.js';
import type { FaultBook } from './faults.js';
import { jsonBodyRefusal } from './guard.js';
import { parseJson, readBody, sendJson } from './http.js';
import type { Platform } from './platform.js';
import type { DeclineReason, FaultScope, SandboxControl, SandboxFaults } from './types.js';

export function createControl(
  platform: Platform,
  faults: FaultBook,
  deliverer: Deliverer,
): SandboxControl {
  return {
    approve: async (projectId, paymentId) =>
      platform.snapshot(platform.approve(projectId, paymentId)),
    decline: async (projectId, paymentId, reason) =>
      platform.snapshot(platform.decline(projectId, paymentId, reason)),
    expire: async (projectId, paymentId) =>
      platform.snapshot(platform.expire(projectId, paymentId)),
    payment: (projectId, paymentId) => {
      const record = platform.find(projectId, paymentId);
      return record ? platform.snapshot(record) : undefined;
    },
    payments: () => platform.all().map((record) => platform.snapshot(record)),
    setFaults: (set: SandboxFaults, scope?: FaultScope) => faults.set(set, scope),
    saleRequests: () => platform.saleRequests,
    deliveries: () => deliverer.attempts(),
    settled: () => deliverer.settled(),
  };
}

const PAYMENT_ROUTE = /^\/sandbox\/payments\/([^/]+)\/([^/]+)(?:\/(approve|decline|expire))?$/;

/** Answers a `/sandbox/…` request. */
export async function handleControl(
  control: SandboxControl,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  maxBodyBytes: number,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    const mediaType = jsonBodyRefusal(request.headers, false);
    if (mediaType !== undefined) {
      return sendJson(response, 415, {
        error: { code: 'unsupported-media-type', message: mediaType },
      });
    }
  }
  try {
    if (path === '/sandbox/payments' && method === 'GET') {
      return sendJson(response, 200, control.payments());
    }
    if (path === '/sandbox/deliveries' && method === 'GET') {
      return sendJson(response, 200, control.deliveries());
    }
    if (path === '/sandbox/sale-requests' && method === 'GET') {
      return sendJson(response, 200, { saleRequests: control.saleRequests() });
    }
    if (path === '/sandbox/settled' && method === 'GET') {
      await control.settled();
      return sendJson(response, 200, { settled: true });
    }
    if (path === '/sandbox/faults' && (method === 'PUT' || method === 'POST')) {
      const body = await jsonBody(request, maxBodyBytes);
      const { faults, scope } = body as { faults?: unknown; scope?: unknown };
      control.setFaults((faults ?? {}) as SandboxFaults, readScope(scope));
      return sendJson(response, 200, { ok: true });
    }
    const match = PAYMENT_ROUTE.exec(path);
    if (match) {
      const projectId = Number(match[1]);
      const paymentId = decodeURIComponent(match[2]);
      const action = match[3];
      if (!Number.isSafeInteger(projectId)) {
        throw new SandboxError('invalid', `project id ${JSON.stringify(match[1])} is not a number`);
      }
      if (action === undefined && method === 'GET') {
        const payment = control.payment(projectId, paymentId);
        if (!payment) {
          throw new SandboxError(
            'not-found',
            `no payment ${JSON.stringify(paymentId)} in project ${projectId}`,
          );
        }
        return sendJson(response, 200, payment);
      }
      if (action !== undefined && method === 'POST') {
        if (action === 'approve')
          return sendJson(response, 200, await control.approve(projectId, paymentId));
        if (action === 'expire')
          return sendJson(response, 200, await control.expire(projectId, paymentId));
        const reason = await jsonBody(request, maxBodyBytes, true);
        return sendJson(
          response,
          200,
          await control.decline(projectId, paymentId, readReason(reason)),
        );
      }
    }
    sendJson(response, 404, {
      error: { code: 'not-found', message: `no control endpoint ${method} ${path}` },
    });
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    sendJson(response, error.httpStatus, { error: { code: error.kind, message: error.message } });
  }
}

async function jsonBody(
  request: IncomingMessage,
  maxBodyBytes: number,
  emptyIsObject = false,
): Promise<Record<string, unknown>> {
  const body = await readBody(request, maxBodyBytes);
  if (!body.ok) throw new SandboxError('invalid', `the body is over ${maxBodyBytes} bytes`);
  if (emptyIsObject && body.text.trim() === '') return {};
  const json = parseJson(body.text);
  if (
    !json.ok ||
    typeof json.value !== 'object' ||
    json.value === null ||
    Array.isArray(json.value)
  ) {
    throw new SandboxError('invalid', 'the body must be a JSON object');
  }
  return json.value as Record<string, unknown>;
}

function readScope(scope: unknown): FaultScope | undefined {
  if (scope === undefined || scope === null) return undefined;
  if (typeof scope !== 'object' || Array.isArray(scope)) {
    throw new SandboxError('invalid', 'scope must be an object: {"projectId", "paymentId"}');
  }
  const { projectId, paymentId } = scope as Record<string, unknown>;
  if (projectId !== undefined && !Number.isSafeInteger(projectId)) {
    throw new SandboxError('invalid', 'scope.projectId must be an integer');
  }
  if (paymentId !== undefined && typeof paymentId !== 'string') {
    throw new SandboxError('invalid', 'scope.paymentId must be a string');
  }
  return {
    ...(projectId !== undefined ? { projectId: projectId as number } : {}),
    ...(paymentId !== undefined ? { paymentId: paymentId as string } : {}),
  };
}

function readReason(reason: Record<string, unknown>): DeclineReason {
  const { code, message, status } = reason;
  if (status !== undefined && status !== 'decline' && status !== 'awaiting customer') {
    throw new SandboxError('invalid', 'status must be "decline" or "awaiting customer"');
  }
  if (code !== undefined && typeof code !== 'string') {
    throw new SandboxError('invalid', 'code must be a string of digits');
  }
  if (message !== undefined && typeof message !== 'string') {
    throw new SandboxError('invalid', 'message must be a string');
  }
  return {
    ...(code !== undefined ? { code: code as string } : {}),
    ...(message !== undefined ? { message: message as string } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}
