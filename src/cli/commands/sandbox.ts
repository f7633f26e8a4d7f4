/**
 * `cup-qr-checkout sandbox`: runs the ECommPay emulator until SIGINT or SIGTERM.
 *
 * ```text
 * Usage: cup-qr-checkout sandbox
 *
 * Runs the offline ECommPay platform for CUP QR: Gate (POST /v2/payment/cup/qr/sale,
 * POST /v2/payment/status), the Payment Page (GET /payment?…&signature=…), the bank-app page
 * each QR code opens, and a control API under /sandbox/. Stops on Ctrl-C (SIGINT) or SIGTERM.
 *
 * Environment:
 *   SANDBOX_PORT          port to listen on (default 8090; 0 picks a free one)
 *   SANDBOX_HOST          address to listen on (default 127.0.0.1)
 *   ECOMMPAY_PROJECT_ID   the project id (default 1, a demo project)
 *   ECOMMPAY_SECRET_KEY   the project's secret key (default "sandbox-secret-key", a demo key)
 *   SANDBOX_CALLBACK_URL  where callbacks go (default http://127.0.0.1:8080/cup-qr/callback)
 *   SANDBOX_QR_TIMEOUT    "QR Code Timeout" in seconds (default 600)
 *   SANDBOX_QR_FORMAT     what qr_data carries: url (the bank-app page, default) or emv (an
 *                         EMVCo payload, as QR payment providers send; it opens nothing)
 *   SANDBOX_PUBLIC_URL    base URL put in QR codes when phones reach the sandbox by another name
 *   SANDBOX_ALLOWED_HOSTS more host names it answers, comma-separated (phone.local,192.168.1.20)
 *   SANDBOX_CALLBACK_ORIGINS  more origins a sale's merchant_callback_url may name, comma-separated
 *                         (http://localhost:3000); * for any
 * ```
 */
import { DEMO_SECRET_KEY } from '../../ecommpay/keys.js';
import { callbackOrigin } from '../../sandbox/callback-url.js';
import { isAllowedHostEntry } from '../../sandbox/guard.js';
import type { Sandbox, SandboxQrFormat } from '../../sandbox/types.js';
import { DEFAULT_PORT, QR_FORMATS, startSandbox } from '../../sandbox/server.js';

export const DEMO_PROJECT_ID = 1;
// Its home is the toolkit's key rule, which refuses it with the real Gate.
export { DEMO_SECRET_KEY };
export const DEFAULT_CALLBACK_URL = 'http://127.0.0.1:8080/cup-qr/callback';

export const SANDBOX_USAGE = `Usage: cup-qr-checkout sandbox

Runs the offline ECommPay platform for CUP QR: Gate (POST /v2/payment/cup/qr/sale,
POST /v2/payment/status), the Payment Page (GET /payment?...&signature=...), the bank-app
page each QR code opens, and a control API under /sandbox/. Stops on Ctrl-C or SIGTERM.

Environment:
  SANDBOX_PORT          port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  SANDBOX_HOST          address to listen on (default 127.0.0.1)
  ECOMMPAY_PROJECT_ID   the project id (default ${DEMO_PROJECT_ID}, a demo project)
  ECOMMPAY_SECRET_KEY   the project's secret key (default "${DEMO_SECRET_KEY}", a demo key)
  SANDBOX_CALLBACK_URL  where callbacks go (default ${DEFAULT_CALLBACK_URL})
  SANDBOX_QR_TIMEOUT    "QR Code Timeout" in seconds (default 600)
  SANDBOX_QR_FORMAT     what qr_data carries: url (the bank-app page, default) or emv (an
                        EMVCo payload, as QR payment providers send; it opens nothing)
  SANDBOX_PUBLIC_URL    base URL put in QR codes when phones reach the sandbox by another name
  SANDBOX_ALLOWED_HOSTS more host names it answers, comma-separated (phone.local,192.168.1.20);
                        besides 127.0.0.1, localhost, [::1] and SANDBOX_PUBLIC_URL's host
  SANDBOX_CALLBACK_ORIGINS
                        more origins a sale's merchant_callback_url may name, comma-separated
                        (http://localhost:3000), besides SANDBOX_CALLBACK_URL's; * for any
`;

export interface SandboxCommandOptions {
  /** Stops the sandbox when aborted (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
  /** Called once the sandbox listens. */
  onReady?: (sandbox: Sandbox) => void;
  /** Where refusals go (a wrong setting, a port in use); default `out`. */
  err?: (line: string) => void;
}

/**
 * Runs the sandbox from the environment; resolves with the exit code once it has stopped
 * (0), or at once with 2 when the configuration is wrong (`out` says why).
 */
