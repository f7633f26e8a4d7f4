/**
 * Signature speed: our `sign` against the official `ecommpay` npm package's signer
 * (`require('ecommpay').signer(object, secret)`: its Payment class signs with it; its Callback
 * class throws on JSON null, so the bare signer is what we compare) on the same messages: a
 * CUP QR sale request and a success callback. Both must give the same signature first. Each is
 * run in alternating rounds, so neither gets all the warm JIT or all the GC.
 */
import { createRequire } from 'node:module';
import { sign } from '../src/ecommpay/signature.js';
import { TEST_CUSTOMER, TEST_IP } from '../test/helpers/customer.js';
import { SECRET_KEY, successCallback } from './common.js';

type Signer = (message: object, secret: string) => string;

const official = (createRequire(import.meta.url)('ecommpay') as { signer: Signer }).signer;

/** A CUP QR sale request as the Gate client sends it (the seed's fields). */
function saleRequest(i: number): Record<string, unknown> {
  return {
    general: {
      project_id: 843,
      payment_id: `order-${i}`,
      merchant_callback_url: 'https://shop.example.com/cup-qr/callback',
    },
    customer: { ...TEST_CUSTOMER, ip_address: TEST_IP },
    payment: { amount: 30000 + i, currency: 'CNY', description: '机械键盘 keyboard' },
    return_url: { success: 'https://shop.example.com/thanks' },
  };
}

export interface SignerResult {
  messages: number;
  ours: number;
  official: number;
  /** ours / official, in signatures per second: above 1 is faster. */
  ratio: number;
}

function rate(signer: Signer, messages: readonly object[], rounds: number): number {
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const m of messages) signer(m, SECRET_KEY);
  return (rounds * messages.length) / ((performance.now() - start) / 1000);
}

export function benchSigner(rounds = 8, perRound = 1000): SignerResult {
  const messages: object[] = [];
  for (let i = 0; i < perRound / 2; i++) {
    messages.push(saleRequest(i));
    const { signature: _s, ...callback } = JSON.parse(successCallback(`order-${i}`, i + 1));
    messages.push(callback);
  }
  for (const m of messages.slice(0, 4)) {
    if (sign(m, SECRET_KEY) !== official(m, SECRET_KEY)) {
      throw new Error('our signature and the official one differ on the same message');
    }
  }
  // Warm both up, then alternate.
  rate(sign, messages, 1);
  rate(official, messages, 1);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(rate(sign, messages, 1));
    theirs.push(rate(official, messages, 1));
  }
  const median = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[values.length >> 1];
  const result = { ours: median(ours), official: median(theirs) };
  return { messages: messages.length, ...result, ratio: result.ours / result.official };
}
