import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { signAsPlatform } from '../../../src/sandbox/callbacks.js';
import {
  canonicalString,
  checkSignature,
  compareNatural,
  FLOAT_FORMATS,
  SignatureError,
  sign,
  SIGNATURE_ORDERINGS,
  verify,
} from '../../../src/ecommpay/signature.js';

// PROTOCOL.md §1, re-checked there against the official SDKs.
const VECTORS: [secret: string, json: string, signature: string][] = [
  [
    'secret',
    '{"customer":{"project_id":0,"id":"sutm_id"},"card":{"pan":"4242424242424242","year":2020,"month":8,"card_holder":"John Smith","cvv":"123","save":true},"frame_mode":"popup"}',
    'lY0LTSAzpR7zGce5qfYGacOuYlHGWqkMcQlqmjlsDDZI2gVcE1qVeWANnkIR7mdOqRXJnL1kO0lUmkQ0YYLWRg==',
  ],
  [
    'secret',
    '{"payment":{"id":"000049","status":"success"}}',
    '/3TrhHVz9BHaLfgLyhoxO7dsQNzbzZa/TdO3pxQocXWwgVM6tGlzMLVfpOxFNTnkR9iiFVK/77ZedMcbkCjmng==',
  ],
  [
    'qwerty',
    '{"payment":{"id":"test-payment","status":"success"},"some_bool_param":true,"frame_mode":"popup"}',
    'TZS0J65ReNUMgKzeXUey9xOGGyC7r4OhsFXt/3H8XZM2Le8Wot2E1NIjeSPOyV1F3sUU6F3kfo9om2dhbe3ieA==',
  ],
  [
    'qwerty',
    '{"payment":{"id":"test-payment"},"errors":[{"code":"123","message":"grand crash","description":["description-str",{"description1":1}]},{"code":"456","message":"minor crash","description":null}]}',
    'dxjnun8oySSl0CWlhhjy/k1V9CZcCtaHvu/Y5qJQbWHq8wd6TqTUt4bIfHrlWxT8ba9NOJfkgGHrGc5OgyQVGA==',
  ],
  [
    'qwerty',
    '{"errors":[{"message":"error1","code":1,"fail":true},{"message":"error2","code":2,"fail":false},{"message":"error3","code":3,"fail":{"sub-fail":{"test":1}}}],"sum_converted":{"amount":10000,"currency":"EUR"}}',
    'oXF9a0F80FBkT5plV1aVcQIVSWr3l07StkQ2izUKmy//H2S9gMX982Kgm4tXB4+Ze1S5E1jeKhwheIgYMZ4J+w==',
  ],
  [
    'qwerty',
    '{"project_id":11,"payment_currency":"EUR","frame_mode":"popup","some_bool_param":true,"two_levels_param":{"param1":1,"param2":2}}',
    'ehwG+e+Sq6b0QEek2hmHGUFzViX9/Xfcgnh0Ysn1+AqCY8BsKhC/Vcyr4XH8CKXW3iS0vW9S2mTwOt/0Ozf5pg==',
  ],
  [
    'secret',
    '{"general":{"project_id":3254,"payment_id":"id_38202316"},"customer":{"id":"585741","email":"johndoe@mycompany.com","first_name":"John","last_name":"Doe","address":"Downing str., 23","identify":{"doc_number":"54122312544"},"ip_address":"111.222.333.444"},"payment":{"amount":10800,"currency":"USD","description":"Computer keyboards"},"receipt_data":{"positions":[{"quantity":10,"amount":108,"description":"Computer keyboard"}]},"return_url":{"success":"https://paymentpage.mycompany.com/complete-redirect?id=success","decline":"https://paymentpage.mycompany.com/complete-redirect?id=decline"}}',
    'VLLZzVNGevQNhr1b4TEhbC4qqHD17Kyn/M6FPNN93ttyk/amJgD/R6dayTKVvW6/QCRdq4hOf8R2w/xbUa8f2w==',
  ],
];