export async function sandboxCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  options: SandboxCommandOptions = {},
): Promise<number> {
  const err = options.err ?? out;
  if (args.includes('--help') || args.includes('-h')) {
    out(SANDBOX_USAGE);
    return 0;
  }
  if (args.length > 0) {
    err(
      `cup-qr-checkout sandbox: unexpected argument ${JSON.stringify(args[0])}\n\n${SANDBOX_USAGE}`,
    );
    return 2;
  }
  const config = readConfig(env);
  if (!config.ok) {
    err(`cup-qr-checkout sandbox: ${config.message}`);
    return 2;
  }
  const {
    port,
    host,
    projectId,
    secretKey,
    callbackUrl,
    callbackOrigins,
    qrTimeoutSeconds,
    qrFormat,
    publicUrl,
    allowedHosts,
    demo,
  } = config.value;

  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port,
      host,
      projects: [
        {
          id: projectId,
          secretKey,
          callbackUrl,
          qrFormat,
          ...(callbackOrigins === '*'
            ? { allowAnyCallbackUrl: true }
            : { callbackOrigins: [...callbackOrigins] }),
        },
      ],
      qrTimeoutSeconds,
      ...(publicUrl ? { publicUrl } : {}),
      allowedHosts: [...allowedHosts],
      log: (line) => out(`[sandbox] ${line}`),
    });
  } catch (error) {
    err(`cup-qr-checkout sandbox: cannot start: ${(error as Error).message}`);
    return 2;
  }

  // Listen for Ctrl-C before the banner says it works: a signal that came between the two
  // would kill the process without closing the sandbox.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
  out(`ECommPay sandbox listening on ${sandbox.url}`);
  out(`  Gate:          ${sandbox.url}/v2/payment/cup/qr/sale`);
  out(`  Payment Page:  ${sandbox.url}/payment   (merchant.js: ${sandbox.url}/shared/merchant.js)`);
  out(`  Control API:   ${sandbox.url}/sandbox/payments`);
  out(
    `  Project:       ${projectId}${demo.projectId ? ' (demo default: set ECOMMPAY_PROJECT_ID)' : ''}`,
  );
  out(
    `  Secret key:    ${demo.secretKey ? `"${DEMO_SECRET_KEY}" (demo default: set ECOMMPAY_SECRET_KEY)` : 'from ECOMMPAY_SECRET_KEY'}`,
  );
  out(`  Callbacks to:  ${callbackUrl}`);
  out(
    `  Callback URLs: ${
      callbackOrigins === '*'
        ? 'any (SANDBOX_CALLBACK_ORIGINS=*)'
        : [new URL(callbackUrl).origin, ...callbackOrigins].join(' ') +
          ' only (more: SANDBOX_CALLBACK_ORIGINS)'
    }`,
  );
  out(`  QR timeout:    ${qrTimeoutSeconds} s`);
  out(
    `  QR codes:      ${qrFormat === 'emv' ? "EMVCo payloads (each payment's bank-app page is in its log line)" : 'the bank-app page URL'}`,
  );
  for (const line of shopSettings(sandbox.url, projectId, demo.secretKey, callbackUrl)) out(line);
  out('Press Ctrl-C to stop.');
  options.onReady?.(sandbox);

  await stopped;
  await sandbox.close();
  out('ECommPay sandbox stopped.');
  return 0;
}

/** The toolkit's default route prefix: callbacks reach `{PUBLIC_URL}/cup-qr/callback`. */
const CALLBACK_PATH = '/cup-qr/callback';

/**
 * What the shop sets to pay against this sandbox, the variables the README's server reads, on
 * one line to copy before its command: the Gate URL (a wildcard listening address written as
 * 127.0.0.1, which the key rule counts as this machine), the project, the key (the demo key
 * as it is; a key of one's own by the variable's name, never its value) and the shop's public
 * URL, so that its callbacks land where this sandbox posts them.
 */
export function shopSettings(
  sandboxUrl: string,
  projectId: number,
  demoKey: boolean,
  callbackUrl: string,
): string[] {
  const gate = new URL(sandboxUrl);
  if (gate.hostname === '0.0.0.0' || gate.hostname === '[::]') gate.hostname = '127.0.0.1';
  const callback = new URL(callbackUrl);
  const path = callback.pathname.replace(/\/+$/, '');
  const publicUrl = path.endsWith(CALLBACK_PATH)
    ? `${callback.origin}${path.slice(0, -CALLBACK_PATH.length)}`
    : undefined;
  const settings = [
    `ECOMMPAY_GATE_URL=${gate.origin}`,
    `ECOMMPAY_PROJECT_ID=${projectId}`,
    `ECOMMPAY_SECRET_KEY=${demoKey ? DEMO_SECRET_KEY : '"$ECOMMPAY_SECRET_KEY"'}`,
    ...(publicUrl !== undefined ? [`PUBLIC_URL=${publicUrl}`] : []),
  ];
  return [
    "The shop's settings for this sandbox (the README's server reads them):",
    `  ${settings.join(' ')}`,
    ...(publicUrl === undefined
      ? [
          `  and a publicUrl and prefix that make the toolkit's callback URL ${callbackUrl} (or set SANDBOX_CALLBACK_URL to {PUBLIC_URL}${CALLBACK_PATH})`,
        ]
      : []),
  ];
}

