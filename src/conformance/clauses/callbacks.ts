/**
 * `POST {prefix}/callback` and what a verified callback does (docs/wire-protocol.md
 * "POST {prefix}/callback", "States and transitions"): the platform's own callbacks through
 * the sandbox (a QR code, a success, the 20602 time-out), and the kit's made ones for every
 * other case: a duplicate, a reordered pair, a bad signature, another project, an amount that
 * differs, a malformed `payment.sum`, the `add_info` time-out title and range, a terminal state
 * that stays, `awaiting customer`, the `general` format.
 */
import { signCallback } from '../../sandbox/callbacks.js';
import { callbackBody, qrData } from '../callbacks.js';
import type { Clause } from '../clause.js';
import { check, checkEqual, shown } from '../clause.js';
import { checkError, checkStatus } from '../http.js';
import { createdOf, type CreatedPayment, type Kit } from '../kit.js';

const SECTION = 'POST /callback';
const STATES = 'States and transitions';

const qr = (tag: string, timeoutSeconds = 600) => ({ data: qrData(tag), timeoutSeconds });

/** The state must still be `seq` `status` (nothing changed). */
async function unchanged(
  kit: Kit,
  created: CreatedPayment,
  seq: number,
  status: string,
): Promise<void> {
  const state = await kit.state(created.paymentId, created.token);
  checkEqual([state.seq, state.status], [seq, status], 'seq and status (nothing may change)');
}

/** A signed callback whose unsigned body `change` edits, answered 200 and changing nothing. */
const unreadable = (name: string, change: (body: Record<string, unknown>) => void): Clause => ({
  section: SECTION,
  name,
  async run(kit) {
    const created = await kit.pendingPayment('unreadable');
    const body = callbackBody({
      projectId: kit.projectId,
      paymentId: created.paymentId,
      status: 'awaiting customer action',
      qr: qr('unreadable'),
    });
    change(body);
    const answer = await kit.postCallback(signCallback(body, kit.secretKey));
    checkStatus(answer, 200);
    await unchanged(kit, created, 0, 'pending');
  },
});

const displayData = (
  body: Record<string, unknown>,
): { type: string; title: string; data: string }[] =>
  body.display_data as { type: string; title: string; data: string }[];

