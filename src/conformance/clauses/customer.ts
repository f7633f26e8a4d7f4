/**
 * The customer rules (docs/wire-protocol.md "The customer rules"), through a shopper's
 * `customer` in `POST /payments` of a Payment Page payload (only the fields given are checked,
 * nothing reaches Gate): each refusal `422 customer-incomplete` with the field's rule id, each
 * acceptance `201`, and the tidied value as the Payment Page link carries it (trimmed; a phone
 * without spaces, dashes or +86).
 */
import type { Clause } from '../clause.js';
import { check, checkEqual, shown } from '../clause.js';
import { checkError, fieldRules } from '../http.js';
import { createdOf, type Kit } from '../kit.js';
import { FULL_CUSTOMER } from '../payload.js';

const SECTION = 'The customer rules';

/** A Payment Page payload that fixes only `customer.id`. */
const open = (kit: Kit, tag: string): string =>
  kit.payload(kit.ref(tag), { customer: { id: 'c-1' }, mode: 'payment-page' });

/** A Gate payload that leaves only `field` open. */
const gateOpen = (kit: Kit, field: string): string => {
  const customer: Record<string, string> = { ...FULL_CUSTOMER };
  delete customer[field];
  return kit.payload(kit.ref('gate-open'), { customer });
};

/** Values as a clause's name shows them (a long one cut, with its length). */
const quoted = (values: string[]): string =>
  values
    .map((v) =>
      v.length > 24
        ? `${JSON.stringify(v.slice(0, 8)).slice(0, -1)}…(${v.length})"`
        : JSON.stringify(v),
    )
    .join(', ')
    .replace(/[\p{C}\u2028\u2029]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);

const refusedAs = (field: string, rule: string, values: string[], gate = false): Clause => ({
  section: SECTION,
  name: `${field} ${quoted(values)} answer 422, rule ${rule}${gate ? ' (Gate sale)' : ''}`,
  async run(kit) {
    for (const value of values) {
      const payload = gate ? gateOpen(kit, field) : open(kit, 'refused');
      const answer = await kit.postPayment({ payload, customer: { [field]: value } });
      checkError(answer, 422, 'customer-incomplete');
      checkEqual(
        fieldRules(answer),
        { [`customer.${field}`]: rule },
        `fields for ${JSON.stringify(value)}`,
      );
    }
  },
});

/** The Payment Page link's `customer_<field>` after a shopper sent `value`. */
async function linkValue(kit: Kit, field: string, value: string): Promise<string | null> {
  const created = createdOf(
    await kit.postPayment({ payload: open(kit, 'accepted'), customer: { [field]: value } }),
  );
  const answer = await kit.client.post('/payment-page', {
    paymentId: created.paymentId,
    token: created.token,
  });
  const url = (answer.json as { url?: unknown } | undefined)?.url;
  check(
    answer.status === 200 && typeof url === 'string',
    `POST /payment-page answered ${answer.status} ${shown(answer.json)}`,
  );
  return new URL(url).searchParams.get(`customer_${field}`);
}

const acceptedAs = (field: string, pairs: [sent: string, kept: string][]): Clause => ({
  section: SECTION,
  name: `${field} ${quoted(pairs.map(([v]) => v))} accepted`,
  async run(kit) {
    for (const [sent, kept] of pairs)
      checkEqual(
        await linkValue(kit, field, sent),
        kept,
        `customer_${field} of ${JSON.stringify(sent)}`,
      );
  },
});

const long = (n: number): string => 'a'.repeat(n);

export const CUSTOMER_CLAUSES: Clause[] = [
  acceptedAs('first_name', [
    ['阿依·买买提', '阿依·买买提'],
    ["O'Brien", "O'Brien"],
    ['Zoë', 'Zoë'],
    ['  倩文  ', '倩文'],
  ]),
  refusedAs('first_name', 'name', ['Zhang3', 'Иван', '---']),
  refusedAs('last_name', 'invalid', ['\u200B伍', '伍\u202E', '伍\u00AD']),
  refusedAs('last_name', 'required', ['   ', '\u3000'], true),
  refusedAs('last_name', 'invalid-character', ['伍;x']),
  acceptedAs('last_name', [[`${'𠀀'.repeat(127)}a`, `${'𠀀'.repeat(127)}a`]]),
  refusedAs('last_name', 'too-long', ['𠀀'.repeat(128), long(256)]),
  acceptedAs('city', [
    ['北京市', '北京市'],
    ['Zürich', 'Zürich'],
    ['\t北京\n', '北京'],
  ]),
  refusedAs('city', 'address', ['88', '#1-2']),
  refusedAs('city', 'invalid', ['北京\u202E', '北\u2028京']),
  acceptedAs('street', [
    ['建国路88号', '建国路88号'],
    ['#12-01, 1 Raffles Place', '#12-01, 1 Raffles Place'],
  ]),
  acceptedAs('phone', [
    ['+86 138-0013-8000', '13800138000'],
    ['0086 138 0013 8000', '13800138000'],
    ['(+86) 138.0013.8000', '13800138000'],
    ['１３８００１３８０００', '13800138000'],
    ['+41 79 123 45 67', '41791234567'],
    ['8613800138000', '8613800138000'],
  ]),
  refusedAs('phone', 'phone', ['123', '1'.repeat(25), '138#0013', '138\t0013']),
  acceptedAs('email', [
    ['wu@example.com', 'wu@example.com'],
    [`${long(242)}@example.com`, `${long(242)}@example.com`],
  ]),
  refusedAs('email', 'email', [
    'wu@example',
    'wu@例子.中国',
    'wü@example.com',
    `${long(243)}@example.com`,
    'wu example.com',
  ]),
  acceptedAs('zip', [
    ['100022', '100022'],
    ['SW1A 1AA', 'SW1A 1AA'],
    ['8001', '8001'],
  ]),
  refusedAs('zip', 'zip', ['1', '-1000', '12345678901', '北京100']),
  acceptedAs('country', [['CN', 'CN']]),
  refusedAs('country', 'country', ['cn', 'ZZ', 'CHN']),
];
