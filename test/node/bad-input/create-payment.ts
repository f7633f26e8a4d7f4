// The bad-input suite, POST /payments: bodies, sizes, encodings, payloads and customer fields
// (server/routes/create-payment.ts). Run by test/node/bad-input.test.ts, which prints the figures
// of all its parts.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { base64UrlEncodeText } from '../../../src/wire/payload.js';
import { MAX_JSON_DEPTH } from '../../../src/server/http.js';
import { createPayload, PAYLOAD_DOMAIN, payloadKeyOf } from '../../../src/server/payload.js';
import { TEST_CUSTOMER } from '../../helpers/customer.js';
import {
  foreignPayload,
  order,
  orderFields,
  SECRET_KEY,
  type Created,
} from '../../helpers/toolkit.js';
import {
  awaitStatus,
  type Expect,
  INVISIBLE,
  nestedArrays,
  nestedObjects,
  paid,
  paidPayload,
  postJson,
  property,
  type Send,
  shop,
  table,
  tryInput,
  waitingPayload,
} from '../../helpers/bad-input.js';

describe('POST /payments', () => {
  /** A payload fixing only the customer's id: the body brings the rest, as the form would. */
  const openPayload = (ref: string, overrides: Parameters<typeof order>[1] = {}): string =>
    createPayload(order(ref, { customer: { id: TEST_CUSTOMER.id }, ...overrides }), {
      secretKey: SECRET_KEY,
    });
  const { id: _id, ...shopperFields } = TEST_CUSTOMER;
  const target = (): { payload: string; customer: Record<string, string> } => ({
    payload: openPayload('bad-target'),
    customer: { ...shopperFields },
  });
  const body = (value: unknown): Send => postJson('/payments', JSON.stringify(value));

  const goodFields = (): Record<string, unknown> =>
    orderFields('bad-target', { description: '机械键盘' });

  it('the unmutated body is valid, and injection strings are stored as the text they are', async () => {
    // The control: the same body as the mutations below, for another order, is accepted, so
    // each refusal below is the mutation's doing. (No ";": the signature cannot carry one, so
    // every field refuses it; see "refuses odd Unicode, injection strings...".)
    const street = `建国路88号 '" DROP TABLE payments --<b>`;
    const answer = await shop.post('/payments', {
      payload: openPayload('bad-control'),
      customer: { ...shopperFields, street },
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await awaitStatus(answer.body as Created, 'awaiting-customer');
    const stored = await shop.store.getPayment('bad-control');
    assert.equal(stored?.customer.street, street);
    assert.equal(await shop.store.getPayment('bad-target'), undefined);
  });

  it('takes markup in a city or a street as the text it is, and a full-width phone tidied', async () => {
    const customer = {
      ...shopperFields,
      city: '<img src=x onerror=alert(1)>',
      street: '<script>alert(1)</script>',
      phone: '＋８６ １３６ ３２２６ ４１４７',
    };
    const answer = await shop.post('/payments', { payload: openPayload('bad-markup'), customer });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await awaitStatus(answer.body as Created, 'awaiting-customer');
    const stored = await shop.store.getPayment('bad-markup');
    assert.deepEqual(stored?.customer, {
      ...customer,
      id: TEST_CUSTOMER.id,
      phone: '13632264147',
      ip_address: stored?.customer.ip_address,
    });
  });

  it('refuses malformed, truncated and non-object JSON', async () => {
    const valid = JSON.stringify(target());
    const truncations = [...Array(valid.length).keys()]
      .filter((n) => n < 40 || n % 5 === 0)
      .map((n): [string, Send, Expect] => [
        `truncated at ${n}`,
        postJson('/payments', valid.slice(0, n)),
        { code: 'bad-request', mentions: /not JSON/ },
      ]);
    await table('POST /payments', [
      ...[
        '',
        ' ',
        '{',
        '}',
        '{"payload":',
        '{"payload":"x"',
        "{'payload':'x'}",
        'NaN',
        '{"payload":"a.b",}',
        '\u0000',
        '\ufeff{',
        'undefined',
        '{"a":1}{"b":2}',
      ].map((text): [string, Send, Expect] => [
        text,
        postJson('/payments', text),
        { code: 'bad-request', mentions: /not JSON/ },
      ]),
      ...['null', 'true', '1', '"payload"', '[]', `[${valid}]`].map(
        (text): [string, Send, Expect] => [
          text,
          postJson('/payments', text),
          { code: 'bad-request', mentions: /JSON object/ },
        ],
      ),
      ...truncations,
    ]);
  });

  it('refuses missing, mistyped and extra fields, and prototype keys', async () => {
    const valid = target();
    const raw = (text: string): Send => postJson('/payments', text);
    const withKey = (key: string, value: string): Send =>
      raw(`{"payload":${JSON.stringify(valid.payload)},${JSON.stringify(key)}:${value}}`);
    const withCustomerKey = (key: string, value: string): Send =>
      raw(
        `{"payload":${JSON.stringify(valid.payload)},"customer":{${JSON.stringify(key)}:${value},` +
          `${JSON.stringify(valid.customer).slice(1)}}`,
      );
    await table('POST /payments', [
      ['{}', body({}), { code: 'payload-invalid' }],
      ...[null, 1, true, [], {}, '', 'x', '.', 'a.', '.b', 'a.b.c', 'x'.repeat(20_000)].map(
        (payload): [string, Send, Expect] => [
          `payload ${JSON.stringify(payload).slice(0, 20)}`,
          body({ ...valid, payload }),
          { code: 'payload-invalid' },
        ],
      ),
      ...[1, 'GATE', 'foo', null, [], {}, 'payment-page '].map((mode): [string, Send, Expect] => [
        `mode ${JSON.stringify(mode)}`,
        body({ ...valid, mode }),
        { code: 'bad-request', mentions: /mode/ },
      ]),
      ...['x', 1, [], true, [valid.customer]].map((customer): [string, Send, Expect] => [
        `customer ${JSON.stringify(customer).slice(0, 30)}`,
        body({ ...valid, customer }),
        { code: 'bad-request', mentions: /customer/ },
      ]),
      ...Object.keys(shopperFields).flatMap((field) =>
        [13632264147, null, true, ['x'], { x: 1 }].map((value): [string, Send, Expect] => [
          `customer.${field} = ${JSON.stringify(value)}`,
          body({ ...valid, customer: { ...valid.customer, [field]: value } }),
          { code: 'customer-incomplete', mentions: new RegExp(`customer\\.${field}`) },
        ]),
      ),
      ...Object.keys(shopperFields).map((field): [string, Send, Expect] => {
        const { [field]: _dropped, ...rest } = valid.customer;
        return [
          `no customer.${field}`,
          body({ ...valid, customer: rest }),
          { code: 'customer-incomplete', mentions: new RegExp(`customer\\.${field}`) },
        ];
      }),
      ['no customer', body({ payload: valid.payload }), { code: 'customer-incomplete' }],
      ...['amount', 'currency', 'ref', 'exp', 'general', 'payment', 'return_url', 'returnUrl'].map(
        (key): [string, Send, Expect] => [
          `top-level ${key}`,
          withKey(key, '1'),
          { code: 'field-fixed', mentions: new RegExp(key) },
        ],
      ),
      ...[
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        'polluted',
        '',
      ].map((key): [string, Send, Expect] => [
        `top-level ${key}`,
        withKey(key, '{"polluted":1,"isAdmin":true,"prototype":{"polluted":1}}'),
        { code: 'bad-request' },
      ]),
      ...['__proto__', 'constructor', 'prototype', 'valueOf', 'ip', 'name'].map(
        (key): [string, Send, Expect] => [
          `customer.${key}`,
          withCustomerKey(key, '{"polluted":1,"prototype":{"polluted":1}}'),
          { code: 'bad-request', mentions: new RegExp(`customer\\.${key.replace(/_/g, '_')}`) },
        ],
      ),
      [
        'customer.id',
        withCustomerKey('id', '"me"'),
        { code: 'field-fixed', mentions: /customer\.id/ },
      ],
      [
        'customer.ip_address',
        withCustomerKey('ip_address', '"1.2.3.4"'),
        { code: 'field-fixed', mentions: /ip_address/ },
      ],
    ]);
  });

  it('refuses deep nesting, huge bodies, invalid UTF-8 and other media types', async () => {
    const payload = JSON.stringify(target().payload);
    const mib = 1024 * 1024;
    const json = { 'content-type': 'application/json' };
    await table('POST /payments', [
      ...[MAX_JSON_DEPTH + 1, 1000, 10_000].flatMap((depth): [string, Send, Expect][] => [
        [
          `${depth} nested arrays beside the payload`,
          postJson('/payments', `{"payload":${payload},"x":${nestedArrays(depth)}}`),
          { code: 'bad-request', mentions: /deeper/ },
        ],
        [
          `${depth} nested objects as customer`,
          postJson('/payments', `{"payload":${payload},"customer":${nestedObjects(depth)}}`),
          { code: 'bad-request', mentions: /deeper/ },
        ],
        [
          `${depth} nested arrays as payload`,
          postJson('/payments', `{"payload":${nestedArrays(depth)}}`),
          { code: 'bad-request', mentions: /deeper/ },
        ],
      ]),
      [
        '64 KiB + 1',
        postJson('/payments', `{"payload":${payload},"x":"${'x'.repeat(64 * 1024)}"}`),
        { code: 'too-large', status: 413 },
      ],
      [
        '1 MiB',
        postJson('/payments', `{"payload":${payload},"x":"${'x'.repeat(mib)}"}`),
        { code: 'too-large', status: 413 },
      ],
      [
        '1 MiB chunked',
        { path: '/cup-qr/payments', body: 'x'.repeat(mib), headers: json, chunked: true },
        { code: 'too-large', status: 413 },
      ],
      [
        '3 MiB chunked, valid start',
        {
          path: '/cup-qr/payments',
          body: `{"payload":${payload},"x":"${'字'.repeat(mib)}"}`,
          headers: json,
          chunked: true,
        },
        { code: 'too-large', status: 413 },
      ],
      [
        'a lying Content-Length',
        {
          path: '/cup-qr/payments',
          body: '{}',
          headers: { ...json, 'content-length': String(10 * mib) },
        },
        { code: 'too-large', status: 413 },
      ],
      ...[
        [0xff],
        [0xfe, 0xff],
        [0xc0, 0xaf], // overlong "/"
        [0xe5, 0x8c], // a cut 3-byte character
        [0xed, 0xa0, 0x80], // a surrogate, encoded
        [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      ].map((bytes): [string, Send, Expect] => [
        `invalid UTF-8 ${Buffer.from(bytes).toString('hex')}`,
        postJson(
          '/payments',
          Buffer.concat([
            Buffer.from(`{"payload":${payload},"customer":{"city":"北京`),
            Buffer.from(bytes),
            Buffer.from('"}}'),
          ]),
        ),
        { code: 'bad-request', mentions: /UTF-8/ },
      ]),
      ...[
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/html',
        'application/jsonp',
      ].map((type): [string, Send, Expect] => [
        `Content-Type ${type}`,
        {
          path: '/cup-qr/payments',
          body: JSON.stringify(target()),
          headers: { 'content-type': type },
        },
        { code: 'unsupported-media-type', status: 415 },
      ]),
    ]);
  });

  it('refuses odd Unicode, injection strings and long strings in customer fields, naming the field', async () => {
    const valid = target();
    const cases: [string, Send, Expect][] = [];
    const field = (
      name: string,
      value: string,
      label = `customer.${name} = ${JSON.stringify(value)}`,
    ): void => {
      cases.push([
        label,
        body({ ...valid, customer: { ...valid.customer, [name]: value } }),
        { code: 'customer-incomplete', status: 422, mentions: new RegExp(`customer\\.${name}`) },
      ]);
    };
    for (const [name, value] of Object.entries(shopperFields)) {
      for (const bad of INVISIBLE) {
        // At either end, what trim() removes is removed before the rules: not refused.
        for (const odd of [`${value.slice(0, 1)}${bad}${value.slice(1)}`, `${value}${bad}`]) {
          if (odd.trim() !== value) field(name, odd);
        }
      }
      field(name, 'x'.repeat(300));
      // In a city or a street, markup is text like any other (see the test above it).
      if (name !== 'city' && name !== 'street') field(name, '<script>alert(1)</script>');
      field(name, '\u202e');
    }
    field('street', `${'街'.repeat(256)}`);
    field(
      'street',
      `${'街'.repeat(30_000)}`,
      'customer.street = 30,000 Han characters (90 KB is too large: 413 first)',
    );
    cases.at(-1)![2] = { code: 'too-large', status: 413 };
    field('last_name', 'Robert"); DROP TABLE payments;--');
    // A ";" in any field: it would sign another message (the signing oracle, issue #13).
    field('city', '北京;payment:id:x;payment:status:success;zzz:');
    field('street', '建国路88号; DROP TABLE payments');
    field('first_name', '{{7*7}}');
    field('phone', '++8613632264147');
    field('phone', '١٣٦٣٢٢٦٤١٤٧'); // Arabic-Indic digits (full-width ones are tidied)
    field('phone', '136 3226 4147 ext. 2');
    field('phone', '1363226414; rm -rf /');
    field('email', 'wu@例子.测试');
    field('email', 'wu@example.com<script>');
    field('email', 'wu@example.com\r\nBcc: all@example.com');
    field('zip', '１０００２２');
    field('country', 'cn');
    field('country', 'ZZ');
    field('country', '中国');
    await table('POST /payments', cases);
  });

  it('refuses tampered, foreign, truncated and expired payloads', async () => {
    const valid = target();
    const [encoded, mac] = valid.payload.split('.');
    const flip = (text: string, i: number): string =>
      text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    const decoded = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const reencode = (fields: Record<string, unknown>): string =>
      `${base64UrlEncodeText(JSON.stringify(fields))}.${mac}`;
    const withPayload = (payload: string): Send => body({ ...valid, payload });
    const invalid: Expect = { code: 'payload-invalid', status: 400 };
    const cases: [string, Send, Expect][] = [
      ...[...mac].map((_, i): [string, Send, Expect] => [
        `MAC character ${i} changed`,
        withPayload(`${encoded}.${flip(mac, i)}`),
        invalid,
      ]),
      ...[0, 5, encoded.length - 1].map((i): [string, Send, Expect] => [
        `body character ${i} changed`,
        withPayload(`${flip(encoded, i)}.${mac}`),
        invalid,
      ]),
      ['amount changed to 1', withPayload(reencode({ ...decoded, amount: 1 })), invalid],
      [
        'customer changed',
        withPayload(reencode({ ...decoded, customer: { ...TEST_CUSTOMER } })),
        invalid,
      ],
      [
        'exp pushed back',
        withPayload(reencode({ ...decoded, exp: (decoded.exp as number) + 3600 })),
        invalid,
      ],
      ['MAC padded', withPayload(`${valid.payload}=`), invalid],
      [
        'MAC as base64',
        withPayload(`${encoded}.${Buffer.from(mac, 'base64url').toString('base64')}`),
        invalid,
      ],
      ['MAC truncated', withPayload(valid.payload.slice(0, -1)), invalid],
      ['body only', withPayload(encoded), invalid],
      ['MAC only', withPayload(`.${mac}`), invalid],
      ['three parts', withPayload(`${valid.payload}.${mac}`), invalid],
      ['whitespace', withPayload(` ${valid.payload}`), invalid],
      [
        'signed with another key',
        withPayload(createPayload(order('bad-target'), { secretKey: 'another-secret' })),
        invalid,
      ],
      [
        'signed with a payloadKey',
        withPayload(createPayload(order('bad-target'), { payloadKey: 'another-payload-key!' })),
        invalid,
      ],
      [
        'expired an hour ago',
        withPayload(
          createPayload(order('bad-target'), {
            secretKey: SECRET_KEY,
            ttlSeconds: 60,
            now: Date.now() - 3_600_000,
          }),
        ),
        { code: 'payload-expired', status: 410, mentions: /expired/ },
      ],
      // Signed with the right key, but no payload this server would sign.
      ...(
        [
          ['version 2', { v: 2 }],
          ['amount 0', { amount: 0 }],
          ['amount -1', { amount: -1 }],
          ['amount 1.5', { amount: 1.5 }],
          ['amount "30000"', { amount: '30000' }],
          ['amount past 2^53', { amount: 2 ** 60 }],
          ['currency USD', { currency: 'USD' }],
          ['ref ../x', { ref: '../x' }],
          ['ref with a space', { ref: 'a b' }],
          ['ref __proto__', { ref: '__proto__' }],
          ['empty description', { description: '' }],
          ['returnUrl javascript:', { returnUrl: 'javascript:alert(1)' }],
          ['returnUrl data:', { returnUrl: 'data:text/html,x' }],
          ['returnUrl relative', { returnUrl: '/thanks' }],
          ['locale <script>', { locale: '<script>' }],
          // A payload's unknown customer keys (ip_address) are not read at all: not tested.
          [
            'customer phone ext.',
            { customer: { ...TEST_CUSTOMER, phone: '+86 136 3226 4147 ext. 2' } },
          ],
          ['customer as array', { customer: [] }],
          ['exp a year ahead', { exp: Math.floor(Date.now() / 1000) + 366 * 86_400 }],
          ['exp as string', { exp: String(Math.floor(Date.now() / 1000) + 600) }],
          ['no ref', { ref: undefined }],
          [
            '__proto__ beside a bad amount',
            JSON.parse('{"__proto__":{"polluted":1},"amount":0}') as Record<string, unknown>,
          ],
        ] as [string, Record<string, unknown>][]
      ).map(([label, change]): [string, Send, Expect] => [
        `signed, ${label}`,
        withPayload(foreignPayload({ ...goodFields(), ...change })),
        invalid,
      ]),
      [
        'signed, not JSON',
        withPayload(
          `${base64UrlEncodeText('hello')}.${foreignPayload(goodFields()).split('.')[1]}`,
        ),
        invalid,
      ],
    ];
    // The MAC of "not JSON" above is another body's: sign 'hello' itself too.
    const helloMac = createHmac('sha256', payloadKeyOf({ secretKey: SECRET_KEY }))
      .update(PAYLOAD_DOMAIN)
      .update(base64UrlEncodeText('[1,2]'))
      .digest('base64url');
    cases.push([
      'signed, a JSON array',
      withPayload(`${base64UrlEncodeText('[1,2]')}.${helloMac}`),
      invalid,
    ]);
    await table('POST /payments', cases);
  });

  it('answers a replayed payload with the attempt it started: no second sale, no change', async () => {
    const cases: [string, Send, Expect][] = [
      ['the paid order again', body({ payload: paidPayload }), { status: 200, newToken: true }],
      // The mode is the payload's: a body that asks for another is refused, whatever the order.
      [
        'the paid order as payment-page',
        body({ payload: paidPayload, mode: 'payment-page' }),
        { code: 'field-fixed', mentions: /mode/ },
      ],
      [
        'the paid order with its own mode repeated',
        body({ payload: paidPayload, mode: 'gate' }),
        { status: 200, newToken: true },
      ],
      [
        'the waiting order again',
        body({ payload: waitingPayload }),
        { status: 200, newToken: true },
      ],
    ];
    const problems: string[] = [];
    for (const [label, input, expect] of cases) {
      problems.push(...(await tryInput('POST /payments', label, input, expect)));
    }
    assert.deepEqual(problems, []);
    const again = await shop.post('/payments', { payload: paidPayload });
    assert.equal(again.body.paymentId, paid.paymentId);
    assert.equal(again.body.state.status, 'success');
    assert.notEqual(again.body.token, paid.token);
  });

  it('property: any JSON value, any bytes, is refused with a clear 4xx', async () => {
    await property('POST /payments', fc.jsonValue(), (value) => ({
      label: JSON.stringify(value) ?? String(value),
      input: body(value),
    }));
    await property('POST /payments', fc.uint8Array({ maxLength: 512 }), (bytes) => ({
      label: Buffer.from(bytes).toString('hex'),
      input: postJson('/payments', Buffer.from(bytes)),
    }));
    await property('POST /payments', fc.string({ unit: 'binary', maxLength: 300 }), (text) => ({
      label: text,
      input: postJson('/payments', text),
    }));
  });

  it('property: every mutation of a valid body (drop, retype, add keys, nest, truncate) is refused', async () => {
    const valid = target();
    const text = JSON.stringify(valid);
    const otherTypes = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
    );
    const fields = Object.keys(shopperFields);
    const hostileKey = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'ip_address', 'amount', 'ref'),
      fc.string({ minLength: 1, maxLength: 12 }),
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('drop-field' as const), field: fc.constantFrom(...fields) }),
      fc.record({
        kind: fc.constant('retype-field' as const),
        field: fc.constantFrom(...fields),
        value: otherTypes,
      }),
      fc.record({
        kind: fc.constant('retype-top' as const),
        key: fc.constantFrom('payload', 'customer'),
        value: otherTypes,
      }),
      fc.record({
        kind: fc.constant('add-top' as const),
        key: hostileKey,
        value: fc.jsonValue({ maxDepth: 2 }),
      }),
      fc.record({
        kind: fc.constant('add-customer' as const),
        key: hostileKey,
        value: fc.jsonValue({ maxDepth: 2 }),
      }),
      fc.record({
        kind: fc.constant('nest' as const),
        depth: fc.integer({ min: MAX_JSON_DEPTH + 1, max: 10_000 }),
      }),
      fc.record({
        kind: fc.constant('truncate' as const),
        at: fc.integer({ min: 0, max: text.length - 1 }),
      }),
      fc.record({
        kind: fc.constant('odd-char' as const),
        field: fc.constantFrom(...fields),
        char: fc.constantFrom(...INVISIBLE),
        at: fc.nat(),
      }),
    );
    await property('POST /payments', mutation, (m) => {
      let raw: string;
      const customer: Record<string, unknown> = { ...valid.customer };
      switch (m.kind) {
        case 'drop-field':
          delete customer[m.field];
          raw = JSON.stringify({ ...valid, customer });
          break;
        case 'retype-field':
          raw = JSON.stringify({ ...valid, customer: { ...customer, [m.field]: m.value } });
          break;
        case 'retype-top':
          raw = JSON.stringify({ ...valid, [m.key]: m.value });
          break;
        case 'add-top':
          // Written as text: an object literal's `__proto__` would set a prototype, not a key.
          raw = `${text.slice(0, -1)},${JSON.stringify(m.key)}:${JSON.stringify(m.value) ?? 'null'}}`;
          break;
        case 'add-customer': {
          const key = (Object.keys(customer) as string[]).includes(m.key) ? `${m.key}_` : m.key;
          raw = JSON.stringify({ ...valid, customer: '§' }).replace(
            '"§"',
            `${JSON.stringify(customer).slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(m.value) ?? 'null'}}`,
          );
          break;
        }
        case 'nest':
          raw = `${text.slice(0, -1)},"x":${nestedArrays(m.depth)}}`;
          break;
        case 'truncate':
          raw = text.slice(0, m.at);
          break;
        case 'odd-char': {
          const value = valid.customer[m.field];
          const at = m.at % (value.length + 1);
          customer[m.field] = `${value.slice(0, at)}${m.char}${value.slice(at)}`;
          // At either end, what trim() removes is removed before the rules: not a mutation.
          fc.pre((customer[m.field] as string).trim() !== value);
          raw = JSON.stringify({ ...valid, customer });
          break;
        }
      }
      return { label: `${m.kind}: ${raw}`, input: postJson('/payments', raw) };
    });
  });
});
