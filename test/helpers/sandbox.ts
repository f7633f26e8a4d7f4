/**
 * Shared pieces of the sandbox tests: a valid CUP QR sale request, signed; JSON posts; a
 * sandbox with a callback receiver, both closed by the test's context.
 */
import type { TestContext } from 'node:test';
import { sign } from '../../src/ecommpay/signature.js';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions, SandboxProject } from '../../src/sandbox/index.js';
import type { Receiver } from './receiver.js';
import { startReceiver } from './receiver.js';
import { TEST_CUSTOMER, TEST_IP } from './customer.js';

export const PROJECT_ID = 200;
export const SECRET_KEY = 'sandbox-test-secret';

/** An unsigned, valid sale request (the seed's, with its Chinese fields in Chinese). */
export function saleBody(paymentId: string, projectId = PROJECT_ID): Record<string, any> {
  return {
    general: { project_id: projectId, payment_id: paymentId },
    customer: { ...TEST_CUSTOMER, ip_address: TEST_IP },
    payment: { amount: 30000, currency: 'CNY', description: '机械键盘 keyboard' },
    return_url: { success: 'https://shop.example.com/thanks' },
  };
}

/** The Payment Page's customer parameters of the tests (flat, PROTOCOL.md §4). */
export const PAGE_CUSTOMER = {
  customer_id: '123',
  customer_first_name: '伍',
  customer_last_name: '倩文',
  customer_email: 'wu@example.com',
  customer_phone: '13632264147',
  customer_country: 'CN',
  customer_city: '北京',
  customer_street: '建国路88号',
  customer_zip: '100022',
} as const;

/** Payment Page parameters, signed as the merchant signs them (flat, PROTOCOL.md §4). */
export function paymentPageUrl(
  base: string,
  overrides: Record<string, string | number> = {},
): string {
  const params: Record<string, string | number> = {
    project_id: PROJECT_ID,
    payment_id: 'pp-1',
    payment_amount: 30000,
    payment_currency: 'CNY',
    payment_description: '机械键盘',
    ...PAGE_CUSTOMER,
    language_code: 'zh',
    ...overrides,
  };
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) query.set(name, String(value));
  query.set('signature', sign(params, SECRET_KEY));
  return `${base}/payment?${query}`;
}

/** `body` with `general.signature` made with `secretKey`. */
export function signed(body: Record<string, any>, secretKey = SECRET_KEY): Record<string, any> {
  const { signature: _old, ...general } = body.general ?? {};
  const unsigned = { ...body, general };
  return { ...unsigned, general: { ...general, signature: sign(unsigned, secretKey) } };
}

export function signedSale(paymentId: string, projectId = PROJECT_ID): Record<string, any> {
  return signed(saleBody(paymentId, projectId));
}

export interface JsonReply {
  status: number;
  body: any;
}

/** POSTs `body` (an object as JSON, or a string as it is) and reads the JSON answer. */
export async function postJson(url: string, body: unknown): Promise<JsonReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export interface Setup {
  sandbox: Sandbox;
  receiver: Receiver;
  /** The sandbox's log lines so far. */
  logs: string[];
  /** Resolves once the sandbox logged `count` lines matching `pattern` (an event, not a wait). */
  waitForLog(pattern: RegExp, count?: number, timeoutMs?: number): Promise<string[]>;
  /** POSTs a signed sale for `paymentId` and checks it was accepted. */
  sale(paymentId: string, body?: Record<string, any>): Promise<JsonReply>;
}

/**
 * A sandbox on a free port whose project sends callbacks to a fresh receiver; `project` adds
 * to the project's settings (`callbackOrigins` for a test's second receiver).
 */
export async function setup(
  t: TestContext,
  options: Partial<SandboxOptions> = {},
  project: Partial<Omit<SandboxProject, 'id' | 'secretKey'>> = {},
): Promise<Setup> {
  const receiver = await startReceiver(SECRET_KEY);
  const logs: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const sandbox = await startSandbox({
    port: 0,
    projects: [
      { id: PROJECT_ID, secretKey: SECRET_KEY, callbackUrl: receiver.callbackUrl, ...project },
    ],
    retryDelaysMs: [20, 40, 80],
    ...options,
    log: (line) => {
      logs.push(line);
      options.log?.(line);
      for (const listener of [...listeners]) listener(line);
    },
  });
  t.after(async () => {
    await sandbox.close();
    await receiver.close();
  });
  const waitForLog = (pattern: RegExp, count = 1, timeoutMs = 10_000): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const matching = (): string[] => logs.filter((line) => pattern.test(line));
      const listener = (): void => {
        if (matching().length < count) return;
        listeners.delete(listener);
        clearTimeout(guard);
        resolve(matching());
      };
      const guard = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`the sandbox never logged ${pattern} ${count} time(s)`));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });
  return {
    sandbox,
    receiver,
    logs,
    waitForLog,
    sale: (paymentId, body) =>
      postJson(`${sandbox.url}/v2/payment/cup/qr/sale`, body ?? signedSale(paymentId)),
  };
}
