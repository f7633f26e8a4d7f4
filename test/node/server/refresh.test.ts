// checkout.refresh() against the real sandbox as Gate (issue #13, item 4): a stored final state
// that Gate contradicts is never confirmed (the disagreement is returned, logged, kept for the
// report until Gate agrees), and an unsigned status answer moves nothing, yet still shows that
// Gate has the payment. The unsigned answers come from a real HTTP proxy in front of the
// sandbox that drops the signature of its status answers, as a tampering middlebox would.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { GATE_STATUS_PATH } from '../../../src/server/gate/client.js';
import { buildReport } from '../../../src/server/report.js';
import { signedCallback, startShop, PROJECT_ID, type Shop } from '../../helpers/toolkit.js';

/** A shop whose log lines are kept. */
async function loggedShop(
  t: TestContext,
  options: Parameters<typeof startShop>[1] = {},
): Promise<{ shop: Shop; lines: string[] }> {
  const lines: string[] = [];
  const checkout = options.checkout;
  const shop = await startShop(t, {
    ...options,
    checkout: (sandbox) => ({
      ...(typeof checkout === 'function' ? checkout(sandbox) : checkout),
      log: (message: string) => lines.push(message),
    }),
  });
  return { shop, lines };
}

/** A started payment showing its QR code (the sandbox's first callback applied). */
async function awaiting(shop: Shop, ref: string): Promise<void> {
  await shop.start(ref);
  await shop.sandbox.control.settled();
  assert.equal((await shop.store.getPayment(ref))!.status, 'awaiting-customer');
}

/**
 * A real HTTP proxy to `target` that passes every request on and answers with the target's
 * answer, except that status answers lose their signature.
 */
async function unsigningGate(t: TestContext, target: () => string): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const answer = await fetch(`${target()}${req.url}`, {
          method: req.method,
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.concat(chunks),
        });
        let text = await answer.text();
        if (req.url === GATE_STATUS_PATH && answer.status === 200) {
          const { signature: _dropped, ...unsigned } = JSON.parse(text) as Record<string, unknown>;
          text = JSON.stringify(unsigned);
        }
        res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(text);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ALL_TIME = { from: 0, to: 8.64e15 };

describe('refresh(): a final state Gate contradicts', () => {
  it('a stored success while Gate says awaiting: returned, logged, in the report, until Gate agrees', async (t) => {
    const { shop, lines } = await loggedShop(t);
    await awaiting(shop, 'order-forged');
    // A verified success the platform never sent (what a signing oracle made possible).
    assert.equal(
      (await shop.post('/callback', signedCallback('order-forged', 'success'))).status,
      200,
    );
    assert.equal((await shop.store.getPayment('order-forged'))!.status, 'success');

    const result = await shop.checkout.refresh('order-forged');
    assert.equal(result!.status, 'success', 'a final state never changes');
    assert.deepEqual(result!.gate, {
      platformStatus: 'awaiting customer action',
      status: 'awaiting-customer',
      signed: true,
      applied: false,
    });
    assert.deepEqual(result!.disagreement, {
      platformStatus: 'awaiting customer action',
      status: 'awaiting-customer',
      signed: true,
      at: result!.disagreement!.at,
    });
    assert.ok(
      lines.some((l) =>
        /order-forged is success here, but Gate says awaiting customer action \(signed\)/.test(l),
      ),
      lines.join('\n'),
    );
    const row = (await buildReport(shop.store, ALL_TIME)).payments[0];
    assert.equal(row['payment.id'], 'order-forged');
    assert.equal(row['gate.disagreement'], 'awaiting customer action');
    assert.equal(row['gate.signed'], 'yes');
    assert.equal(row['gate.checked_at'], new Date(result!.disagreement!.at).toISOString());

    // The shopper does pay: Gate now agrees, and the disagreement is gone.
    await shop.sandbox.control.approve(PROJECT_ID, 'order-forged');
    await shop.sandbox.control.settled();
    const agreed = await shop.checkout.refresh('order-forged');
    assert.equal(agreed!.disagreement, undefined);
    assert.equal(agreed!.gate.status, 'success');
    assert.equal((await shop.store.getPayment('order-forged'))!.gateDisagreement, undefined);
    assert.equal(
      (await buildReport(shop.store, ALL_TIME)).payments[0]['gate.disagreement'],
      undefined,
    );
  });

  it('a stored decline while Gate says success: returned, never turned into success', async (t) => {
    const { shop } = await loggedShop(t);
    await awaiting(shop, 'order-declined');
    assert.equal(
      (await shop.post('/callback', signedCallback('order-declined', 'decline'))).status,
      200,
    );
    await shop.sandbox.control.approve(PROJECT_ID, 'order-declined');
    await shop.sandbox.control.settled();

    const result = await shop.checkout.refresh('order-declined');
    assert.equal(result!.status, 'decline');
    assert.equal(result!.disagreement!.status, 'success');
    assert.equal((await shop.store.getPayment('order-declined'))!.status, 'decline');
  });
});

