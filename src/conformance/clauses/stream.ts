/**
 * The SSE stream and the status JSON (docs/wire-protocol.md "GET …/events", "GET
 * {prefix}/payments/:id", "The payment state"): headers, `retry:` first, the current state as
 * `id: <seq>` / `event: status`, replay from `Last-Event-ID`, heartbeats, the end after a final
 * state and `204` after it; the state as the element's parser reads it, seconds left rounded up.
 */
import { parsePaymentState } from '../../wire/payment-state.js';
import type { Clause } from '../clause.js';
import { check, checkEqual, shown } from '../clause.js';
import { checkJsonHeaders } from '../http.js';
import type { CreatedPayment, Kit } from '../kit.js';
import { openSse, type SseBlock } from '../sse-client.js';

const SSE = 'SSE';

const eventsUrl = (kit: Kit, created: CreatedPayment): string =>
  kit.client.url(
    `/payments/${encodeURIComponent(created.paymentId)}/events?token=${encodeURIComponent(created.token)}`,
  );

function checkStatusEvent(
  block: SseBlock | string,
  seq: number,
  status?: string,
): Record<string, unknown> {
  check(typeof block !== 'string', `expected a status event with seq ${seq}, got ${String(block)}`);
  checkEqual(block.event, 'status', 'event:');
  checkEqual(block.id, String(seq), 'id:');
  let data: unknown;
  try {
    data = JSON.parse(block.data ?? '');
  } catch {
    check(false, `data: is not JSON: ${shown(block.data)}`);
  }
  const parsed = parsePaymentState(data);
  check(parsed.ok, () => `data: is not a PaymentState: ${shown(!parsed.ok && parsed.problems)}`);
  checkEqual(parsed.value.seq, seq, 'data.seq');
  if (status) checkEqual(parsed.value.status, status, 'data.status');
  return data as Record<string, unknown>;
}

const QR = { data: 'https://qr.conformance.example/stream', timeoutSeconds: 600 };

