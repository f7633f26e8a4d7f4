// The Gate client against a real local HTTP server (not a mocked fetch): what it sends, and
// how every kind of answer, silence and failure comes back as a typed GateError.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import type { GateErrorKind } from '../../../../src/server/gate/errors.js';
import type { SaleInput } from '../../../../src/server/gate/client.js';
import {
  GATE_SALE_PATH,
  GATE_STATUS_PATH,
  GateClient,
} from '../../../../src/server/gate/client.js';
import { GateError } from '../../../../src/server/gate/errors.js';
import { sign, verify } from '../../../../src/ecommpay/signature.js';
import { TEST_CUSTOMER, TEST_IP } from '../../../helpers/customer.js';

const PROJECT_ID = 200;
// 16 characters or more: the key rule accepts it with the real Gate's URL too (keys.ts).
const SECRET_KEY = 'gate-client-test-secret-key';
const PAYMENT_ID = 'order-1001';

function saleInput(): SaleInput {
  return {
    general: { payment_id: PAYMENT_ID },
    customer: { ...TEST_CUSTOMER, ip_address: TEST_IP },
    payment: { amount: 30000, currency: 'CNY', description: '键盘' },
    return_url: { success: 'https://shop.example.com/thanks' },
  };
}

interface SeenRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}

type Handler = (res: ServerResponse, body: unknown, req: IncomingMessage) => void;

interface FakeGate {
  url: string;
  seen: SeenRequest[];
}

/** A real HTTP server on an ephemeral port that records each request, closed after the test. */
async function startGate(t: TestContext, handler: Handler): Promise<FakeGate> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text: the test asserts on it
      }
      seen.push({
        method: req.method!,
        path: req.url!,
        contentType: req.headers['content-type'],
        body,
      });
      handler(res, body, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        // The hanging handlers never answer: drop their sockets so the process can exit.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function client(gate: FakeGate, timeoutMs = 5000): GateClient {
  return new GateClient({
    projectId: PROJECT_ID,
    secretKey: SECRET_KEY,
    gateUrl: gate.url,
    timeoutMs,
  });
}

async function rejectsWith(promise: Promise<unknown>, kind: GateErrorKind): Promise<GateError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GateError, `expected a GateError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected a GateError of kind ${kind}, but the call succeeded`);
}

const accept: Handler = (res, body) => {
  const general = (body as { general: { project_id: number; payment_id: string } }).general;
  sendJson(res, 200, {
    status: 'success',
    request_id: 'req-abc-1',
    project_id: general.project_id,
    payment_id: general.payment_id,
  });
};

const FIELD_ERRORS = [
  {
    code: '1101',
    message: 'Invalid parameter',
    field: 'customer.phone',
    description: 'digits only',
  },
];

function fixture(name: string): { payment: Record<string, unknown> } & Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8'));
}

/**
 * Gate's status answer in its documented structure (PROTOCOL.md §2): the seed's callback's
 * payment, its operation in the array `operations`, and `errors`.
 */