describe('sign: the test vectors of PROTOCOL.md', () => {
  VECTORS.forEach(([secret, json, expected], index) => {
    it(`vector ${index + 1} in every ordering`, () => {
      for (const ordering of SIGNATURE_ORDERINGS) {
        assert.equal(sign(JSON.parse(json), secret, ordering), expected, ordering);
      }
    });
    it(`vector ${index + 1} verifies at the top level and in general.signature`, () => {
      const top = { ...JSON.parse(json), signature: expected };
      assert.equal(verify(top, secret), true);
      assert.equal(verify(top, `${secret}x`), false);
      const data = JSON.parse(json);
      const nested = { ...data, general: { ...(data.general ?? {}), signature: expected } };
      // `general` itself is signed data: a vector without it gains an empty object, which signs as nothing.
      assert.equal(verify(nested, secret), true);
    });
  });

  it('flattens as PROTOCOL.md shows, before the HMAC', () => {
    const data = JSON.parse(
      '{"0":null,"a":{"b":1,"c":2},"d":false,"f":["g",{"h":7,"i":{"k":8}}],"e":[4,5],"l":{"m":[{"n":9}]}}',
    );
    const expected = '0:;a:b:1;a:c:2;d:0;e:0:4;e:1:5;f:0:g;f:1:h:7;f:1:i:k:8;l:m:0:n:9';
    for (const ordering of SIGNATURE_ORDERINGS)
      assert.equal(canonicalString(data, ordering), expected);
  });

  it('signs Chinese text as raw UTF-8 and skips empty objects and arrays', () => {
    assert.equal(
      canonicalString({ customer: { first_name: '伍', city: '北京' }, x: {}, y: [] }),
      'customer:city:北京;customer:first_name:伍',
    );
  });

  it('skips signature at the top level and in general, frame_mode at the top level only', () => {
    assert.equal(
      canonicalString({ general: { signature: 's', id: 1 }, signature: 'x', frame_mode: 'popup' }),
      'general:id:1',
    );
    // Anywhere else they are data like any other: added unseen, they would change nothing.
    assert.equal(
      canonicalString({ a: { frame_mode: 'popup', signature: 's', b: 1 } }),
      'a:b:1;a:frame_mode:popup;a:signature:s',
    );
    assert.equal(canonicalString({ general: { x: { signature: 's' } } }), 'general:x:signature:s');
    for (const ordering of SIGNATURE_ORDERINGS) {
      assert.equal(
        canonicalString({ a: [{ frame_mode: 1 }], frame_mode: 2 }, ordering),
        'a:0:frame_mode:1',
      );
    }
  });
});