export const CALLBACK_CLAUSES: Clause[] = [
  {
    section: SECTION,
    name: "the platform's awaiting customer action shows its QR code; its success is success (code 0)",
    async run(kit) {
      const created = createdOf(
        await kit.postPayment({ payload: kit.payload(kit.ref('platform')) }),
      );
      const waiting = await kit.waitFor(
        created.paymentId,
        created.token,
        (s) => s.status === 'awaiting-customer' && s.qr !== undefined,
        'the QR code',
      );
      const payment = kit.sandbox.control.payment(kit.projectId, created.paymentId);
      checkEqual((waiting.qr as { data?: unknown }).data, payment?.qrData, 'qr.data');
      await kit.sandbox.control.approve(kit.projectId, created.paymentId);
      const paid = await kit.waitFor(
        created.paymentId,
        created.token,
        (s) => s.status === 'success',
        'the success',
      );
      checkEqual(paid.code, '0', 'code');
    },
  },
  {
    section: STATES,
    name: "the platform's time-out (decline 20602) is expired",
    async run(kit) {
      const created = createdOf(
        await kit.postPayment({ payload: kit.payload(kit.ref('timeout')) }),
      );
      await kit.waitFor(
        created.paymentId,
        created.token,
        (s) => s.status === 'awaiting-customer' && s.qr !== undefined,
        'the QR code',
      );
      await kit.sandbox.control.expire(kit.projectId, created.paymentId);
      const state = await kit.waitFor(
        created.paymentId,
        created.token,
        (s) => s.status === 'expired',
        'expired',
      );
      checkEqual(state.code, '20602', 'code');
    },
  },
  {
    section: SECTION,
    name: 'a signed callback is answered 200 with the text OK',
    async run(kit) {
      const created = await kit.pendingPayment('ok');
      const answer = await kit.postCallback(
        kit.callback({ paymentId: created.paymentId, status: 'processing' }),
      );
      checkStatus(answer, 200);
      checkEqual(answer.text.trim(), 'OK', 'the body');
    },
  },
  {
    section: SECTION,
    name: 'a signed callback of an unknown payment is answered 200',
    async run(kit) {
      checkStatus(
        await kit.postCallback(kit.callback({ paymentId: kit.ref('nobody'), status: 'success' })),
        200,
      );
    },
  },
  {
    section: SECTION,
    name: 'a bad signature answers 403 bad-signature and changes nothing',
    async run(kit) {
      const created = await kit.pendingPayment('bad-signature');
      const body = kit.callback({ paymentId: created.paymentId, status: 'success' });
      const signature = String(body.signature);
      checkError(
        await kit.postCallback({
          ...body,
          signature: `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`,
        }),
        403,
        'bad-signature',
      );
      const { signature: _gone, ...unsigned } = body;
      checkError(await kit.postCallback(unsigned), 403, 'bad-signature');
      checkError(
        await kit.postCallback({
          ...body,
          payment: { ...(body.payment as object), status: 'decline' },
        }),
        403,
        'bad-signature',
      );
      await unchanged(kit, created, 0, 'pending');
    },
  },
  {
    section: SECTION,
    name: 'a body with neither payment nor general answers 400 bad-request',
    async run(kit) {
      checkError(await kit.postCallback({ signature: 'x'.repeat(88) }), 400, 'bad-request');
      checkError(await kit.postCallback('not json'), 400, 'bad-request');
    },
  },
  {
    section: SECTION,
    name: 'a signed callback of another project answers 400 wrong-project',
    async run(kit) {
      const created = await kit.pendingPayment('project');
      const answer = await kit.postCallback(
        kit.callback({
          paymentId: created.paymentId,
          status: 'success',
          projectId: kit.projectId + 1,
        }),
      );
      checkError(answer, 400, 'wrong-project');
      await unchanged(kit, created, 0, 'pending');
    },
  },
  {
    section: SECTION,
    name: 'project_id and signature under general are read as at the top level',
    async run(kit) {
      const created = await kit.pendingPayment('general');
      checkStatus(
        await kit.postCallback(
          kit.callback({ paymentId: created.paymentId, status: 'success', format: 'general' }),
        ),
        200,
      );
      await kit.waitFor(
        created.paymentId,
        created.token,
        (s) => s.status === 'success',
        'the success',
      );
    },
  },
  {
    section: STATES,
    name: 'a duplicate callback changes nothing (same seq)',
    async run(kit) {
      const created = await kit.pendingPayment('duplicate');
      const body = kit.callback({
        paymentId: created.paymentId,
        status: 'awaiting customer action',
        qr: qr('duplicate'),
      });
      checkStatus(await kit.postCallback(body), 200);
      checkStatus(await kit.postCallback(body), 200);
      const again = kit.callback({
        paymentId: created.paymentId,
        status: 'awaiting customer action',
        qr: qr('duplicate'),
      });
      checkStatus(await kit.postCallback(again), 200);
      await unchanged(kit, created, 1, 'awaiting-customer');
    },
  },
  {
    section: STATES,
    name: 'a new QR code replaces the old one (seq + 1)',
    async run(kit) {
      const created = await kit.pendingPayment('new-qr');
      await kit.sendCallback({
        paymentId: created.paymentId,
        status: 'awaiting customer action',
        qr: qr('first'),
      });
      await kit.sendCallback({
        paymentId: created.paymentId,
        status: 'awaiting customer action',
        qr: qr('second'),
      });
      const state = await kit.state(created.paymentId, created.token);
      checkEqual(
        [state.seq, (state.qr as { data?: unknown } | undefined)?.data],
        [2, qrData('second')],
        'seq and qr.data',
      );
    },
  },
  {
    section: STATES,
    name: 'reordered: awaiting customer action after success changes nothing',
    async run(kit) {
      const created = await kit.pendingPayment('reordered');
      await kit.sendCallback({ paymentId: created.paymentId, status: 'success' });
      await kit.sendCallback({
        paymentId: created.paymentId,
        status: 'awaiting customer action',
        qr: qr('late'),
      });
      await unchanged(kit, created, 1, 'success');
    },
  },
  {
    section: STATES,
    name: 'a terminal state is final: a decline after a success changes nothing',
    async run(kit) {
      const created = await kit.pendingPayment('final');
      await kit.sendCallback({ paymentId: created.paymentId, status: 'success' });
      await kit.sendCallback({ paymentId: created.paymentId, status: 'decline' });
      await unchanged(kit, created, 1, 'success');
    },
  },
  {
    section: STATES,
    name: 'processing leaves a pending payment pending',
    async run(kit) {
      const created = await kit.pendingPayment('processing');
      await kit.sendCallback({ paymentId: created.paymentId, status: 'processing' });
      await unchanged(kit, created, 0, 'pending');
    },
  },
  {
    section: STATES,
    name: 'awaiting customer (no "action") is decline with code awaiting-customer',
    async run(kit) {
      const created = await kit.pendingPayment('awaiting');
      await kit.sendCallback({ paymentId: created.paymentId, status: 'awaiting customer' });
      const state = await kit.state(created.paymentId, created.token);
      checkEqual([state.status, state.code], ['decline', 'awaiting-customer'], 'status and code');
    },
  },
  {
    section: STATES,
    name: 'a decline with code 20602 is expired',
    async run(kit) {
      const created = await kit.pendingPayment('expired');
      await kit.sendCallback({
        paymentId: created.paymentId,
        status: 'decline',
        code: '20602',
        message: 'Time-out',
      });
      const state = await kit.state(created.paymentId, created.token);
      checkEqual([state.status, state.code], ['expired', '20602'], 'status and code');
    },
  },
  {
    section: STATES,
    name: 'another amount is error amount-mismatch, whatever the status',
    async run(kit) {
      for (const status of ['success', 'awaiting customer action'] as const) {
        const created = await kit.pendingPayment('mismatch');
        await kit.sendCallback({
          paymentId: created.paymentId,
          status,
          amount: 1,
          ...(status === 'success' ? {} : { qr: qr('mismatch') }),
        });
        const state = await kit.state(created.paymentId, created.token);
        checkEqual(
          [state.status, state.code],
          ['error', 'amount-mismatch'],
          `${status} of 1 fen: status and code`,
        );
      }
    },
  },
  {
    section: STATES,
    name: 'a success without payment.sum is error amount-mismatch',
    async run(kit) {
      const created = await kit.pendingPayment('no-sum');
      const body = callbackBody({
        projectId: kit.projectId,
        paymentId: created.paymentId,
        status: 'success',
      });
      delete (body.payment as Record<string, unknown>).sum;
      checkStatus(await kit.postCallback(signCallback(body, kit.secretKey)), 200);
      const state = await kit.state(created.paymentId, created.token);
      checkEqual([state.status, state.code], ['error', 'amount-mismatch'], 'status and code');
    },
  },
  unreadable(
    'a malformed payment.sum is unreadable (200, nothing changes), not a mismatch',
    (body) => {
      (body.payment as Record<string, unknown>).sum = { amount: 'thirty', currency: 'CNY' };
    },
  ),
  unreadable('an add_info timeout of 0 makes the whole callback unreadable', (body) => {
    displayData(body)[1]!.data = '0';
  }),
  unreadable('an add_info timeout over 86400 makes the whole callback unreadable', (body) => {
    displayData(body)[1]!.data = '86401';
  }),
  unreadable(
    'an add_info timeout that is not a number makes the whole callback unreadable',
    (body) => {
      displayData(body)[1]!.data = 'ten minutes';
    },
  ),
  unreadable('a qr_data that breaks the QR rule (a control character) is unreadable', (body) => {
    displayData(body)[0]!.data = 'https://qr.example/\n';
  }),
  {
    section: STATES,
    name: 'the QR lifetime is the add_info whose title matches /timeout/i (1..86400), else 600',
    async run(kit) {
      const cases: [title: string | undefined, data: string, expected: number][] = [
        ['qr code TIMEOUT', '120', 120],
        ['Timeout', '86400', 86400],
        [undefined, '', 600],
      ];
      for (const [title, data, expected] of cases) {
        const created = await kit.pendingPayment('lifetime');
        const body = callbackBody({
          projectId: kit.projectId,
          paymentId: created.paymentId,
          status: 'awaiting customer action',
          qr: qr('lifetime'),
        });
        if (title === undefined) body.display_data = [displayData(body)[0]];
        else displayData(body)[1] = { type: 'add_info', title, data };
        checkStatus(await kit.postCallback(signCallback(body, kit.secretKey)), 200);
        const state = await kit.state(created.paymentId, created.token);
        const seen = (state.qr as { timeoutSeconds?: unknown } | undefined)?.timeoutSeconds;
        check(
          seen === expected,
          `title ${shown(title)} data ${shown(data)}: qr.timeoutSeconds ${shown(seen)}, expected ${expected}`,
        );
      }
    },
  },
];
