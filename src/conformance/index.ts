/**
 * The conformance kit (`cup-qr-checkout conformance`): docs/wire-protocol.md as clauses run
 * against a backend in any language. It starts its own sandbox (the backend's Gate; the
 * sandbox's callbacks go to the backend), optionally the backend itself (`start`, so that it
 * can restart it), runs every clause (independent ones concurrently, the restart clauses last
 * and alone) and reports one {@link ClauseResult} per clause, in the clauses' order.
 *
 * It never imports src/server: it judges the toolkit as it judges any other backend.
 */
import { randomBytes } from 'node:crypto';
import { startSandbox } from '../sandbox/server.js';
import type { Sandbox } from '../sandbox/types.js';
import { BackendProcess, freePort } from './backend.js';
import { GateRecorder } from './gate-recorder.js';
import { ClauseFailure, type Clause, type ClauseResult } from './clause.js';
import { CLAUSES } from './clauses/index.js';
import { BackendClient } from './http.js';
import { Kit } from './kit.js';
import { payloadKey } from './payload.js';

export { CLAUSES };
export type { Clause, ClauseResult };
export { formatResult, formatSummary, summarize, type Summary } from './clause.js';

export interface ConformanceOptions {
  /** The backend's base URL (`http://127.0.0.1:8080`); with `start`, default `http://127.0.0.1:{port}`. */
  url?: string;
  /** The routes' prefix, the element's `endpoint`; default `/cup-qr`. */
  prefix?: string;
  /** The ECommPay project id the backend is configured with; default 1. */
  projectId?: number;
  /** The project's secret key; with `start` and none given, a random one. */
  secretKey?: string;
  /** The backend's own payload key (UTF-8), when it does not derive it from the secret key. */
  payloadKey?: string;
  /**
   * The port of the kit's Gate (its sandbox, through a recorder), which the backend's Gate URL
   * names; default 0 (a free one) with `start`, else 8090.
   */
  sandboxPort?: number;
  /** A shell command that starts the backend (`PORT`, `ECOMMPAY_GATE_URL`… in its environment). */
  start?: string;
  /** The backend's port with `start`; default a free one. */
  port?: number;
  /** Only the clauses whose section or name contains one of these (case-insensitive). */
  only?: readonly string[];
  /** Clauses run at once; default 6. */
  concurrency?: number;
  /** How long one clause may take; default 60 s. */
  clauseTimeoutMs?: number;
  /** How long a start of the backend may take; default 60 s. */
  startTimeoutMs?: number;
}

export const DEFAULT_SANDBOX_PORT = 8090;

function selected(clause: Clause, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  const text = `${clause.section} ${clause.name}`.toLowerCase();
  return only.some((word) => text.includes(word.toLowerCase()));
}

async function runClause(clause: Clause, kit: Kit, timeoutMs: number): Promise<ClauseResult> {
  const started = performance.now();
  const result = (verdict: ClauseResult['verdict'], detail?: string): ClauseResult => ({
    verdict,
    section: clause.section,
    clause: clause.name,
    ...(detail ? { detail } : {}),
    ms: Math.round(performance.now() - started),
  });
  if (clause.needs === 'start' && !kit.restart) return result('skip', 'skipped: no --start');
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      clause.run(kit),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new ClauseFailure(`no verdict within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    return result('ok');
  } catch (error) {
    if (error instanceof ClauseFailure) return result('FAIL', error.message);
    const cause = (error as Error)?.cause as Error | undefined;
    return result(
      'FAIL',
      `${(error as Error)?.message ?? String(error)}${cause?.message ? ` (${cause.message})` : ''}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the kit. `onResult` hears each verdict in the clauses' order as soon as it and every
 * clause before it are done; the promise resolves with all of them.
 *
 * @throws Error when the sandbox or the backend cannot be started.
 */
export async function runConformance(
  options: ConformanceOptions,
  onResult: (result: ClauseResult) => void = () => {},
): Promise<ClauseResult[]> {
  const prefix = (options.prefix ?? '/cup-qr').replace(/\/+$/, '');
  const projectId = options.projectId ?? 1;
  const secretKey =
    options.secretKey ?? (options.start ? `conformance-${randomBytes(16).toString('hex')}` : '');
  if (!secretKey)
    throw new Error('the secret key is required (--secret-key or ECOMMPAY_SECRET_KEY)');
  const port = options.start ? (options.port ?? (await freePort())) : undefined;
  const baseUrl = (options.url ?? (port ? `http://127.0.0.1:${port}` : '')).replace(/\/+$/, '');
  if (!baseUrl) throw new Error('the backend URL is required (--url), or --start to start one');
  const client = new BackendClient(baseUrl, prefix);

  const sandbox: Sandbox = await startSandbox({
    port: 0,
    projects: [
      { id: projectId, secretKey, callbackUrl: client.url('/callback'), allowAnyCallbackUrl: true },
    ],
  });
  const gate = new GateRecorder(sandbox.url);
  let backend: BackendProcess | undefined;
  try {
    await gate.start(options.sandboxPort ?? (options.start ? 0 : DEFAULT_SANDBOX_PORT));
    if (options.start) {
      backend = new BackendProcess({
        command: options.start,
        env: {
          ECOMMPAY_GATE_URL: gate.url,
          ECOMMPAY_PAYMENT_PAGE_URL: `${gate.url}/payment`,
          ECOMMPAY_PROJECT_ID: String(projectId),
          ECOMMPAY_SECRET_KEY: secretKey,
          PUBLIC_URL: baseUrl,
          PORT: String(port),
        },
        readyUrl: client.url('/payments'),
        ...(options.startTimeoutMs ? { startTimeoutMs: options.startTimeoutMs } : {}),
      });
      await backend.start();
    }
    const started = backend;
    const kit = new Kit(
      client,
      sandbox,
      gate,
      projectId,
      secretKey,
      payloadKey(secretKey, options.payloadKey),
      started ? () => started.restart() : undefined,
    );
    const clauses = CLAUSES.filter((clause) => selected(clause, options.only));
    const results: (ClauseResult | undefined)[] = clauses.map(() => undefined);
    let reported = 0;
    const settle = (index: number, result: ClauseResult): void => {
      results[index] = result;
      while (reported < results.length && results[reported]) onResult(results[reported++]!);
    };
    const timeoutMs = options.clauseTimeoutMs ?? 60_000;
    // The restart clauses stop the backend: they run after every other clause, one at a time.
    const parallel = clauses
      .map((clause, index) => ({ clause, index }))
      .filter((c) => c.clause.needs !== 'start');
    const serial = clauses
      .map((clause, index) => ({ clause, index }))
      .filter((c) => c.clause.needs === 'start');
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < parallel.length) {
        const { clause, index } = parallel[next++]!;
        settle(index, await runClause(clause, kit, timeoutMs));
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 6 }, worker));
    for (const { clause, index } of serial) settle(index, await runClause(clause, kit, timeoutMs));
    return results as ClauseResult[];
  } finally {
    await backend?.stop();
    await gate.close();
    await sandbox.close();
  }
}