describe('the orderings where the SDKs disagree', () => {
  const data = {
    x10: 'a',
    x2: 'b',
    list: Array.from({ length: 11 }, (_, i) => i),
    'a:b': 1,
    'a-b': 2,
    a: 3,
    deep: { 'c:d': 4 },
    k: { '😀': 5, '～': 6 },
  };

  it('natural (PHP) compares digit runs as numbers and escapes ":" in keys', () => {
    const text = canonicalString(data, 'natural');
    assert.ok(text.indexOf('x2:b') < text.indexOf('x10:a'));
    assert.ok(text.indexOf('list:2:2') < text.indexOf('list:10:10'));
    assert.ok(text.includes('a::b:1'));
  });

  it('per-level (JS SDK) orders array indexes numerically and keeps ":" as is', () => {
    const text = canonicalString(data, 'per-level');
    assert.ok(text.indexOf('list:9:9') < text.indexOf('list:10:10'));
    assert.ok(text.indexOf('x10:a') < text.indexOf('x2:b'));
    assert.ok(text.includes(';a:b:1;'));
  });

  it('path (Python) sorts the escaped paths by code point', () => {
    const text = canonicalString(data, 'path');
    assert.ok(
      text.startsWith('a:3;a-b:2;a::b:1;deep:c::d:4;k:～:6;k:😀:5;list:0:0;list:1:1;list:10:10'),
    );
  });

  it('utf16 (Java) sorts the escaped path:value strings by UTF-16 code unit', () => {
    const text = canonicalString(data, 'utf16');
    assert.ok(text.startsWith('a-b:2;a:3;a::b:1;deep:c::d:4;k:😀:5;k:～:6;list:0:0;list:10:10'));
  });

  it('codepoint (Go) sorts the path:value strings, escaping ":" in top-level keys only', () => {
    // Was: no escaping at all, which no SDK does (Go escapes the top level).
    const text = canonicalString(data, 'codepoint');
    assert.ok(text.startsWith('a-b:2;a:3;a::b:1;deep:c:d:4;k:～:6;k:😀:5;list:0:0;list:10:10'));
  });

  it('verify accepts a signature made in any known ordering and says which', () => {
    // Signed as another signer would: ours refuses a ":" in a key (see "what sign refuses").
    const texts = SIGNATURE_ORDERINGS.map((ordering) => canonicalString(data, ordering));
    assert.equal(new Set(texts).size, SIGNATURE_ORDERINGS.length, 'the data tells them apart');
    SIGNATURE_ORDERINGS.forEach((ordering, i) => {
      const signature = createHmac('sha512', 'key').update(texts[i]).digest('base64');
      assert.deepEqual(checkSignature({ ...data, signature }, 'key'), { valid: true, ordering });
    });
  });

  it("natural order is PHP's strnatcmp: leading zeros first (a001 < a01 < a1), spaces skipped", () => {
    // As `php -r 'ksort($a, SORT_NATURAL)'` orders them (PHP 8.2).
    const sorted = ['a10', 'a2', 'a02', 'a1b', 'b', 'a', 'a1', 'a01', 'a001', 'x 1', 'x  2'].sort(
      compareNatural,
    );
    assert.deepEqual(sorted, [
      'a',
      'a001',
      'a01',
      'a02',
      'a1',
      'a1b',
      'a2',
      'a10',
      'b',
      'x 1',
      'x  2',
    ]);
    assert.equal(compareNatural('x 1', 'x1'), 0);
    assert.ok(compareNatural('007', '8') < 0, 'leading zeros of the whole string are skipped');
  });

  it('per-level treats only array indexes (below 2^32 - 1) as integers', () => {
    const text = canonicalString(
      { '4294967295': 'a', '4294967294': 'b', '9': 'c', '01': 'd' },
      'per-level',
    );
    assert.equal(text, '9:c;4294967294:b;01:d;4294967295:a');
  });

  it('every SDK joins a key to an empty prefix without ":"', () => {
    for (const ordering of SIGNATURE_ORDERINGS) {
      assert.equal(canonicalString({ '': { a: 1 }, b: 2 }, ordering), 'a:1;b:2');
    }
  });
});

describe('sign refuses what has no agreed form', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'a float the SDKs write differently',
      { payment: { rate: 1e-7 } },
      /^payment:rate: 1e-7 is a float the official SDKs write differently \(PHP 1\.0E-7, Python 1e-07, JS 1e-7, Java 1\.0E-7; Go truncates\)/,
    ],
    ['NaN', { a: NaN }, /^a: NaN cannot be signed/],
    ['Infinity', { a: [Infinity] }, /^a:0: Infinity cannot be signed/],
    ['an integer past 2^53', { id: 2 ** 53 + 2 }, /past 2\^53/],
    ['a BigInt', { id: 10n }, /BigInt/],
    ['a function', { f: () => 1 }, /function cannot be signed/],
    ['a symbol', { s: Symbol('x') }, /symbol cannot be signed/],
    ['a Date', { d: new Date(0) }, /Date object cannot be signed/],
    ['undefined in an array', { a: [1, undefined] }, /^a:1: undefined/],
    ['a string at the root', 'text', /only a JSON object/],
  ];
  for (const [name, data, message] of cases) {
    it(name, () =>
      assert.throws(
        () => sign(data, 'key'),
        (e: unknown) => e instanceof SignatureError && message.test(e.message),
      ),
    );
  }

  it('a cycle', () => {
    const data: Record<string, unknown> = { a: 1 };
    data.self = { back: data };
    assert.throws(() => sign(data, 'key'), /self:back: the data refers to itself/);
  });

  it('an empty secret key', () => {
    assert.throws(() => sign({ a: 1 }, ''), /secretKey/);
  });

  it('verify answers false with a reason instead of throwing', () => {
    assert.deepEqual(checkSignature({ a: NaN, signature: 'x' }, 'key'), {
      valid: false,
      reason: 'cannot be verified: a: NaN cannot be signed',
    });
    assert.equal(checkSignature({ a: 1 }, 'key').valid, false);
    assert.equal(verify({ a: 1, signature: 'not base64 at all!' }, 'key'), false);
  });

  it('leaves out properties that are undefined, as JSON.stringify does', () => {
    assert.equal(sign({ a: 1, b: undefined }, 'key'), sign({ a: 1 }, 'key'));
  });
});

