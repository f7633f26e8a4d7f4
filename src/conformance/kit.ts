/**
 * What every clause works with: the backend's client, the kit's own sandbox (the backend's
 * Gate; its callbacks go to the backend), the project's id and key, payloads made with the
 * spec's algorithm, order references of this run (never reused, so a backend with a
 * database that outlives runs can be judged again), and the few steps most clauses share:
 * start a payment, wait for its state, post a callback, restart the backend.
 */
import type { Sandbox } from '../sandbox/types.js';
import { signCallback } from '../sandbox/callbacks.js';
import { randomBytes } from 'node:crypto';
import type { GateRecorder } from './gate-recorder.js';
import { callbackBody, type CallbackSpec } from './callbacks.js';
import { check, shown } from './clause.js';
import type { BackendClient } from './http.js';
import { described, type Answer } from './http.js';
import { orderBody, signBody } from './payload.js';

export interface CreatedPayment {
  paymentId: string;
  token: string;
  state: Record<string, unknown>;
}

export class Kit {
  readonly #run = `ck${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  #refs = 0;

  constructor(
    readonly client: BackendClient,
    readonly sandbox: Sandbox,
    /** Every request the backend sent to Gate. */
    readonly gate: GateRecorder,
    readonly projectId: number,
    readonly secretKey: string,
    readonly payloadKey: Buffer,
    /** Stops and starts the backend again; undefined without `--start`. */
    readonly restart: (() => Promise<void>) | undefined,
  ) {}

  /** A new order reference of this run (`ck…-tag-3`). */
  ref(tag: string): string {
    return `${this.#run}-${tag}-${++this.#refs}`.slice(0, 128);
  }

  /** The signed payload of {@link orderBody}`(ref, overrides)`. */
  payload(ref: string, overrides: Record<string, unknown> = {}): string {
    return signBody(orderBody(ref, overrides), this.payloadKey);
  }

  /** `POST /payments` with `body`. */
  postPayment(body: unknown, headers?: Record<string, string>): Promise<Answer> {
    return this.client.post('/payments', body, headers);
  }

  /** Starts a payment of `payload` (and `extra` body keys); fails the clause unless 201/200. */
  async start(payload: string, extra: Record<string, unknown> = {}): Promise<CreatedPayment> {
    const answer = await this.postPayment({ payload, ...extra });
    return createdOf(answer);
  }

  /**
   * Starts a Payment Page payment: nothing is sent to Gate, so it stays `pending` until the
   * kit's own callbacks move it.
   */
  async pendingPayment(tag: string): Promise<CreatedPayment> {
    return this.start(this.payload(this.ref(tag), { mode: 'payment-page' }));
  }

  /** `GET /payments/:id?token=`. */
  status(paymentId: string, token: string): Promise<Answer> {
    return this.client.get(
      `/payments/${encodeURIComponent(paymentId)}?token=${encodeURIComponent(token)}`,
    );
  }

  /** The payment's state now; fails the clause unless the status route answers 200. */
  async state(paymentId: string, token: string): Promise<Record<string, unknown>> {
    const answer = await this.status(paymentId, token);
    check(answer.status === 200, `GET /payments/:id answered ${described(answer)}`);
    return answer.json as Record<string, unknown>;
  }

  /**
   * Polls the payment's state until `predicate` holds (the platform's callbacks arrive when
   * they do); fails the clause after `timeoutMs` with the last state seen.
   */
  async waitFor(
    paymentId: string,
    token: string,
    predicate: (state: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let last: Record<string, unknown> | undefined;
    for (;;) {
      last = await this.state(paymentId, token);
      if (predicate(last)) return last;
      check(
        Date.now() < deadline,
        `waited ${timeoutMs / 1000} s for ${what}; last state ${shown(last)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Posts `body` to the callback route as ECommPay does. */
  postCallback(body: unknown): Promise<Answer> {
    return this.client.post('/callback', typeof body === 'string' ? body : JSON.stringify(body), {
      'Content-Type': 'application/json',
    });
  }

  /** A signed callback of this project (the spec's defaults filled in). */
  callback(
    spec: Omit<CallbackSpec, 'projectId'> & { projectId?: number },
  ): Record<string, unknown> {
    return signCallback(callbackBody({ projectId: this.projectId, ...spec }), this.secretKey);
  }

  /** Posts a signed callback; fails the clause unless it is answered 200. */
  async sendCallback(
    spec: Omit<CallbackSpec, 'projectId'> & { projectId?: number },
  ): Promise<void> {
    const answer = await this.postCallback(this.callback(spec));
    check(
      answer.status === 200,
      `a signed callback (${spec.status}) was answered ${described(answer)}`,
    );
  }
}

/** The created payment of a `POST /payments` answer; fails the clause unless 201/200. */
export function createdOf(answer: Answer): CreatedPayment {
  check(
    answer.status === 201 || answer.status === 200,
    () => `POST /payments answered ${described(answer)} ${shown(answer.json ?? answer.text, 200)}`,
  );
  const body = answer.json as Partial<CreatedPayment> | undefined;
  check(
    typeof body?.paymentId === 'string' &&
      typeof body.token === 'string' &&
      typeof body.state === 'object' &&
      body.state !== null,
    `POST /payments answered ${shown(answer.json)}, not {paymentId, token, state}`,
  );
  return body as CreatedPayment;
}