function statusAnswer(
  paymentId: string,
  status = 'success',
  name = 'callback-success.json',
): Record<string, unknown> {
  const { operation, ...rest } = fixture(name);
  return {
    ...rest,
    project_id: PROJECT_ID,
    payment: { ...rest.payment, id: paymentId, status },
    operations: [operation],
    errors: [],
  };
}
describe('GateClient.sale', () => {
  it('posts a signed JSON sale to the CUP QR path and returns the accepted answer', async (t) => {
    const gate = await startGate(t, accept);
    const input = saleInput();
    // A trailing slash on the base URL is tolerated.
    const gateClient = new GateClient({
      projectId: PROJECT_ID,
      secretKey: SECRET_KEY,
      gateUrl: `${gate.url}/`,
    });

    const answer = await gateClient.sale(input);

    assert.deepEqual(answer, {
      accepted: true,
      status: 'success',
      request_id: 'req-abc-1',
      project_id: PROJECT_ID,
      payment_id: PAYMENT_ID,
    });
    assert.equal(gate.seen.length, 1);
    const [request] = gate.seen;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, GATE_SALE_PATH);
    assert.match(request.contentType ?? '', /^application\/json\b/);
    const body = request.body as {
      general: Record<string, unknown>;
      customer: Record<string, unknown>;
    };
    assert.equal(body.general.project_id, PROJECT_ID, 'the client fills in its project id');
    assert.equal(typeof body.general.signature, 'string');
    assert.ok(verify(body, SECRET_KEY), 'the signature verifies with the secret key');
    assert.ok(!verify(body, 'another-key'), 'and not with another key');
    assert.equal(body.customer.city, '北京', 'Chinese text arrives as UTF-8');
    assert.equal('signature' in input.general, false, "the caller's object is left as it was");
  });

  it('replaces a stale signature and accepts the same project_id given explicitly', async (t) => {
    const gate = await startGate(t, accept);
    const input = saleInput();
    const general = { ...input.general, project_id: PROJECT_ID, signature: 'stale' };
    await client(gate).sale({ ...input, general } as SaleInput);
    const body = gate.seen[0].body as { general: { signature: string } };
    assert.notEqual(body.general.signature, 'stale');
    assert.ok(verify(body, SECRET_KEY));
  });

  it('keeps the field errors of a 400 answer as a validation error', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 400, {
        status: 'error',
        code: '3006',
        message: 'Bad request',
        errors: FIELD_ERRORS,
      }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'validation');
    assert.equal(error.retryable, false);
    assert.equal(error.httpStatus, 400);
    assert.equal(error.code, '3006');
    assert.equal(error.platformMessage, 'Bad request');
    assert.deepEqual(error.fieldErrors, FIELD_ERRORS);
    assert.equal(error.paymentId, PAYMENT_ID);
    assert.match(error.message, /customer\.phone: Invalid parameter \(digits only\)/);
    assert.match(error.message, /HTTP 400/);
  });

  it('treats a 422 as a validation error too, with a numeric platform code as text', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 422, { code: 1101, message: 'Invalid' }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'validation');
    assert.equal(error.code, '1101');
    assert.deepEqual(error.fieldErrors, []);
  });

  it('reads a 200 error answer with field errors as a validation error', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, {
        status: 'error',
        code: '3006',
        message: 'Invalid',
        errors: FIELD_ERRORS,
      }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'validation');
    assert.equal(error.httpStatus, 200);
    assert.deepEqual(error.fieldErrors, FIELD_ERRORS);
  });

  it('reads a 200 error answer without field errors as a refusal', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, { status: 'error', code: '3061', message: 'Payment already exists' }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'refused');
    assert.equal(error.retryable, false);
    assert.equal(error.code, '3061');
    assert.equal(error.platformMessage, 'Payment already exists');
    assert.match(error.message, /Payment already exists/);
  });

  it('reads 3041 (payment ID already exists) as a duplicate: the first sale got through', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 400, { status: 'error', code: '3041', message: 'Payment ID already exists' }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'duplicate');
    assert.equal(error.retryable, false, 'sent again, it is refused again');
    assert.equal(error.code, '3041');
    assert.match(error.message, /earlier sale with it got through/);
    assert.match(error.message, /status\("order-1001"\)/);
  });

  it('reads the signature codes 3261 and 3262 as auth errors, whatever the HTTP status', async (t) => {
    for (const code of ['3261', '3262']) {
      const gate = await startGate(t, (res) =>
        sendJson(res, 400, { status: 'error', code, message: 'Invalid signature' }),
      );
      const error = await rejectsWith(client(gate).sale(saleInput()), 'auth');
      assert.equal(error.code, code);
      assert.match(error.message, /secret key of project 200/);
    }
  });

  it('reads 2442 (project not found) as an auth error that points at projectId', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, { status: 'error', code: '2442', message: 'Project ID not found' }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'auth');
    assert.match(error.message, /projectId \(200\)/);
  });

  it('reads a risk-control code (1401-1499) as a refusal, not a validation error', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 400, {
        status: 'error',
        code: '1405',
        message: 'RCS reject. IP is Blacklisted in RCS',
      }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'refused');
    assert.match(error.message, /risk control/);
  });

  it('reads 2004 (required field) without field errors as a validation error', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, { status: 'error', code: '2004', message: 'Required field not provided' }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'validation');
    assert.equal(error.code, '2004');
  });

  it('reports 401 as an auth error that points at the secret key', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 401, { status: 'error', code: '3002', message: 'Invalid signature' }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'auth');
    assert.equal(error.retryable, false);
    assert.equal(error.httpStatus, 401);
    assert.equal(error.code, '3002');
    assert.match(error.message, /secret key of project 200/);
  });

  it('reports 403 as an auth error that points at the IP allow-list', async (t) => {
    const gate = await startGate(t, (res) => {
      res.writeHead(403, { 'Content-Type': 'text/html' });
      res.end('<html>Forbidden</html>');
    });
    const error = await rejectsWith(client(gate).sale(saleInput()), 'auth');
    assert.equal(error.httpStatus, 403);
    assert.equal(error.code, undefined, 'an HTML body carries no platform code');
    assert.match(error.message, /allow-list/);
  });

  for (const status of [408, 429, 500, 503]) {
    it(`reports HTTP ${status} as retryable`, async (t) => {
      const gate = await startGate(t, (res) => {
        res.writeHead(status, { 'Content-Type': 'text/html' });
        res.end('<html>try again</html>');
      });
      const error = await rejectsWith(client(gate).sale(saleInput()), 'retryable');
      assert.equal(error.retryable, true);
      assert.equal(error.httpStatus, status);
      assert.match(error.message, new RegExp(`HTTP ${status}`));
      assert.match(error.message, /same payment_id/);
    });
  }

  it('reports another 4xx as a refusal, with a hint about gateUrl for 404', async (t) => {
    const gate = await startGate(t, (res) => sendJson(res, 404, { message: 'Not found' }));
    const error = await rejectsWith(client(gate).sale(saleInput()), 'refused');
    assert.equal(error.retryable, false);
    assert.equal(error.httpStatus, 404);
    assert.match(error.message, /check gateUrl/);
  });

  it('reports a redirect as malformed instead of following it', async (t) => {
    const gate = await startGate(t, (res) => {
      res.writeHead(302, { Location: 'https://elsewhere.example/' });
      res.end();
    });
    const error = await rejectsWith(client(gate).sale(saleInput()), 'malformed');
    assert.equal(error.httpStatus, 302);
    assert.match(error.message, /elsewhere\.example/);
    assert.equal(gate.seen.length, 1, 'the redirect was not followed');
  });

  it('times out when the server never answers', { timeout: 10_000 }, async (t) => {
    const gate = await startGate(t, () => {
      // never answers
    });
    const started = Date.now();
    const error = await rejectsWith(client(gate, 200).sale(saleInput()), 'timeout');
    assert.equal(error.retryable, true);
    assert.equal(error.httpStatus, undefined);
    assert.match(error.message, /within 200 ms/);
    assert.ok(Date.now() - started < 4000, 'the short timeout, not a default one, applied');
    assert.equal(gate.seen.length, 1, 'the request did reach the server');
  });

  it(
    'times out when the server sends its headers and then stalls in the body',
    { timeout: 10_000 },
    async (t) => {
      const gate = await startGate(t, (res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"status":"succ');
        // ...and nothing more
      });
      const error = await rejectsWith(client(gate, 200).sale(saleInput()), 'timeout');
      assert.equal(error.retryable, true);
    },
  );

  it(
    'times out even through a fetch that ignores its abort signal',
    { timeout: 10_000 },
    async (t) => {
      const gate = await startGate(t, (res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{');
      });
      let calls = 0;
      const deafFetch: typeof fetch = (input, init) => {
        calls++;
        return fetch(input, { ...init, signal: null });
      };
      const gateClient = new GateClient({
        projectId: PROJECT_ID,
        secretKey: SECRET_KEY,
        gateUrl: gate.url,
        timeoutMs: 200,
        fetch: deafFetch,
      });
      const error = await rejectsWith(gateClient.sale(saleInput()), 'timeout');
      assert.equal(error.retryable, true);
      assert.equal(calls, 1, 'the given fetch was used');
    },
  );

  it('reports a non-JSON 200 as malformed, naming the HTTP status', async (t) => {
    const gate = await startGate(t, (res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>Welcome to nginx!</body></html>');
    });
    const error = await rejectsWith(client(gate).sale(saleInput()), 'malformed');
    assert.equal(error.retryable, false);
    assert.equal(error.httpStatus, 200);
    assert.match(error.message, /HTTP 200/);
    assert.match(error.message, /not JSON/);
    assert.match(error.message, /Welcome to nginx/);
  });

  it('reports a 200 of the wrong shape as malformed, naming what is missing', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, { status: 'success', request_id: 'r' }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'malformed');
    assert.equal(error.retryable, false);
    assert.match(error.message, /HTTP 200/);
    assert.match(error.message, /project_id: required/);
    assert.match(error.message, /payment_id: required/);
    assert.match(error.message, /status\("order-1001"\)/, 'it says how to find out what happened');
  });

  it('reports an acceptance of another payment as malformed', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, {
        status: 'success',
        request_id: 'r',
        project_id: PROJECT_ID,
        payment_id: 'other',
      }),
    );
    const error = await rejectsWith(client(gate).sale(saleInput()), 'malformed');
    assert.match(error.message, /another payment/);
  });

  it('reports a refused connection as a retryable network error', async (t) => {
    // A port that was just free: listen, note it, close.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await rejectsWith(
      client({ url: `http://127.0.0.1:${port}`, seen: [] }).sale(saleInput()),
      'network',
    );
    assert.equal(error.retryable, true);
    assert.match(error.message, /ECONNREFUSED/);
    assert.ok(error.cause instanceof Error, 'the underlying error is kept as cause');
    t.diagnostic(error.message);
  });

  it('refuses an invalid request before sending anything, naming every problem', async (t) => {
    const gate = await startGate(t, accept);
    const input = saleInput();
    input.customer.phone = '+8613632264147';
    input.payment.amount = 10.5;
    (input.payment as { currency: string }).currency = 'USD';
    const error = await rejectsWith(client(gate).sale(input), 'invalid-request');
    assert.equal(error.retryable, false);
    assert.deepEqual(
      error.problems.map((problem) => problem.path),
      ['customer.phone', 'payment.amount', 'payment.currency'],
    );
    assert.match(error.message, /nothing was sent/);
    assert.match(error.message, /customer\.phone: digits only, no "\+"/);
    assert.equal(gate.seen.length, 0, 'the server saw no request');
  });

  it("refuses another project's id and unsignable extras before sending", async (t) => {
    const gate = await startGate(t, accept);
    const input = saleInput();
    input.general.project_id = 999;
    const projectError = await rejectsWith(client(gate).sale(input), 'invalid-request');
    assert.deepEqual(
      projectError.problems.map((p) => p.path),
      ['general.project_id'],
    );
    assert.match(projectError.message, /999 is not this client's project \(200\)/);

    // Was a float amount (1.5): floats are signed now; one the SDKs write differently is not.
    const floatExtra = {
      ...saleInput(),
      receipt_data: { positions: [{ amount: 100, rate: 1e-7 }] },
    };
    const floatError = await rejectsWith(client(gate).sale(floatExtra), 'invalid-request');
    assert.equal(floatError.problems[0].path, 'receipt_data.positions.0.rate');
    assert.match(floatError.message, /1e-7 is a float the official SDKs write differently/);
    assert.equal(gate.seen.length, 0);
  });
});

