// What every example's test shares: the sandbox started through the installed package's CLI
// (its banner says what the shop sets), an example's processes, a whole payment over HTTP
// (start, SSE, Approve, success) and the same payment in Chromium. `cup-qr-checkout` resolves
// to examples/node_modules, the packed tarball, never the repository's sources.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPayload } from 'cup-qr-checkout/server';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';

export const EXAMPLES = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../node_modules/.bin/', import.meta.url));

/** A port nothing listens on now (the example is told to listen there). */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A child process with its output kept (and shown when a test fails). Killed, with its
 * children, when the test ends.
 */
export function start(t, name, command, args, { cwd, env = {} }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const waiters = new Set();
  const onData = (chunk) => {
    output.push(chunk.toString());
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  });
  return {
    child,
    name,
    text: () => output.join(''),
    /**
     * Resolves with the first match of `pattern` in the output; rejects if the process ends
     * first, or after a generous guard (a line that never comes fails the test, not its timeout).
     */
    waitFor(pattern, what = String(pattern), guardMs = 60_000) {
      return new Promise((resolve, reject) => {
        const guard = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${name} printed no ${what} in ${guardMs} ms:\n${output.join('')}`));
        }, guardMs);
        const check = () => {
          const match = pattern.exec(output.join(''));
          if (match) {
            waiters.delete(check);
            clearTimeout(guard);
            resolve(match);
          }
        };
        waiters.add(check);
        check();
        exited.then(([code, signal]) => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          clearTimeout(guard);
          reject(
            new Error(`${name} ended (${code ?? signal}) before ${what}:\n${output.join('')}`),
          );
        });
      });
    },
  };
}

/**
 * `npx cup-qr-checkout sandbox` with its callbacks sent to `callbackUrl`; resolves with its URL
 * and the shop settings its banner prints (the line the README says to copy).
 */
export async function startSandbox(t, callbackUrl) {
  const sandbox = start(t, 'sandbox', `${BIN}cup-qr-checkout`, ['sandbox'], {
    cwd: EXAMPLES,
    env: { SANDBOX_PORT: '0', SANDBOX_CALLBACK_URL: callbackUrl },
  });
  const [, text] = await sandbox.waitFor(
    /(ECommPay sandbox listening on[\s\S]*Press Ctrl-C to stop\.)/,
    'the banner',
  );
  const url = /listening on (http:\/\/\S+)/.exec(text)[1];
  const line = /^ {2}(ECOMMPAY_GATE_URL=.*)$/m.exec(text)[1];
  const settings = Object.fromEntries(line.split(' ').map((pair) => pair.split(/=(.*)/s, 2)));
  return { url, settings, process: sandbox };
}

/**
 * The sandbox, then the shop's own process started with exactly the settings the banner
 * printed and `PORT`; resolves once the shop answers HTTP.
 */
export async function startShop(t, name, command, args, { cwd, env = {}, port }) {
  const sandbox = await startSandbox(t, `http://127.0.0.1:${port}/cup-qr/callback`);
  const shop = start(t, name, command, args, {
    cwd,
    env: { ...sandbox.settings, PORT: String(port), ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  await answers(url, shop);
  return { url, sandbox, shop };
}

/** Resolves once `url` answers any HTTP status (the process has started listening). */
export async function answers(url, proc, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.text()}`);
    }
    const ok = await new Promise((resolve) => {
      const req = request(url, { method: 'HEAD' }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} never answered:\n${proc.text()}`);
    // A child process's listening has no event here to await: ask again shortly.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The sandbox demo project's order: every customer field fixed, so no form is asked. */
export function payloadFor(ref, secretKey, amount = 30000) {
  return createPayload(
    {
      ref,
      amount,
      description: '机械键盘',
      customer: {
        id: 'c-77',
        first_name: '倩文',
        last_name: '伍',
        phone: '13632264147',
        email: 'wu@example.com',
        zip: '100022',
        country: 'CN',
        city: '北京',
        street: '建国路88号',
      },
      returnUrl: 'https://shop.example/thanks',
    },
    { secretKey },
  );
}

/** The sandbox's bank app pressing Approve (its control API). */
export async function approve(sandboxUrl, projectId, paymentId) {
  const response = await fetch(
    `${sandboxUrl}/sandbox/payments/${projectId}/${encodeURIComponent(paymentId)}/approve`,
    { method: 'POST' },
  );
  if (!response.ok) throw new Error(`approve: ${response.status} ${await response.text()}`);
}

/** The `status` events of a payment's stream, one by one, as the element reads them. */
async function* statusEvents(url) {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' } });
  if (!response.ok) throw new Error(`events: ${response.status} ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = frame.split('\n');
        if (!lines.includes('event: status')) continue;
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim());
        yield JSON.parse(data.join('\n'));
      }
    }
  } finally {
    await response.body?.cancel().catch(() => {});
  }
}

/**
 * A whole payment as the element makes it, over HTTP: POST {prefix}/payments, the event
 * stream until the QR code, Approve in the sandbox, the stream until success. Resolves with
 * the statuses seen.
 */
export async function payOverHttp({ shopUrl, sandboxUrl, projectId, payload, prefix = '/cup-qr' }) {
  const created = await fetch(`${shopUrl}${prefix}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: shopUrl },
    body: JSON.stringify({ payload }),
  });
  const body = await created.json();
  if (created.status !== 201) {
    throw new Error(`POST ${prefix}/payments: ${created.status} ${JSON.stringify(body)}`);
  }
  const { paymentId, token } = body;
  const seen = [];
  const events = `${shopUrl}${prefix}/payments/${encodeURIComponent(paymentId)}/events?token=${encodeURIComponent(token)}`;
  for await (const state of statusEvents(events)) {
    seen.push(state.status);
    if (state.status === 'awaiting-customer') {
      if (!state.qr?.data) throw new Error(`no QR code in ${JSON.stringify(state)}`);
      await approve(sandboxUrl, projectId, paymentId);
    }
    if (['success', 'decline', 'expired', 'error'].includes(state.status)) break;
  }
  return { paymentId, statuses: seen };
}

/** Chromium (Debian's), closed when the test ends. */
export async function openBrowser(t) {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  return browser;
}

/**
 * A whole payment in a page: the element shows its QR code, Approve in the sandbox, the page's
 * own success handler writes `paid <paymentId>` into `#result`. Resolves with the page's
 * console messages and errors, for the test to check.
 */
export async function payInPage(browser, { pageUrl, sandboxUrl, projectId }) {
  const page = await browser.newPage();
  const console = [];
  page.on('console', (message) => {
    // The browser asks every page for an icon; none of these pages has one.
    if (message.location().url?.endsWith('/favicon.ico')) return;
    console.push({ type: message.type(), text: message.text() });
  });
  page.on('pageerror', (error) => console.push({ type: 'pageerror', text: String(error) }));
  try {
    await page.goto(pageUrl);
    await page.waitForFunction(
      () => document.querySelector('cup-qr-checkout')?.status === 'awaiting-customer',
      undefined,
      { timeout: 60_000 },
    );
    const paymentId = await page.evaluate(
      () => document.querySelector('cup-qr-checkout').paymentSession.paymentId,
    );
    await approve(sandboxUrl, projectId, paymentId);
    await page.waitForFunction(
      (id) => document.querySelector('#result')?.textContent === `paid ${id}`,
      paymentId,
      { timeout: 30_000 },
    );
    return { paymentId, console };
  } catch (error) {
    const status = await page
      .evaluate(() => document.querySelector('cup-qr-checkout')?.status)
      .catch(() => undefined);
    throw new Error(
      `${error.message}\n(element status ${status}; console: ${JSON.stringify(console)})`,
      { cause: error },
    );
  } finally {
    await page.close();
  }
}

/**
 * A server example's test: its `server.js` as written, a whole payment over HTTP, then its own
 * routes still answered beside the checkout's.
 */
export async function paysOverHttp(t, name) {
  const { url, sandbox, shop } = await startShop(t, name, 'node', ['server.js'], {
    cwd: `${EXAMPLES}${name}/`,
    port: await freePort(),
  });
  const { statuses } = await payOverHttp({
    shopUrl: url,
    sandboxUrl: sandbox.url,
    projectId: sandbox.settings.ECOMMPAY_PROJECT_ID,
    payload: payloadFor(`${name}-1`, sandbox.settings.ECOMMPAY_SECRET_KEY),
  });
  // 'pending' is seen when the stream opened before the platform's first callback.
  assert.deepEqual(
    statuses.filter((status) => status !== 'pending'),
    ['awaiting-customer', 'success'],
    shop.text(),
  );
  assert.equal(await (await fetch(url)).text(), 'shop');
}

/**
 * A Vite example's test: its shop's server, Vite's dev server with the example's proxy
 * settings in front of it, a whole payment in Chromium with no error in the page.
 */
export async function paysThroughVite(t, name) {
  const dir = `${EXAMPLES}${name}/`;
  const shop = await startShop(t, 'shop', 'node', ['shop.js'], {
    cwd: dir,
    port: await freePort(),
  });
  const port = await freePort();
  const vite = start(
    t,
    'vite',
    `${BIN}vite`,
    ['--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { cwd: dir, env: { SHOP_URL: shop.url } },
  );
  await answers(`http://127.0.0.1:${port}/`, vite);
  const browser = await openBrowser(t);
  const { console } = await payInPage(browser, {
    pageUrl: `http://127.0.0.1:${port}/`,
    sandboxUrl: shop.sandbox.url,
    projectId: shop.sandbox.settings.ECOMMPAY_PROJECT_ID,
  });
  assert.deepEqual(
    console.filter((m) => m.type === 'error' || m.type === 'pageerror'),
    [],
  );
}

/** `npm run typecheck` in an example (tsc or vue-tsc, skipLibCheck false). */
export async function typeChecks(name) {
  await promisify(execFile)('npm', ['run', 'typecheck'], { cwd: `${EXAMPLES}${name}/` });
}