describe('sign refuses what would read as another message (the signing oracle)', () => {
  const refused: [string, unknown, RegExp][] = [
    [
      'a ";" in a value',
      { customer: { city: '北京;x' } },
      /^customer:city: the value contains ";"/,
    ],
    ['a ";" deep in an array', { a: [{ b: ['x', 'y;'] }] }, /^a:0:b:1: the value contains ";"/],
    ['a ":" in a key', { 'a:b': 1 }, /^a:b: a key contains ":"/],
    ['a ";" in a key', { a: { 'b;c': 'x' } }, /^a:b;c: a key contains ";"/],
    // Every SDK drops an empty prefix: {"": {"a": 1}} would sign as {"a": 1}.
    ['an empty top-level key holding an object', { '': { a: 1 } }, /^a: an empty key/],
    ['an empty key deeper', { a: { '': 1 } }, /^a:: an empty key/],
  ];
  for (const [name, data, message] of refused) {
    it(name, () =>
      assert.throws(
        () => sign(data, 'key'),
        (e: unknown) => e instanceof SignatureError && message.test(e.message),
      ),
    );
  }

  it('an empty key still verifies: the guard is on what we sign', () => {
    const data = { '': { a: 1 }, b: { '': 2 } };
    assert.equal(canonicalString(data), 'a:1;b::2');
    assert.equal(verify({ ...data, signature: signAsPlatform(data, 'key') }, 'key'), true);
  });

  it("a Payment Page link whose city would sign a callback's string", () => {
    // The attack of issue #13: the link's string equals that of "payment T: success".
    const link = {
      customer_city: '北京;payment:id:T;payment:status:success;project_id:7;zzz:',
      payment_id: 'mine',
      project_id: 7,
    };
    const callback = {
      customer_city: '北京',
      payment: { id: 'T', status: 'success' },
      project_id: 7,
      zzz: ';payment_id:mine;project_id:7',
    };
    assert.equal(canonicalString(link), canonicalString(callback), 'the ambiguity itself');
    assert.throws(
      () => sign(link, 'key'),
      (e: unknown) => e instanceof SignatureError && e.path === 'customer_city',
    );
  });

  it('a ";" in what the platform signed still verifies: the guard is on what we sign', () => {
    const genuine = {
      project_id: 7,
      payment: { id: 'p-1', status: 'decline', description: '茶具; 2 件' },
      operation: { code: '20100', message: 'Insufficient funds; try another card' },
    };
    const signature = signAsPlatform(genuine, 'key');
    assert.deepEqual(checkSignature({ ...genuine, signature }, 'key'), {
      valid: true,
      ordering: 'natural',
    });
    assert.equal(verify({ general: { signature }, ...genuine }, 'key'), true);
  });

  it('a verified callback padded with frame_mode or signature below the top no longer verifies', () => {
    const callback = { project_id: 7, payment: { id: 'p-1', status: 'success' } };
    const signature = signAsPlatform(callback, 'key');
    assert.equal(verify({ ...callback, signature }, 'key'), true);
    assert.equal(verify({ ...callback, frame_mode: 'x'.repeat(1000), signature }, 'key'), true);
    const padded = [
      { ...callback, payment: { ...callback.payment, frame_mode: 'x'.repeat(1000) } },
      { ...callback, pad: { frame_mode: ['x'] } },
      { ...callback, payment: { ...callback.payment, signature: 'x' } },
      { ...callback, general: { frame_mode: 'x' } },
    ];
    for (const body of padded) {
      assert.equal(verify({ ...body, signature }, 'key'), false, JSON.stringify(body));
    }
  });
});

