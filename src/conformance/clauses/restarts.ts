/**
 * Restarts (docs/wire-protocol.md "Restarts"): payments, tokens and the attempt counter live
 * in the backend's store, not its memory. Needs `--start`: the kit stops the backend and starts
 * it again between setting things up and checking them.
 */
import type { Clause } from '../clause.js';
import { check, checkEqual } from '../clause.js';
import { checkStatus } from '../http.js';
import { createdOf } from '../kit.js';

const SECTION = 'Restarts';

export const RESTART_CLAUSES: Clause[] = [
  {
    section: SECTION,
    name: 'payments, tokens and the attempt counter survive a restart; callbacks still apply',
    needs: 'start',
    async run(kit) {
      const live = kit.payload(kit.ref('restart-live'));
      const first = createdOf(await kit.postPayment({ payload: live }));
      await kit.waitFor(
        first.paymentId,
        first.token,
        (s) => s.status === 'awaiting-customer' && s.qr !== undefined,
        'the QR code',
      );
      const before = await kit.state(first.paymentId, first.token);

      const retried = kit.payload(kit.ref('restart-attempts'), { mode: 'payment-page' });
      const attempt1 = createdOf(await kit.postPayment({ payload: retried }));
      await kit.sendCallback({ paymentId: attempt1.paymentId, status: 'decline' });
      const attempt2 = createdOf(await kit.postPayment({ payload: retried }));
      checkEqual(attempt2.paymentId, `${attempt1.paymentId}~2`, 'the second attempt');

      await kit.restart!();

      const after = await kit.state(first.paymentId, first.token);
      checkEqual(
        [after.status, after.seq, (after.qr as { data?: unknown } | undefined)?.data],
        [before.status, before.seq, (before.qr as { data?: unknown }).data],
        'the live payment after the restart (token, status, seq, qr.data)',
      );
      const resumed = await kit.postPayment({ payload: live });
      checkStatus(resumed, 200);
      checkEqual(createdOf(resumed).paymentId, first.paymentId, 'the resumed attempt');

      const still = await kit.postPayment({ payload: retried });
      checkStatus(still, 200);
      checkEqual(
        createdOf(still).paymentId,
        attempt2.paymentId,
        'the live attempt after the restart',
      );
      await kit.sendCallback({ paymentId: attempt2.paymentId, status: 'decline' });
      const attempt3 = createdOf(await kit.postPayment({ payload: retried }));
      checkEqual(attempt3.paymentId, `${attempt1.paymentId}~3`, 'the attempt after the restart');

      await kit.sandbox.control.approve(kit.projectId, first.paymentId);
      const paid = await kit.waitFor(
        first.paymentId,
        first.token,
        (s) => s.status === 'success',
        'the success after the restart',
      );
      check(paid.seq === Number(before.seq) + 1, `seq ${String(paid.seq)} after the success`);
    },
  },
];
