// The bad-input suite's harness (test/node/bad-input.test.ts): one shop with a paid and a
// waiting payment, every input sent through a keep-alive agent and checked (the answer's
// status and error body, nothing stored changed, no prototype polluted, the server still
// serves), and the figures tallied over all of it. Importing it registers the shop's
// before/after hooks.
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, type TestContext } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from '../../src/wire/errors.js';
import type { CheckoutOptions } from '../../src/server/checkout.js';
import type { CallbackOutcome, CallbackRecord } from '../../src/server/store.js';
import { PROJECT_ID, startShop, type Created, type Shop } from './toolkit.js';

export const ALL_TIME = { from: 0, to: 8.64e15 };
export const NUM_RUNS = 150;

// ---------------------------------------------------------------------------------------------
// The figures, printed once at the end.

export const figures = {
  inputs: 0,
  entryPoints: new Set<string>(),
  crashes: 0,
  fiveXx: 0,
  dropped: 0,
  wrongShape: 0,
  storedChanges: 0,
  pollutions: 0,
  cliStackTraces: 0,
};

export function printFigures(): void {
  const n = (x: number): string => x.toLocaleString('en-US');
  console.log(
    `bad-input: ${n(figures.inputs)} inputs tried over ${figures.entryPoints.size} entry points; ` +
      `${n(figures.crashes)} crashes, ${n(figures.fiveXx)} 5xx, ${n(figures.dropped)} dropped ` +
      `connections, ${n(figures.wrongShape)} malformed error answers, ` +
      `${n(figures.storedChanges)} stored changes, ${n(figures.pollutions)} prototype pollutions, ` +
      `${n(figures.cliStackTraces)} CLI stack traces`,
  );
}

// ---------------------------------------------------------------------------------------------
// Prototype pollution: every own key of the shared prototypes, before and after.

export const PROTOTYPES = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
};
export const protoKeys = (): string =>
  JSON.stringify(Object.values(PROTOTYPES).map((p) => Reflect.ownKeys(p).map(String).sort()));
export const CLEAN_PROTOTYPES = protoKeys();

export function polluted(): string | undefined {
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined || probe.isAdmin !== undefined) return 'a key on {}';
  if (protoKeys() !== CLEAN_PROTOTYPES) return 'new keys on a prototype';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// HTTP: node:http through a keep-alive agent, as a browser or proxy would reuse connections,
// so that an answer on a connection the server then drops shows up as a failed next request.

export const agent = new Agent({ keepAlive: true, maxSockets: 4 });
after(() => agent.destroy());

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json?: unknown;
  /** Set when the connection failed instead of answering. */
  dropped?: string;
}

export interface Send {
  method?: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Send the body chunked (no Content-Length), so the server finds the size as it reads. */
  chunked?: boolean;
}

export let shop: Shop;