// Random JSON as callbacks carry it: Chinese text, null, booleans, small arrays, empty objects.
const leaf = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('伍', '倩文', '北京市朝阳区', 'qwerty@qwe.fff', ''),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(
  fc.constantFrom('payment', 'id', 'status', 'sum', 'amount', 'customer'),
  fc.string({ minLength: 1, maxLength: 6 }),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
  // Below the top level `signature` and `frame_mode` are data like any other key.
  object: fc.dictionary(
    key.filter((k) => k !== '__proto__'),
    tie('tree'),
    { maxKeys: 5 },
  ),
  array: fc.array(tie('tree'), { maxLength: 4 }),
}));
const message = fc.dictionary(
  key.filter(
    (k) => k !== 'signature' && k !== 'frame_mode' && k !== 'general' && k !== '__proto__',
  ),
  tree,
  { minKeys: 1, maxKeys: 6 },
);

/** Paths to every leaf that the signature covers. */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [path];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return entries.flatMap(([k, v]) => leafPaths(v, [...path, k]));
}

function changeLeaf(data: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  const old = parent[last];
  parent[last] =
    typeof old === 'string'
      ? `${old}x`
      : typeof old === 'number'
        ? old + 1
        : typeof old === 'boolean'
          ? !old
          : 'x';
  return copy;
}

/**
 * Whether `sign()` must refuse `value`: a leaf that is a string with a `;`, or that lies below a
 * key with a `:` or `;` (a key without leaves under it signs nothing).
 */
function ambiguous(value: unknown, badKey = false): boolean {
  if (typeof value !== 'object' || value === null) {
    return badKey || (typeof value === 'string' && value.includes(';'));
  }
  const entries = Array.isArray(value)
    ? value.map((v) => ['0', v] as const)
    : Object.entries(value);
  return entries.some(([k, v]) => ambiguous(v, badKey || k === '' || /[:;]/.test(k)));
}