export const STREAM_CLAUSES: Clause[] = [
  {
    section: SSE,
    name: 'headers: text/event-stream; charset=utf-8, Cache-Control no-cache, no-transform',
    async run(kit) {
      const created = await kit.pendingPayment('sse-headers');
      const stream = await openSse(eventsUrl(kit, created));
      try {
        checkEqual(stream.status, 200, 'status');
        check(
          /^text\/event-stream;\s*charset=utf-8$/i.test(stream.headers.get('content-type') ?? ''),
          `Content-Type ${shown(stream.headers.get('content-type'))}`,
        );
        const cache = stream.headers.get('cache-control') ?? '';
        check(
          /no-cache/.test(cache) && /no-transform/.test(cache),
          `Cache-Control ${shown(cache)}`,
        );
      } finally {
        stream.close();
      }
    },
  },
  {
    section: SSE,
    name: 'retry: first, then the current state (id: = seq, event: status), then each change',
    async run(kit) {
      const created = await kit.pendingPayment('sse-order');
      const stream = await openSse(eventsUrl(kit, created));
      try {
        const first = await stream.next(10_000);
        check(
          typeof first !== 'string' && first.retry !== undefined && /^\d+$/.test(first.retry),
          `the first block is ${shown(first)}, not retry: <ms>`,
        );
        checkStatusEvent(await stream.nextEvent(10_000), 0, 'pending');
        await kit.sendCallback({
          paymentId: created.paymentId,
          status: 'awaiting customer action',
          qr: QR,
        });
        const data = checkStatusEvent(await stream.nextEvent(10_000), 1, 'awaiting-customer');
        checkEqual((data.qr as { data?: unknown } | undefined)?.data, QR.data, 'qr.data');
      } finally {
        stream.close();
      }
    },
  },
  {
    section: SSE,
    name: 'Last-Event-ID equal to the current seq: no replay; below it: the current state again',
    async run(kit) {
      const created = await kit.pendingPayment('sse-replay');
      await kit.sendCallback({
        paymentId: created.paymentId,
        status: 'awaiting customer action',
        qr: QR,
      });
      await kit.waitFor(created.paymentId, created.token, (s) => s.seq === 1, 'seq 1');
      const caught = await openSse(eventsUrl(kit, created), { 'Last-Event-ID': '1' });
      const behind = await openSse(eventsUrl(kit, created), { 'Last-Event-ID': '0' });
      try {
        checkStatusEvent(await behind.nextEvent(10_000), 1, 'awaiting-customer');
        await kit.sendCallback({ paymentId: created.paymentId, status: 'success' });
        // The caught-up stream's first event is the change, not a replay of seq 1.
        checkStatusEvent(await caught.nextEvent(10_000), 2, 'success');
      } finally {
        caught.close();
        behind.close();
      }
    },
  },
  {
    section: SSE,
    name: 'a final state ends the stream; Last-Event-ID >= its seq answers 204',
    async run(kit) {
      const created = await kit.pendingPayment('sse-final');
      const stream = await openSse(eventsUrl(kit, created));
      try {
        checkStatusEvent(await stream.nextEvent(10_000), 0, 'pending');
        await kit.sendCallback({ paymentId: created.paymentId, status: 'decline' });
        checkStatusEvent(await stream.nextEvent(10_000), 1, 'decline');
        const end = await stream.nextEvent(10_000);
        check(end === 'end', `the stream went on after the final state: ${shown(end)}`);
      } finally {
        stream.close();
      }
      const again = await openSse(eventsUrl(kit, created), { 'Last-Event-ID': '1' });
      again.close();
      checkEqual(again.status, 204, 'a reconnect after the final state');
      const fresh = await openSse(eventsUrl(kit, created));
      try {
        checkStatusEvent(await fresh.nextEvent(10_000), 1, 'decline');
      } finally {
        fresh.close();
      }
    },
  },
  {
    section: SSE,
    name: 'a : comment (heartbeat) at least every 15 s',
    async run(kit) {
      const created = await kit.pendingPayment('sse-ping');
      const stream = await openSse(eventsUrl(kit, created));
      try {
        const deadline = Date.now() + 17_000;
        for (;;) {
          const block = await stream.next(Math.max(0, deadline - Date.now()));
          check(typeof block !== 'string', `no comment line within 15 s (${String(block)})`);
          if (block.comments.length > 0) break;
        }
      } finally {
        stream.close();
      }
    },
  },
  {
    section: 'GET /payments/:id',
    name: "the status is 200 JSON a PaymentState (the element's parser), with the JSON headers",
    async run(kit) {
      const created = await kit.pendingPayment('status');
      const answer = await kit.status(created.paymentId, created.token);
      checkEqual(answer.status, 200, 'status');
      checkJsonHeaders(answer);
      const parsed = parsePaymentState(answer.json);
      check(parsed.ok, () => `not a PaymentState: ${shown(!parsed.ok && parsed.problems)}`);
      checkEqual(
        {
          paymentId: parsed.value.paymentId,
          status: parsed.value.status,
          seq: parsed.value.seq,
          amount: parsed.value.amount,
          currency: parsed.value.currency,
        },
        { paymentId: created.paymentId, status: 'pending', seq: 0, amount: 30000, currency: 'CNY' },
        'the state',
      );
      check(!('qr' in (answer.json as object)), 'a pending state has a qr');
    },
  },
  {
    section: 'The payment state',
    name: 'qr.expiresInSeconds is rounded up: 600 right after a 600 s code arrived',
    async run(kit) {
      const created = await kit.pendingPayment('round-up');
      const sent = performance.now();
      await kit.sendCallback({
        paymentId: created.paymentId,
        status: 'awaiting customer action',
        qr: QR,
      });
      const state = await kit.state(created.paymentId, created.token);
      const elapsed = performance.now() - sent;
      const qr = state.qr as { expiresInSeconds?: unknown; timeoutSeconds?: unknown } | undefined;
      checkEqual(qr?.timeoutSeconds, 600, 'qr.timeoutSeconds');
      if (elapsed < 1000) checkEqual(qr?.expiresInSeconds, 600, 'qr.expiresInSeconds');
      else
        check(
          typeof qr?.expiresInSeconds === 'number' &&
            qr.expiresInSeconds <= 600 &&
            qr.expiresInSeconds >= 600 - Math.ceil(elapsed / 1000),
          `qr.expiresInSeconds ${shown(qr?.expiresInSeconds)}`,
        );
    },
  },
  {
    section: 'The payment state',
    name: "a final state has no qr, and keeps the platform's code and message",
    async run(kit) {
      const created = await kit.pendingPayment('final-qr');
      await kit.sendCallback({
        paymentId: created.paymentId,
        status: 'awaiting customer action',
        qr: QR,
      });
      await kit.sendCallback({
        paymentId: created.paymentId,
        status: 'decline',
        code: '20105',
        message: 'Insufficient funds',
      });
      const state = await kit.waitFor(
        created.paymentId,
        created.token,
        (s) => s.status === 'decline',
        'the decline',
      );
      check(!('qr' in state), `a declined state has a qr: ${shown(state)}`);
      checkEqual([state.code, state.message], ['20105', 'Insufficient funds'], 'code and message');
    },
  },
];
