/**
 * The payload (docs/wire-protocol.md "The payload", "Verifying a payload"): the MAC, the
 * encoding, the expiry and every rule of the body, each refusal `400 payload-invalid` (or
 * `410 payload-expired`), and what a verifier must accept: unknown keys (even
 * `customer.ip_address`), `30000.0` as an integer, a description of 255 UTF-16 units.
 */
import type { Clause } from '../clause.js';
import { check, checkEqual } from '../clause.js';
import { checkError } from '../http.js';
import { createdOf, type Kit } from '../kit.js';
import { orderBody, payloadKey, signBody, signBodyText } from '../payload.js';

const SECTION = 'Verifying a payload';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** `POST /payments` of a payload of `body` must answer `status code`. */
async function refused(
  kit: Kit,
  payload: string,
  status = 400,
  code = 'payload-invalid',
): Promise<void> {
  checkError(await kit.postPayment({ payload }), status, code);
}

const invalidBody = (
  name: string,
  overrides: (ref: string) => Record<string, unknown>,
): Clause => ({
  section: SECTION,
  name,
  async run(kit) {
    const ref = kit.ref('invalid');
    await refused(kit, signBody(orderBody(ref, overrides(ref)), kit.payloadKey));
  },
});

const accepted = (
  name: string,
  body: (ref: string) => Record<string, unknown> | string,
): Clause => ({
  section: SECTION,
  name,
  async run(kit) {
    const made = body(kit.ref('accepted'));
    const payload =
      typeof made === 'string'
        ? signBodyText(made, kit.payloadKey)
        : signBody(made, kit.payloadKey);
    createdOf(await kit.postPayment({ payload }));
  },
});