export function send({
  method = 'POST',
  path,
  body,
  headers = {},
  chunked = false,
}: Send): Promise<Answer> {
  return new Promise((resolve) => {
    const bytes = body === undefined ? undefined : Buffer.from(body);
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port: shop.port,
        method,
        path,
        headers: {
          ...(bytes && !chunked ? { 'content-length': String(bytes.length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) =>
          resolve({ status: 0, headers: {}, text: '', dropped: error.message }),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', (error) =>
      resolve({ status: 0, headers: {}, text: '', dropped: error.message }),
    );
    if (bytes && chunked) {
      for (let i = 0; i < bytes.length; i += 16_384) req.write(bytes.subarray(i, i + 16_384));
    } else if (bytes) {
      req.write(bytes);
    }
    req.end();
  });
}

export const postJson = (
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Send => ({
  path: `/cup-qr${path}`,
  body,
  headers: { 'content-type': 'application/json', ...headers },
});

// ---------------------------------------------------------------------------------------------
// What is stored, to compare before and after each input.

export interface Snapshot {
  /** Payments (their token hashes apart), their histories, the sandbox's sales and payments. */
  payments: string;
  tokens: string;
  callbacks: CallbackRecord[];
}

export async function snapshot(): Promise<Snapshot> {
  const payments = await shop.store.listPayments(ALL_TIME);
  const histories = await Promise.all(payments.map((p) => shop.store.listTransitions(p.paymentId)));
  const callbacks = await shop.store.listCallbacks(ALL_TIME);
  return {
    payments: JSON.stringify({
      payments: payments.map(({ tokenHashes: _tokens, ...rest }) => rest),
      histories,
      sales: shop.sandbox.control.saleRequests(),
      sandbox: shop.sandbox.control
        .payments()
        .map((p) => [p.paymentId, p.status, p.callbacks.length]),
    }),
    tokens: JSON.stringify(payments.map((p) => [p.paymentId, p.tokenHashes])),
    callbacks,
  };
}

export type CallbackChange =
  | { kind: 'none' }
  | { kind: 'other' }
  | { kind: 'added'; record: CallbackRecord }
  | { kind: 'counted'; record: CallbackRecord };

/**
 * How the callback log changed: not at all, by one new record, by one more arrival counted on
 * a record of the very same body (store.ts `recordCallback`), or otherwise.
 */
export function callbackChange(before: CallbackRecord[], after: CallbackRecord[]): CallbackChange {
  const key = (c: CallbackRecord): string => `${c.paymentId}\u0000${c.bodySha256}`;
  const old = new Map(before.map((c) => [key(c), c]));
  const changes: CallbackChange[] = [];
  for (const record of after) {
    const was = old.get(key(record));
    old.delete(key(record));
    if (!was) changes.push({ kind: 'added', record });
    else if (record.count === was.count + 1) changes.push({ kind: 'counted', record });
    else if (record.count !== was.count || record.outcome !== was.outcome) return { kind: 'other' };
  }
  if (old.size > 0 || changes.length > 1) return { kind: 'other' };
  return changes[0] ?? { kind: 'none' };
}

// ---------------------------------------------------------------------------------------------
// One input, checked.

export interface Expect {
  /** The HTTP status wanted; default any 4xx. */
  status?: number | number[];
  /** The error code wanted. */
  code?: string | string[];
  /** What the message (or a field's path or message) must mention. */
  mentions?: RegExp;
  /**
   * A signed callback: the store's callback log grows by one arrival, a new record or one more
   * count on the record of the very same body, whose outcome is this (or any).
   */
  records?: CallbackOutcome | 'any';
  /** With `records`: the very same bytes arrived before, so the arrival must be counted. */
  replay?: boolean;
  /** A valid replay: the payment gets one more token hash, nothing else changes. */
  newToken?: boolean;
}

export const LABEL_MAX = 90;
export const labelOf = (label: string): string =>
  JSON.stringify(
    label.length > LABEL_MAX ? `${label.slice(0, LABEL_MAX)}…(${label.length})` : label,
  );

/** Problems with the answer to one input (empty: all is well); tallies the figures. */
export async function tryInput(
  entry: string,
  label: string,
  input: Send,
  expect: Expect = {},
): Promise<string[]> {
  // The status URL and the events URL are two entry points, tried by the same tables.
  if (entry === 'GET /payments/:id' && /\/events(\?|$)/.test(input.path)) entry += '/events';
  figures.inputs++;
  figures.entryPoints.add(entry);
  const before = await snapshot();
  const answer = await send(input);
  const problems: string[] = [];
  const fail = (what: string): void => {
    problems.push(`${entry} ${labelOf(label)}: ${what}`);
  };

  if (answer.dropped) {
    figures.dropped++;
    fail(`the connection dropped (${answer.dropped})`);
  } else {
    if (answer.status >= 500) figures.fiveXx++;
    const wanted = expect.status === undefined ? undefined : [expect.status].flat();
    const statusOk = wanted
      ? wanted.includes(answer.status)
      : answer.status >= 400 && answer.status < 500;
    if (!statusOk)
      fail(
        `HTTP ${answer.status} (wanted ${wanted?.join(' or ') ?? '4xx'}): ${answer.text.slice(0, 300)}`,
      );
    if (answer.status >= 400) {
      const shapeProblem = errorShapeProblem(answer, expect);
      if (shapeProblem) {
        figures.wrongShape++;
        fail(shapeProblem);
      }
    }
  }

  const afterwards = await snapshot();
  let changed = afterwards.payments !== before.payments;
  if (expect.newToken) {
    // A replayed payload is answered with the running attempt and a new token for it: that
    // token's hash is the one thing stored.
    if (afterwards.tokens === before.tokens) fail('no token was issued for the replay');
  } else if (afterwards.tokens !== before.tokens) {
    changed = true;
  }
  const change = callbackChange(before.callbacks, afterwards.callbacks);
  if (!expect.records) {
    if (change.kind !== 'none') changed = true;
  } else if (change.kind === 'none' || change.kind === 'other') {
    changed = true;
  } else {
    if (expect.replay && change.kind !== 'counted') fail('stored again, wanted counted');
    if (expect.records !== 'any' && change.record.outcome !== expect.records) {
      fail(`the callback was recorded as ${change.record.outcome}, wanted ${expect.records}`);
    }
  }
  if (changed) {
    figures.storedChanges++;
    fail('something stored changed');
  }
  const pollution = polluted();
  if (pollution) {
    figures.pollutions++;
    fail(`prototype polluted: ${pollution}`);
  }
  return problems;
}

export function errorShapeProblem(answer: Answer, expect: Expect): string | undefined {
  if (!/^application\/json\b/.test(String(answer.headers['content-type']))) {
    return `error answer of type ${answer.headers['content-type']}: ${answer.text.slice(0, 200)}`;
  }
  const body = answer.json as { error?: { code?: unknown; message?: unknown; fields?: unknown } };
  const error = body?.error;
  if (typeof error !== 'object' || error === null)
    return `no {error} body: ${answer.text.slice(0, 200)}`;
  const keys = Object.keys(body);
  if (keys.length !== 1) return `extra keys beside error: ${keys.join(', ')}`;
  if (typeof error.code !== 'string' || !(ERROR_CODES as readonly string[]).includes(error.code)) {
    return `code ${JSON.stringify(error.code)} is not in ERROR_CODES`;
  }
  if (typeof error.message !== 'string' || error.message.trim() === '') return 'an empty message';
  if (error.fields !== undefined) {
    if (
      !Array.isArray(error.fields) ||
      !error.fields.every(
        (f: unknown) =>
          typeof f === 'object' &&
          f !== null &&
          typeof (f as { path?: unknown }).path === 'string' &&
          typeof (f as { message?: unknown }).message === 'string',
      )
    ) {
      return `fields is not a list of {path, message}: ${JSON.stringify(error.fields).slice(0, 200)}`;
    }
  }
  if (expect.code !== undefined && ![expect.code].flat().includes(error.code)) {
    return `code ${error.code} (wanted ${[expect.code].flat().join(' or ')}): ${error.message}`;
  }
  if (expect.mentions && !expect.mentions.test(answer.text)) {
    return `the answer does not mention ${expect.mentions}: ${answer.text.slice(0, 300)}`;
  }
  return undefined;
}

/** The server still serves: the waiting payment's status answers 200. */
export async function stillServes(): Promise<void> {
  const answer = await send({ method: 'GET', path: `/cup-qr${statusPath(waiting)}` });
  if (answer.status !== 200) {
    figures.crashes++;
    assert.fail(
      `the server no longer answers a valid request: ${answer.status} ${answer.dropped ?? answer.text}`,
    );
  }
}

/** Runs a table of inputs; fails with every problem found. */
export async function table(
  entry: string,
  cases: [label: string, input: Send, expect?: Expect][],
): Promise<void> {
  const problems: string[] = [];
  for (const [label, input, expect] of cases)
    problems.push(...(await tryInput(entry, label, input, expect)));
  await stillServes();
  assert.deepEqual(problems, [], `${problems.length} of ${cases.length} inputs went wrong`);
}

/** A fast-check property over inputs; a failing input is shrunk and reported. */
export async function property<T>(
  entry: string,
  arbitrary: fc.Arbitrary<T>,
  toInput: (value: T) => { label: string; input: Send; expect?: Expect },
  numRuns = NUM_RUNS,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      const { label, input, expect } = toInput(value);
      const problems = await tryInput(entry, label, input, expect);
      assert.deepEqual(problems, []);
    }),
    { numRuns },
  );
  await stillServes();
}