describe('refresh(): an unsigned status answer', () => {
  it('moves nothing: Gate says success unsigned, the payment stays as it was', async (t) => {
    let sandboxUrl = '';
    const gateUrl = await unsigningGate(t, () => sandboxUrl);
    const { shop, lines } = await loggedShop(t, {
      sandbox: { retryDelaysMs: [60_000] },
      checkout: { gateUrl },
    });
    sandboxUrl = shop.sandbox.url;
    shop.sandbox.control.setFaults({ failDeliveries: 10 }, { paymentId: 'order-unsigned' });
    await shop.start('order-unsigned');
    await shop.sandbox.control.approve(PROJECT_ID, 'order-unsigned');
    assert.equal((await shop.store.getPayment('order-unsigned'))!.status, 'pending');

    const result = await shop.checkout.refresh('order-unsigned');
    assert.equal(result!.status, 'pending');
    assert.deepEqual(result!.gate, {
      platformStatus: 'success',
      status: 'success',
      signed: false,
      applied: false,
    });
    assert.equal(result!.disagreement, undefined, 'not a final state');
    const stored = await shop.store.getPayment('order-unsigned');
    assert.equal(stored!.status, 'pending');
    assert.equal(stored!.seq, 0);
    assert.ok(
      lines.some((l) =>
        /order-unsigned: Gate says success \(unsigned\); an unsigned answer is not applied/.test(l),
      ),
    );
  });

  it('still shows that Gate has the payment: a sale whose answer was lost stays live', async (t) => {
    let sandboxUrl = '';
    const gateUrl = await unsigningGate(t, () => sandboxUrl);
    const { shop } = await loggedShop(t, {
      sandbox: { retryDelaysMs: [60_000] },
      checkout: { gateUrl, gateTimeoutMs: 1000 },
    });
    sandboxUrl = shop.sandbox.url;
    shop.sandbox.control.setFaults(
      { gateHang: 'after-accept', failDeliveries: 10 },
      { paymentId: 'order-lost' },
    );
    const answer = await shop.post('/payments', { payload: shop.payload('order-lost') });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.body.state.status, 'pending');
    assert.equal((await shop.store.getPayment('order-lost'))!.status, 'pending');
    assert.equal(shop.sandbox.control.saleRequests(), 1, 'no second sale');
  });

  it('of a final state that Gate contradicts is a disagreement too, marked unsigned', async (t) => {
    let sandboxUrl = '';
    const gateUrl = await unsigningGate(t, () => sandboxUrl);
    const { shop } = await loggedShop(t, { checkout: { gateUrl } });
    sandboxUrl = shop.sandbox.url;
    await awaiting(shop, 'order-both');
    await shop.post('/callback', signedCallback('order-both', 'success'));
    const result = await shop.checkout.refresh('order-both');
    assert.equal(result!.status, 'success');
    assert.equal(result!.disagreement!.signed, false);
    assert.equal((await buildReport(shop.store, ALL_TIME)).payments[0]['gate.signed'], 'no');
  });
});