export const PAYLOAD_CLAUSES: Clause[] = [
  {
    section: SECTION,
    name: 'a changed MAC answers 400 payload-invalid',
    async run(kit) {
      const payload = kit.payload(kit.ref('mac'));
      const last = payload.at(-2) === 'A' ? 'B' : 'A';
      await refused(kit, `${payload.slice(0, -2)}${last}${payload.at(-1)}`);
    },
  },
  {
    section: SECTION,
    name: 'a changed body answers 400 payload-invalid',
    async run(kit) {
      const ref = kit.ref('body');
      const good = kit.payload(ref);
      const other = signBody(orderBody(ref, { amount: 1 }), kit.payloadKey);
      await refused(kit, `${other.split('.')[0]}.${good.split('.')[1]}`);
    },
  },
  {
    section: SECTION,
    name: 'a payload signed with another key answers 400 payload-invalid',
    async run(kit) {
      await refused(
        kit,
        signBody(orderBody(kit.ref('key')), payloadKey('another secret key entirely')),
      );
    },
  },
  {
    section: SECTION,
    name: 'a dot-less, two-dot, empty or non-string payload answers 400 payload-invalid',
    async run(kit) {
      const payload = kit.payload(kit.ref('dots'));
      await refused(kit, payload.replace('.', ''));
      await refused(kit, `${payload}.x`);
      await refused(kit, `.${payload.split('.')[1]}`);
      await refused(kit, '');
      checkError(await kit.postPayment({ payload: 42 }), 400, 'payload-invalid');
    },
  },
  {
    section: SECTION,
    name: 'a payload over 16,384 characters answers 400 payload-invalid',
    async run(kit) {
      const long = signBody(
        orderBody(kit.ref('long'), { pad: 'x'.repeat(13_000) }),
        kit.payloadKey,
      );
      check(long.length > 16_384, 'the test payload is not long enough');
      await refused(kit, long);
    },
  },
  {
    section: SECTION,
    name: 'a padded (non-canonical) MAC answers 400 payload-invalid',
    async run(kit) {
      await refused(kit, `${kit.payload(kit.ref('padded'))}=`);
    },
  },
  {
    section: SECTION,
    name: 'an exp over 60 s ago answers 410 payload-expired',
    async run(kit) {
      await refused(
        kit,
        kit.payload(kit.ref('expired'), { exp: nowSeconds() - 120 }),
        410,
        'payload-expired',
      );
    },
  },
  accepted('an exp up to 60 s ago is accepted (clock skew)', (ref) =>
    orderBody(ref, { exp: nowSeconds() - 20 }),
  ),
  invalidBody('an exp beyond 7 days and 60 s answers 400 payload-invalid', () => ({
    exp: nowSeconds() + 7 * 86_400 + 600,
  })),
  invalidBody('exp must be > 0: exp 0 answers 400 payload-invalid, not 410', () => ({ exp: 0 })),
  invalidBody('a version other than 1 answers 400 payload-invalid', () => ({ v: 2 })),
  invalidBody(
    'a ref outside ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$ answers 400 payload-invalid',
    (ref) => ({
      ref: `-${ref}`,
    }),
  ),
  invalidBody('an amount of 0 answers 400 payload-invalid', () => ({ amount: 0 })),
  invalidBody('an amount of 1.5 answers 400 payload-invalid', () => ({ amount: 1.5 })),
  invalidBody('an amount as a string answers 400 payload-invalid', () => ({ amount: '30000' })),
  invalidBody('a currency other than CNY answers 400 payload-invalid', () => ({ currency: 'USD' })),
  invalidBody('a blank description answers 400 payload-invalid', () => ({ description: '  ' })),
  invalidBody('a description of 256 UTF-16 units answers 400 payload-invalid', () => ({
    description: '𠀀'.repeat(128),
  })),
  accepted(
    'a description of 255 UTF-16 units (a character beyond U+FFFF counting 2) is accepted',
    (ref) => orderBody(ref, { description: `${'𠀀'.repeat(127)}a` }),
  ),
  invalidBody('a ";" in the description answers 400 payload-invalid', () => ({
    description: '键盘;x',
  })),
  invalidBody('a returnUrl that is not http(s) answers 400 payload-invalid', () => ({
    returnUrl: 'javascript:alert(1)',
  })),
  invalidBody(
    'a locale outside ^[a-zA-Z]{2}(-[a-zA-Z0-9]{2,8})?$ answers 400 payload-invalid',
    () => ({
      locale: 'zh_CN',
    }),
  ),
  invalidBody('a mode other than gate or payment-page answers 400 payload-invalid', () => ({
    mode: 'qr',
  })),
  invalidBody('a customer field that breaks its rule answers 400 payload-invalid', () => ({
    customer: { id: 'c-1', city: '北京;payment:status:success' },
  })),
  accepted('locales zh-CN, en and ZH-cn are accepted', (ref) =>
    orderBody(ref, { locale: 'ZH-cn' }),
  ),
  {
    section: SECTION,
    name: "unknown keys are ignored, customer.ip_address included (the sale has the request's)",
    async run(kit) {
      const ref = kit.ref('unknown-keys');
      const body = orderBody(ref, { note: 'x', future: { nested: true } });
      const customer = { ...(body.customer as object), ip_address: '203.0.113.9', nickname: 'x' };
      createdOf(
        await kit.postPayment({ payload: signBody({ ...body, customer }, kit.payloadKey) }),
      );
      const sale = kit.gate.sales(ref)[0]?.body as
        { customer?: Record<string, unknown> } | undefined;
      check(sale, 'no sale was sent');
      check(
        sale.customer?.ip_address !== '203.0.113.9' && sale.customer?.nickname === undefined,
        `the sale's customer took the payload's unknown keys: ${JSON.stringify(sale.customer)}`,
      );
    },
  },
  {
    section: SECTION,
    name: 'amount 30000.0 in the JSON is the integer 30000',
    async run(kit) {
      const ref = kit.ref('float');
      const text = JSON.stringify(orderBody(ref)).replace('"amount":30000', '"amount":30000.0');
      check(text.includes('30000.0'), 'the test body has no 30000.0');
      const created = createdOf(
        await kit.postPayment({ payload: signBodyText(text, kit.payloadKey) }),
      );
      checkEqual(created.state.amount, 30000, 'state.amount');
    },
  },
  {
    section: SECTION,
    name: 'a payload with an explicit customer.id and no other field starts a Payment Page payment',
    async run(kit) {
      const ref = kit.ref('pp-minimal');
      const created = createdOf(
        await kit.postPayment({
          payload: kit.payload(ref, { customer: { id: 'c-1' }, mode: 'payment-page' }),
        }),
      );
      checkEqual(created.state.status, 'pending', 'state.status');
    },
  },
];