// ---------------------------------------------------------------------------------------------
// Hostile material.

/** `depth` nested arrays, `[[[…]]]`. */
export const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** `depth` nested objects, `{"a":{"a":…1}}`. */
export const nestedObjects = (depth: number): string =>
  `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Characters that have no place in a name or an address. */
export const INVISIBLE = [
  '\u0000', // NUL
  '\u0007', // BEL
  '\n',
  '\t',
  '\u007f', // DEL
  '\u0085', // NEL
  '\u200b', // zero-width space
  '\u200d', // zero-width joiner
  '\u200f', // right-to-left mark
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u00ad', // soft hyphen
  '\ufeff', // byte-order mark
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
];

/** qr_data values a callback must never get into the state: no QR code can mean or hold them. */
export const HOSTILE_QR = [
  'java\tscript:alert(1)',
  'https://bank.example/pay\n',
  'https://bank.example/pay\u0000',
  'https://bank.example/pay\u0085',
  'https://bank.example/pay\ud800',
  '',
  '   ',
  `https://bank.example/${'a'.repeat(3000)}`,
  '汉'.repeat(777),
];

/**
 * qr_data values drawn as they came, none of them ever a link (wire/qr.ts `appLinkFor`):
 * only a bank app reads a QR code. The EMVCo specification's own example payload among them.
 */