interface Config {
  port: number;
  host: string;
  projectId: number;
  secretKey: string;
  callbackUrl: string;
  /** Origins beside `callbackUrl`'s, or `*` for any. */
  callbackOrigins: readonly string[] | '*';
  qrTimeoutSeconds: number;
  qrFormat: SandboxQrFormat;
  publicUrl?: string;
  allowedHosts: readonly string[];
  /** Which values are the demo defaults, to say so. */
  demo: { projectId: boolean; secretKey: boolean };
}

function readConfig(
  env: NodeJS.ProcessEnv,
): { ok: true; value: Config } | { ok: false; message: string } {
  const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
  const whole = (name: string, fallback: number, min: number, max: number): number | undefined => {
    const text = env[name]?.trim();
    if (!text) return fallback;
    if (!/^\d+$/.test(text)) return undefined;
    const value = Number(text);
    return value >= min && value <= max ? value : undefined;
  };
  const port = whole('SANDBOX_PORT', DEFAULT_PORT, 0, 65535);
  if (port === undefined)
    return fail(
      `SANDBOX_PORT must be a port number 0-65535 (got ${JSON.stringify(env.SANDBOX_PORT)})`,
    );
  const projectId = whole('ECOMMPAY_PROJECT_ID', DEMO_PROJECT_ID, 1, Number.MAX_SAFE_INTEGER);
  if (projectId === undefined) {
    return fail(
      `ECOMMPAY_PROJECT_ID must be a positive integer (got ${JSON.stringify(env.ECOMMPAY_PROJECT_ID)})`,
    );
  }
  const qrTimeoutSeconds = whole('SANDBOX_QR_TIMEOUT', 600, 1, 86_400);
  if (qrTimeoutSeconds === undefined) {
    return fail(
      `SANDBOX_QR_TIMEOUT must be seconds from 1 to 86400 (got ${JSON.stringify(env.SANDBOX_QR_TIMEOUT)})`,
    );
  }
  const qrFormat = (env.SANDBOX_QR_FORMAT?.trim() || 'url') as SandboxQrFormat;
  if (!QR_FORMATS.includes(qrFormat)) {
    return fail(
      `SANDBOX_QR_FORMAT must be ${QR_FORMATS.join(' or ')} (got ${JSON.stringify(qrFormat)})`,
    );
  }
  const callbackUrl = env.SANDBOX_CALLBACK_URL?.trim() || DEFAULT_CALLBACK_URL;
  if (!/^https?:\/\//.test(callbackUrl) || !URL.canParse(callbackUrl)) {
    return fail(`SANDBOX_CALLBACK_URL must be an http(s) URL (got ${JSON.stringify(callbackUrl)})`);
  }
  const publicUrl = env.SANDBOX_PUBLIC_URL?.trim() || undefined;
  const list = (name: string): string[] =>
    (env[name] ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
  const allowedHosts = list('SANDBOX_ALLOWED_HOSTS');
  const badHost = allowedHosts.find((entry) => !isAllowedHostEntry(entry));
  if (badHost !== undefined) {
    return fail(
      `SANDBOX_ALLOWED_HOSTS lists host names, comma-separated (phone.local,192.168.1.20:8090); ${JSON.stringify(badHost)} is not one`,
    );
  }
  const origins = list('SANDBOX_CALLBACK_ORIGINS');
  const badOrigin = origins.find((entry) => callbackOrigin(entry) === undefined);
  if (badOrigin !== undefined && !(origins.length === 1 && badOrigin === '*')) {
    return fail(
      `SANDBOX_CALLBACK_ORIGINS lists origins, comma-separated (http://localhost:3000), or is * for any; ${JSON.stringify(badOrigin)} is not an origin`,
    );
  }
  return {
    ok: true,
    value: {
      port,
      host: env.SANDBOX_HOST?.trim() || '127.0.0.1',
      projectId,
      secretKey: env.ECOMMPAY_SECRET_KEY || DEMO_SECRET_KEY,
      callbackUrl,
      callbackOrigins: origins.length === 1 && origins[0] === '*' ? '*' : origins,
      qrTimeoutSeconds,
      qrFormat,
      ...(publicUrl ? { publicUrl } : {}),
      allowedHosts,
      demo: { projectId: !env.ECOMMPAY_PROJECT_ID?.trim(), secretKey: !env.ECOMMPAY_SECRET_KEY },
    },
  };
}