describe('GateClient.status', () => {
  it('posts a signed status request and returns the parsed, verified status', async (t) => {
    const gate = await startGate(t, (res) => {
      const answer = statusAnswer(PAYMENT_ID);
      sendJson(res, 200, { ...answer, signature: sign(answer, SECRET_KEY) });
    });
    const status = await client(gate).status(PAYMENT_ID);

    assert.equal(status.paymentId, PAYMENT_ID);
    assert.equal(status.status, 'success');
    assert.deepEqual(status.sum, { amount: 30000, currency: 'CNY' });
    const [request] = gate.seen;
    assert.equal(request.path, GATE_STATUS_PATH);
    assert.match(request.contentType ?? '', /^application\/json\b/);
    const body = request.body as { general: Record<string, unknown> };
    assert.deepEqual(Object.keys(body), ['general']);
    assert.equal(body.general.project_id, PROJECT_ID);
    assert.equal(body.general.payment_id, PAYMENT_ID);
    assert.ok(verify(body, SECRET_KEY), 'the status request is signed');
    assert.equal(status.signed, true);
  });

  it('reads an unsigned status answer, and says that it is unsigned', async (t) => {
    const gate = await startGate(t, (res) => sendJson(res, 200, statusAnswer(PAYMENT_ID)));
    const status = await client(gate).status(PAYMENT_ID);
    assert.equal(status.status, 'success');
    assert.equal(status.signed, false, 'no proof of its status');
  });

  it('reports a status answer with a bad signature as malformed', async (t) => {
    const gate = await startGate(t, (res) => {
      const answer = statusAnswer(PAYMENT_ID);
      sendJson(res, 200, { ...answer, signature: sign(answer, 'not-the-key') });
    });
    const error = await rejectsWith(client(gate).status(PAYMENT_ID), 'malformed');
    assert.equal(error.retryable, false);
    assert.match(error.message, /signature does not verify/);
  });

  it('reports an unknown payment (an error answer) as a refusal', async (t) => {
    // Was code 3041 "Payment not found": in ECommPay's list 3041 is "Payment ID already
    // exists", and a payment it does not know is 3061 "Transaction not found".
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, { status: 'error', code: '3061', message: 'Transaction not found' }),
    );
    const error = await rejectsWith(client(gate).status('nope'), 'refused');
    assert.equal(error.code, '3061');
    assert.equal(error.paymentId, 'nope');
    assert.match(error.message, /Gate has no payment "nope"/);
  });

  it('reads the operations of a status answer: the last one decides, 20602 expires', async (t) => {
    const gate = await startGate(t, (res) => {
      const answer = statusAnswer(PAYMENT_ID, 'decline', 'callback-decline-timeout.json');
      const [timeout] = answer.operations as Record<string, unknown>[];
      const awaiting = { ...timeout, status: 'awaiting customer action', code: '0' };
      const both = { ...answer, operations: [awaiting, timeout] };
      sendJson(res, 200, { ...both, signature: sign(both, SECRET_KEY) });
    });
    const status = await client(gate).status(PAYMENT_ID);
    assert.equal(status.signed, true);
    assert.equal(status.status, 'expired');
    assert.equal(status.code, '20602');
    assert.equal(status.message, 'Time-out');
    assert.deepEqual(
      status.operations.map((operation) => operation.code),
      ['0', '20602'],
    );
  });

  it('still reads a status answer shaped like a callback (one operation object)', async (t) => {
    const gate = await startGate(t, (res) => {
      const answer = { ...fixture('callback-decline-timeout.json'), project_id: PROJECT_ID };
      answer.payment = { ...answer.payment, id: PAYMENT_ID };
      sendJson(res, 200, { ...answer, signature: sign(answer, SECRET_KEY) });
    });
    const status = await client(gate).status(PAYMENT_ID);
    assert.equal(status.status, 'expired');
    assert.equal(status.operations.length, 1);
  });

  it('reads an answer that has only errors (no payment) as a refusal with their code', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, {
        errors: [{ code: '3061', message: 'Transaction not found', field: '', description: '' }],
      }),
    );
    const error = await rejectsWith(client(gate).status('nope'), 'refused');
    assert.equal(error.code, '3061');
    assert.equal(error.platformMessage, 'Transaction not found');
  });

  it('does not read 3041 on a status request as a duplicate sale', async (t) => {
    const gate = await startGate(t, (res) =>
      sendJson(res, 200, { status: 'error', code: '3041', message: 'Payment ID already exists' }),
    );
    await rejectsWith(client(gate).status(PAYMENT_ID), 'refused');
  });

  it('reports the status of another payment as malformed', async (t) => {
    const gate = await startGate(t, (res) => sendJson(res, 200, statusAnswer('someone-else')));
    const error = await rejectsWith(client(gate).status(PAYMENT_ID), 'malformed');
    assert.match(error.message, /another payment/);
  });

  it('refuses an empty payment id without sending', async (t) => {
    const gate = await startGate(t, accept);
    const error = await rejectsWith(client(gate).status(' '), 'invalid-request');
    assert.equal(error.problems[0].path, 'payment_id');
    assert.equal(gate.seen.length, 0);
  });
});