export const DRAWN_QR = [
  'javascript:alert(1)',
  'JAVASCRIPT:alert(document.cookie)',
  ' javascript:alert(1)',
  'javascript://https://bank.example/%0aalert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/png;base64,iVBORw0KGgo=',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'blob:https://bank.example/1',
  'ftp://bank.example/qr',
  '//bank.example/qr',
  '/relative/qr',
  'https//bank.example',
  '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A',
];

// ---------------------------------------------------------------------------------------------
// The shop: one paid payment, one waiting for the shopper; payloads to tamper with.

export let paid: Created;
export let paidPayload: string;
export let waiting: Created;
export let waitingPayload: string;
export const logLines: string[] = [];
export const cleanups: (() => Promise<void> | void)[] = [];

export function statusPath(created: { paymentId: string; token: string }): string {
  return `/payments/${encodeURIComponent(created.paymentId)}?token=${encodeURIComponent(created.token)}`;
}

export async function awaitStatus(created: Created, status: string): Promise<void> {
  await shop.sandbox.control.settled();
  const state = (await shop.get(statusPath(created))).body as { status: string };
  assert.equal(state.status, status);
}

before(async () => {
  // startShop closes what it opened through the test context's `after`; this file's hooks
  // stand in for it.
  const context = {
    after: (fn: () => Promise<void>) => cleanups.push(fn),
  } as unknown as TestContext;
  // The rate limit of payment starts is not what is tested here (every input comes from one
  // address): it is off.
  const options: Partial<CheckoutOptions> = {
    rateLimit: false,
    log: (line: string) => logLines.push(line),
  };
  shop = await startShop(context, { checkout: options });
  paidPayload = shop.payload('bad-paid');
  paid = (await shop.post('/payments', { payload: paidPayload })).body as Created;
  await awaitStatus(paid, 'awaiting-customer');
  await shop.sandbox.control.approve(PROJECT_ID, paid.paymentId);
  await awaitStatus(paid, 'success');
  waitingPayload = shop.payload('bad-waiting');
  waiting = (await shop.post('/payments', { payload: waitingPayload })).body as Created;
  await awaitStatus(waiting, 'awaiting-customer');
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