describe('properties on random nested JSON', () => {
  it('verify(sign(x)) holds; sign refuses exactly the data with ";" in a value, ":" or ";" in a key', () => {
    fc.assert(
      fc.property(message, fc.string({ minLength: 1, maxLength: 16 }), (data, secret) => {
        // What the platform signed always verifies, whatever its texts hold.
        const platform = signAsPlatform(data, secret);
        assert.equal(verify({ ...data, signature: platform }, secret), true);
        if (ambiguous(data)) {
          assert.throws(() => sign(data, secret), SignatureError);
        } else {
          assert.equal(sign(data, secret), platform);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('changing any one leaf makes it fail', () => {
    fc.assert(
      fc.property(message, fc.nat(), (data, pick) => {
        const paths = leafPaths(data);
        fc.pre(paths.length > 0 && paths[0].length > 0);
        const path = paths[pick % paths.length];
        const signature = signAsPlatform(data, 'secret');
        const changed = changeLeaf(data, path) as Record<string, unknown>;
        assert.equal(
          verify({ ...changed, signature }, 'secret'),
          false,
          `changed ${path.join(':')}`,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('natural order: the fast sort key agrees with the comparison', () => {
  // Keys with digit runs, leading zeros, ":" and Chinese, where a plain sort would differ.
  const naturalKey = fc.oneof(
    fc.constantFrom('x2', 'x10', 'x02', 'x010', 'a', 'a-b', 'a:b', '0', '007', '10', '伍', 'b1c2'),
    fc.stringMatching(/^[a-c0-9:-]{1,5}$/),
  );
  const flat = fc.dictionary(naturalKey, fc.integer({ min: 0, max: 99 }), {
    minKeys: 1,
    maxKeys: 12,
  });

  it('canonicalString(natural) orders the paths as compareNatural does', () => {
    fc.assert(
      fc.property(fc.dictionary(naturalKey, flat, { maxKeys: 4 }), (data) => {
        const lines = Object.entries(data).flatMap(([outer, inner]) =>
          Object.entries(inner).map(([key, value]) => {
            const path = `${outer.replaceAll(':', '::')}:${key.replaceAll(':', '::')}`;
            return { path, line: `${path}:${value}` };
          }),
        );
        const expected = lines
          .sort((x, y) => compareNatural(x.path, y.path))
          .map((l) => l.line)
          .join(';');
        assert.equal(canonicalString(data, 'natural'), expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('floats', () => {
  const body = { id: 'p1', sum: { amount: 4200, rate: 1.5, fee: 0.1 + 0.2, tiny: 0.0005 } };

  it('sign writes a float as most official signers do (the JS and Python form)', () => {
    assert.equal(
      canonicalString(body),
      'id:p1;sum:amount:4200;sum:fee:0.30000000000000004;sum:rate:1.5;sum:tiny:0.0005',
    );
    // -0 goes out as 0 (JSON.stringify writes it so), a whole float as an integer.
    assert.equal(canonicalString({ a: -0, b: 100.0 }), 'a:0;b:100');
  });

  it('each SDK form, as the fixture shows the SDKs write them', () => {
    const forms = (value: number): string[] =>
      FLOAT_FORMATS.map((f) => canonicalString({ v: value }, 'natural', f).slice(2));
    // js, php, python, java
    assert.deepEqual(forms(0.1 + 0.2), [
      '0.30000000000000004',
      '0.3',
      '0.30000000000000004',
      '0.30000000000000004',
    ]);
    assert.deepEqual(forms(1e-5), ['0.00001', '1.0E-5', '1e-05', '1.0E-5']);
    assert.deepEqual(forms(12345678.5), ['12345678.5', '12345678.5', '12345678.5', '1.23456785E7']);
    assert.deepEqual(forms(1e21), ['1e+21', '1.0E+21', '1e+21', '1.0E21']);
    assert.deepEqual(forms(-0), ['0', '-0', '-0.0', '-0.0']);
    assert.deepEqual(forms(10000000000000.5), [
      '10000000000000.5',
      '10000000000000', // PHP rounds half to even at 14 digits
      '10000000000000.5',
      '1.00000000000005E13',
    ]);
    assert.deepEqual(forms(2 ** 63), [
      '9223372036854776000',
      '9.2233720368548E+18', // a PHP int no more
      '9223372036854776000',
      '9223372036854776000',
    ]);
  });

  it('verify accepts a float signed the PHP, Python, JS or Java way, and not the Go way', () => {
    for (const floats of FLOAT_FORMATS) {
      const signature = createHmac('sha512', 'key')
        .update(canonicalString(body, 'natural', floats))
        .digest('base64');
      assert.equal(verify({ ...body, signature }, 'key'), true, floats);
    }
    const truncated = { ...body, sum: { ...body.sum, rate: 1, fee: 0, tiny: 0 } };
    const signature = sign(truncated, 'key', 'codepoint');
    assert.equal(verify({ ...body, signature }, 'key'), false);
  });

  it('verify(sign(x)) holds for any float sign accepts', () => {
    const float = fc.double({ noNaN: true, noDefaultInfinity: true });
    // Keys sign() takes (not empty, no ":" or ";", see "what sign refuses").
    const safeKey = fc.string({ minLength: 1, maxLength: 4 }).filter((k) => !/[:;]/.test(k));
    fc.assert(
      fc.property(fc.dictionary(safeKey, float, { minKeys: 1 }), (data) => {
        let signature: string;
        try {
          signature = sign(data, 'key');
        } catch (error) {
          assert.ok(error instanceof SignatureError);
          assert.match(error.message, /write differently|past 2\^53/);
          return;
        }
        assert.equal(verify({ ...data, signature }, 'key'), true);
      }),
      { numRuns: 500 },
    );
  });
});
