/**
 * Callback delivery as the platform does it (PROTOCOL.md §3): an HTTP POST of the JSON; only
 * HTTP 200 counts as delivered; anything else (another status, a refused connection, a
 * timeout) is retried after backing-off waits, then given up: a compressed schedule for tests
 * by default, or ECommPay's own ({@link ECOMMPAY_RETRY_DELAYS_MS}, scaled by `timeScale`).
 * Every attempt goes into the delivery log. `settled()` tells when nothing is in flight or
 * scheduled, so tests await it instead of sleeping.
 */
import { request as httpRequest } from 'node:http';
import type { ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from './clock.js';
import { ClockClosedError } from './clock.js';
import type { DeliveryAttempt } from './types.js';

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [100, 200, 400, 800, 1600, 3200];

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/**
 * ECommPay's retry schedule, in platform milliseconds, one entry per retry: "6 times every
 * 10 s, then growing periods up to every 4 hours, at most 120 attempts within 11 days", as
 * older notes say (no ECommPay page confirming it was found: PROTOCOL.md §3). How the periods
 * grow is not said; the sandbox doubles them from 20 s. The 11 days end it before 120
 * attempts: 81 attempts in all, the last one about 10 days 22 hours after the first.
 */
export const ECOMMPAY_RETRY_DELAYS_MS: readonly number[] = ecommpaySchedule();

function ecommpaySchedule(): number[] {
  const maxAttempts = 120;
  const window = 11 * 24 * HOUR;
  const delays: number[] = Array.from({ length: 6 }, () => 10 * SECOND);
  let elapsed = delays.reduce((sum, ms) => sum + ms, 0);
  for (let wait = 20 * SECOND; delays.length + 1 < maxAttempts; wait *= 2) {
    const next = Math.min(wait, 4 * HOUR);
    if (elapsed + next > window) break;
    delays.push(next);
    elapsed += next;
  }
  return delays;
}
export const DEFAULT_DELIVERY_TIMEOUT_MS = 5000;

/** One callback to deliver (or one duplicate of it). */
export interface DeliveryJob {
  projectId: number;
  paymentId: string;
  /** `undefined`: no callback URL is configured; logged as a failed attempt, not retried. */
  url: string | undefined;
  body: Record<string, unknown>;
  /** Real milliseconds before the first attempt. */
  delayMs: number;
  /** The first attempt waits for this (the previous callback's first attempt). */
  after?: Promise<void>;
  /**
   * The body of each attempt, when it may differ from `body` (the `corruptSignature` fault is
   * read at every attempt, so lifting it lets the retries of a refused callback through).
   */
  bodyFor?: () => Record<string, unknown>;
  /** The first N attempts fail on the platform side (the `failDeliveries` fault). */
  failFirst: number;
  failMode: 'unreachable' | 'answer-lost';
  /** Called with each attempt, as it is logged. */
  onAttempt: (attempt: DeliveryAttempt) => void;
}

interface Outcome {
  httpStatus?: number;
  error?: string;
}

export class Deliverer {
  readonly #attempts: DeliveryAttempt[] = [];
  readonly #inFlight = new Set<ClientRequest>();
  #pending = 0;
  #waiters: (() => void)[] = [];
  #nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly retryDelaysMs: readonly number[],
    private readonly timeoutMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Every attempt so far, oldest first (copies). */
  attempts(): DeliveryAttempt[] {
    return this.#attempts.map((attempt) => ({ ...attempt }));
  }

  /**
   * Starts delivering `job` in the background. The promise resolves after its first attempt
   * (whatever its outcome), so the next callback of the same payment can queue behind it.
   */
  deliver(job: DeliveryJob): Promise<void> {
    const deliveryId = this.#nextId++;
    this.#pending++;
    let firstDone!: () => void;
    const first = new Promise<void>((resolve) => (firstDone = resolve));
    void this.#run(job, deliveryId, firstDone).finally(() => {
      firstDone();
      this.#pending--;
      if (this.#pending === 0) this.#wake();
    });
    return first;
  }

  /** Resolves when no delivery is in flight or waiting for a retry. */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Aborts the requests in flight; the clock's close cancels the waits. */
  close(): void {
    for (const request of this.#inFlight) request.destroy(new ClockClosedError());
    this.#inFlight.clear();
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #run(job: DeliveryJob, deliveryId: number, firstDone: () => void): Promise<void> {
    try {
      if (job.after) await job.after;
      await this.clock.sleep(job.delayMs);
      const status = String((job.body.payment as { status?: unknown } | undefined)?.status);
      const maxAttempts = this.retryDelaysMs.length + 1;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        if (this.clock.closed) return;
        const started = Date.now();
        const simulated = attempt <= job.failFirst ? job.failMode : undefined;
        const outcome = await this.#attempt(job, simulated);
        if (this.clock.closed) return;
        const delivered = outcome.httpStatus === 200 && simulated === undefined;
        const canRetry = job.url !== undefined && attempt < maxAttempts;
        const record: DeliveryAttempt = {
          projectId: job.projectId,
          paymentId: job.paymentId,
          deliveryId,
          callbackStatus: status,
          attempt,
          url: job.url ?? '',
          at: new Date(started).toISOString(),
          durationMs: Date.now() - started,
          ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
          ...(delivered ? {} : { error: failure(outcome, simulated) }),
          delivered,
          ...(simulated ? { simulated } : {}),
          ...(!delivered && canRetry ? { retryInMs: this.retryDelaysMs[attempt - 1] } : {}),
          ...(!delivered && !canRetry ? { gaveUp: true } : {}),
        };
        this.#attempts.push(record);
        job.onAttempt({ ...record });
        this.log(
          `callback ${status} of ${job.projectId}/${job.paymentId} -> ${job.url ?? '(no URL)'}: ` +
            `attempt ${attempt} ${delivered ? 'delivered' : `failed (${record.error})`}` +
            (record.gaveUp ? ', giving up' : ''),
        );
        if (attempt === 1) firstDone();
        if (delivered || !canRetry) return;
        await this.clock.sleep(this.retryDelaysMs[attempt - 1]);
      }
    } catch (error) {
      // Closing ends a delivery; anything else (a throwing log function) must not become an
      // unhandled rejection that kills the merchant's test run: it ends this delivery only.
      if (!(error instanceof ClockClosedError)) {
        try {
          this.log(
            `delivery ${deliveryId} stopped by an error: ${(error as Error)?.stack ?? error}`,
          );
        } catch {
          // The log itself is what failed.
        }
      }
    }
  }

  /** One POST; never throws: a failure is an outcome. */
  #attempt(job: DeliveryJob, simulated: DeliveryJob['failMode'] | undefined): Promise<Outcome> {
    if (job.url === undefined) {
      return Promise.resolve({
        error: 'no callback URL: neither the project nor the request has one',
      });
    }
    if (simulated === 'unreachable') return Promise.resolve({});
    const url = new URL(job.url);
    const payload = Buffer.from(JSON.stringify(job.bodyFor?.() ?? job.body), 'utf8');
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const request = send(url, {
        method: 'POST',
        // A fresh connection each time: nothing stays open for `close()` to chase.
        agent: false,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': payload.length,
          'User-Agent': 'cup-qr-checkout-sandbox',
        },
      });
      this.#inFlight.add(request);
      const done = (outcome: Outcome): void => {
        this.#inFlight.delete(request);
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      request.on('response', (response) => {
        // Drain the answer: only its status matters.
        response.resume();
        response.on('end', () => done({ httpStatus: response.statusCode }));
        response.on('error', (error) => done({ error: error.message }));
      });
      request.on('error', (error) => done({ error: error.message }));
      request.end(payload);
    });
  }
}

function failure(outcome: Outcome, simulated: DeliveryJob['failMode'] | undefined): string {
  if (simulated === 'unreachable') return 'simulated: connection refused (fault failDeliveries)';
  if (simulated === 'answer-lost') {
    return `simulated: the merchant's answer${outcome.httpStatus !== undefined ? ` (HTTP ${outcome.httpStatus})` : ''} was lost (fault failDeliveries)`;
  }
  if (outcome.error !== undefined) return outcome.error;
  return `HTTP ${outcome.httpStatus}: only 200 counts as delivered`;
}
