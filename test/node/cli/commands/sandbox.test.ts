// `cup-qr-checkout sandbox`: sandboxCommand in-process (configuration, what it prints, a real
// sale through it), then in a child process stopped by SIGTERM, then through the bin once
// src/cli/index.ts wires it as the `sandbox` command.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it, type TestContext } from 'node:test';
import { sandboxCommand } from '../../../../src/cli/commands/sandbox.js';
import type { Sandbox } from '../../../../src/sandbox/index.js';
import { startReceiver } from '../../../helpers/receiver.js';
import { postJson, saleBody, signed } from '../../../helpers/sandbox.js';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

/** Runs the command in-process until `stop` is aborted. */
function runCommand(env: NodeJS.ProcessEnv, args: string[] = []) {
  const lines: string[] = [];
  const controller = new AbortController();
  let ready!: (sandbox: Sandbox) => void;
  const started = new Promise<Sandbox>((resolve) => (ready = resolve));
  const done = sandboxCommand(args, env, (line) => lines.push(line), {
    signal: controller.signal,
    onReady: ready,
  });
  return { lines, started, done, stop: () => controller.abort() };
}

/** The command for project 4321 with a receiver of its callbacks, and `env` on top. */
async function runWithReceiver(t: TestContext, env: NodeJS.ProcessEnv) {
  const receiver = await startReceiver('cli-secret');
  t.after(() => receiver.close());
  const run = runCommand({
    SANDBOX_PORT: '0',
    ECOMMPAY_PROJECT_ID: '4321',
    ECOMMPAY_SECRET_KEY: 'cli-secret',
    SANDBOX_CALLBACK_URL: receiver.callbackUrl,
    ...env,
  });
  return { receiver, run };
}

/** A signed sale of project 4321 through the sandbox's Gate. */
function cliSale(sandbox: Sandbox, paymentId: string) {
  return postJson(
    `${sandbox.url}/v2/payment/cup/qr/sale`,
    signed(saleBody(paymentId, 4321), 'cli-secret'),
  );
}