describe('GateClient options', () => {
  const base = { projectId: PROJECT_ID, secretKey: SECRET_KEY };

  it('normalises the base URL and applies the defaults', () => {
    const gateClient = new GateClient(base);
    assert.equal(gateClient.gateUrl, 'https://api.ecommpay.com');
    assert.equal(gateClient.timeoutMs, 15000);
    assert.equal(
      new GateClient({ ...base, gateUrl: 'http://localhost:8090/gate//' }).gateUrl,
      'http://localhost:8090/gate',
    );
  });

  it('rejects bad options with TypeErrors that name the option', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, projectId: 0 }, /projectId .*positive integer \(got 0\)/],
      [{ ...base, projectId: '200' }, /projectId/],
      [{ ...base, secretKey: '' }, /secretKey .*empty string/],
      [{ ...base, secretKey: 'sandbox-secret-key' }, /secretKey is the public demo key/],
      [{ ...base, secretKey: 'Qz' }, /secretKey is shorter than 16 characters/],
      [{ ...base, gateUrl: 'ftp://gate.example' }, /gateUrl .*uses ftp:/],
      [{ ...base, gateUrl: 'api.ecommpay.com' }, /gateUrl .*not an absolute URL/],
      [{ ...base, timeoutMs: -1 }, /timeoutMs .*\(got -1\)/],
      [{ ...base, fetch: 'nope' }, /fetch/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => new GateClient(options as never),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });

  it('does not show the secret key when the client is logged', async () => {
    const { inspect } = await import('node:util');
    assert.doesNotMatch(inspect(new GateClient(base)), new RegExp(SECRET_KEY));
    assert.doesNotMatch(JSON.stringify(new GateClient(base)), new RegExp(SECRET_KEY));
  });
});