describe('sandboxCommand', () => {
  it('starts from the environment, prints URL, project and callback URL, serves a sale', async (t) => {
    const { receiver, run } = await runWithReceiver(t, { SANDBOX_QR_TIMEOUT: '120' });
    const sandbox = await run.started;
    const text = run.lines.join('\n');
    assert.ok(text.includes(`listening on ${sandbox.url}`), text);
    assert.match(text, /Project: +4321\n/);
    assert.ok(text.includes(`Callbacks to:  ${receiver.callbackUrl}`));
    assert.match(text, /QR timeout: +120 s/);
    assert.ok(!text.includes('cli-secret'), 'the secret key is never printed');
    assert.ok(!/demo default/.test(text));
    // What the shop sets: the key by the variable's name; a callback URL the toolkit's
    // default prefix cannot make is said to need a publicUrl and prefix of its own.
    assert.ok(
      run.lines.includes(
        `  ECOMMPAY_GATE_URL=${sandbox.url} ECOMMPAY_PROJECT_ID=4321 ECOMMPAY_SECRET_KEY="$ECOMMPAY_SECRET_KEY"`,
      ),
      text,
    );
    assert.ok(text.includes(`callback URL ${receiver.callbackUrl}`), text);

    const reply = await cliSale(sandbox, 'cli-1');
    assert.equal(reply.status, 200);
    const [awaiting] = await receiver.waitFor((r) => r.length === 1, 'the awaiting callback');
    assert.ok(awaiting.verified);
    assert.equal((awaiting.body as any).display_data[1].data, '120');

    run.stop();
    assert.equal(await run.done, 0);
    assert.equal(run.lines.at(-1), 'ECommPay sandbox stopped.');
  });

  it('uses documented demo defaults and says so', async () => {
    const run = runCommand({ SANDBOX_PORT: '0' });
    const sandbox = await run.started;
    const text = run.lines.join('\n');
    assert.match(text, /Project: +1 \(demo default: set ECOMMPAY_PROJECT_ID\)/);
    assert.match(text, /"sandbox-secret-key" \(demo default: set ECOMMPAY_SECRET_KEY\)/);
    assert.match(text, /Callbacks to: +http:\/\/127\.0\.0\.1:8080\/cup-qr\/callback/);
    // Exactly what the README's server needs for the callbacks to reach it.
    assert.ok(
      run.lines.includes(
        `  ECOMMPAY_GATE_URL=${sandbox.url} ECOMMPAY_PROJECT_ID=1 ECOMMPAY_SECRET_KEY=sandbox-secret-key PUBLIC_URL=http://127.0.0.1:8080`,
      ),
      text,
    );
    run.stop();
    assert.equal(await run.done, 0);
  });

  it('SANDBOX_QR_FORMAT=emv: qr_data is an EMVCo payload, the bank-app page is in the log', async (t) => {
    const { receiver, run } = await runWithReceiver(t, { SANDBOX_QR_FORMAT: 'emv' });
    const sandbox = await run.started;
    assert.match(run.lines.join('\n'), /QR codes: +EMVCo payloads/);
    const reply = await cliSale(sandbox, 'cli-emv');
    assert.equal(reply.status, 200);
    const [awaiting] = await receiver.waitFor((r) => r.length === 1, 'the awaiting callback');
    const payment = sandbox.control.payment(4321, 'cli-emv')!;
    assert.match((awaiting.body as any).display_data[0].data, /^000201010212/);
    assert.equal((awaiting.body as any).display_data[0].data, payment.qrData);
    assert.ok(
      run.lines.some((line) => line.includes(`bank app: ${payment.qrUrl}`)),
      'the bank-app page is logged',
    );
    run.stop();
    assert.equal(await run.done, 0);
  });

  it('SANDBOX_ALLOWED_HOSTS and SANDBOX_CALLBACK_ORIGINS widen the Host and callback rules', async (t) => {
    const receiver = await startReceiver('cli-secret');
    t.after(() => receiver.close());
    const other = await startReceiver('cli-secret');
    t.after(() => other.close());
    const run = runCommand({
      SANDBOX_PORT: '0',
      ECOMMPAY_PROJECT_ID: '4321',
      ECOMMPAY_SECRET_KEY: 'cli-secret',
      SANDBOX_CALLBACK_URL: receiver.callbackUrl,
      SANDBOX_ALLOWED_HOSTS: ' phone.local , 192.168.1.20:8090',
      SANDBOX_CALLBACK_ORIGINS: other.url,
    });
    const sandbox = await run.started;
    assert.match(
      run.lines.join('\n'),
      new RegExp(
        `Callback URLs: ${receiver.url} ${other.url} only \\(more: SANDBOX_CALLBACK_ORIGINS\\)`,
      ),
    );
    const hosted = await new Promise<number>((resolve, reject) => {
      const req = request(`${sandbox.url}/sandbox/payments`, { headers: { Host: 'phone.local' } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(hosted, 200);
    const sale = (id: string, url: string): Promise<{ status: number }> => {
      const body = saleBody(id, 4321);
      body.general.merchant_callback_url = url;
      return postJson(`${sandbox.url}/v2/payment/cup/qr/sale`, signed(body, 'cli-secret'));
    };
    assert.equal((await sale('cli-2', `${other.url}/cb`)).status, 200);
    assert.equal((await sale('cli-3', 'http://127.0.0.2:9/cb')).status, 400);
    run.stop();
    assert.equal(await run.done, 0);

    const any = runCommand({ SANDBOX_PORT: '0', SANDBOX_CALLBACK_ORIGINS: '*' });
    await any.started;
    assert.match(any.lines.join('\n'), /Callback URLs: any \(SANDBOX_CALLBACK_ORIGINS=\*\)/);
    any.stop();
    assert.equal(await any.done, 0);
  });

  it('refuses a wrong configuration with exit code 2; --help prints the usage', async () => {
    for (const [env, message] of [
      [{ SANDBOX_PORT: 'eighty' }, /SANDBOX_PORT/],
      [{ SANDBOX_PORT: '0', ECOMMPAY_PROJECT_ID: '-3' }, /ECOMMPAY_PROJECT_ID/],
      [{ SANDBOX_PORT: '0', SANDBOX_CALLBACK_URL: 'not a url' }, /SANDBOX_CALLBACK_URL/],
      [{ SANDBOX_PORT: '0', SANDBOX_QR_TIMEOUT: '0' }, /SANDBOX_QR_TIMEOUT/],
      [{ SANDBOX_PORT: '0', SANDBOX_QR_FORMAT: 'EMV' }, /SANDBOX_QR_FORMAT must be url or emv/],
      [{ SANDBOX_PORT: '0', SANDBOX_ALLOWED_HOSTS: 'http://phone.local' }, /SANDBOX_ALLOWED_HOSTS/],
      [
        { SANDBOX_PORT: '0', SANDBOX_CALLBACK_ORIGINS: 'localhost:3000' },
        /SANDBOX_CALLBACK_ORIGINS/,
      ],
      [
        { SANDBOX_PORT: '0', SANDBOX_CALLBACK_ORIGINS: '*,http://a.test' },
        /SANDBOX_CALLBACK_ORIGINS/,
      ],
    ] as const) {
      const lines: string[] = [];
      assert.equal(await sandboxCommand([], { ...env }, (line) => lines.push(line)), 2);
      assert.match(lines.join('\n'), message);
    }
    const lines: string[] = [];
    assert.equal(await sandboxCommand(['--help'], {}, (line) => lines.push(line)), 0);
    assert.match(lines.join('\n'), /SANDBOX_PORT/);
    assert.equal(await sandboxCommand(['--bogus'], {}, () => {}), 2);
  });
});

/** Starts a child, resolves with its output once a line matches `ready` (or it exits). */
/** Every child started, killed after the tests so that a failed assertion cannot hang the run. */
const children: ChildProcessWithoutNullStreams[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'pipe' });
  children.push(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

/**
 * Resolves with the sandbox URL once the child printed its whole banner (it ends with
 * "Press Ctrl-C to stop."), or `undefined` if it exited first.
 */
function listeningUrl(started: ReturnType<typeof startChild>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const check = (): void => {
      const match = /listening on (http:\/\/\S+)[\s\S]*Press Ctrl-C to stop\./.exec(
        started.output(),
      );
      if (match) resolve(match[1]);
    };
    started.child.stdout.on('data', check);
    void started.exited.then(() => resolve(undefined));
    check();
  });
}

describe('the sandbox as a process', () => {
  const env = (): NodeJS.ProcessEnv => {
    const copy: NodeJS.ProcessEnv = {
      ...process.env,
      SANDBOX_PORT: '0',
      ECOMMPAY_PROJECT_ID: '77',
    };
    delete copy.ECOMMPAY_SECRET_KEY;
    return copy;
  };

  it('runs until SIGTERM, then closes and exits 0', async () => {
    const script =
      "import { sandboxCommand } from './src/cli/commands/sandbox.js';" +
      'process.exitCode = await sandboxCommand([], process.env, (line) => console.log(line));';
    const started = startChild(['--import', 'tsx', '--input-type=module', '-e', script], env());
    const url = await listeningUrl(started);
    assert.ok(url, started.output());
    const payments = await fetch(`${url}/sandbox/payments`);
    assert.deepEqual(await payments.json(), []);
    started.child.kill('SIGTERM');
    assert.equal(await started.exited, 0, started.output());
    assert.match(started.output(), /Project: +77\n/);
    assert.match(started.output(), /ECommPay sandbox stopped\./);
  });

  it('npx cup-qr-checkout sandbox: starts, prints what it listens on and its project', async () => {
    const bin = fileURLToPath(new URL('../../../../bin/cup-qr-checkout.js', import.meta.url));
    const started = startChild([bin, 'sandbox'], env());
    const url = await listeningUrl(started);
    assert.ok(url, started.output());
    assert.match(started.output(), /Project: +77/);
    started.child.kill('SIGINT');
    assert.equal(await started.exited, 0, started.output());
  });
});
