// The bad-input suite, POST /callback: unsigned, malformed and signed-but-hostile callbacks
// (server/callback-receiver.ts). Run by test/node/bad-input.test.ts, which prints the figures of
// all its parts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '../../../src/server/http.js';
import { signAsPlatform } from '../../../src/sandbox/callbacks.js';
import { PROJECT_ID, SECRET_KEY } from '../../helpers/toolkit.js';
import {
  awaitStatus,
  type Expect,
  HOSTILE_QR,
  logLines,
  nestedArrays,
  paid,
  postJson,
  property,
  type Send,
  shop,
  statusPath,
  table,
  waiting,
  DRAWN_QR,
} from '../../helpers/bad-input.js';

describe('POST /callback', () => {
  // What the platform is answered decides whether it retries (PROTOCOL.md §3: anything but 200
  // is retried, up to 120 times in 11 days). The rule enforced here:
  //
  // - not JSON, not UTF-8, too deep, too large (16 KiB): 400/413; not shaped like a callback
  //   (no `payment` or `general` object, too many values, a key or value too long), signed or
  //   not: 400, before the signature is even checked; unsigned or wrongly signed: 403
  //   `bad-signature`. Nothing is stored: an unsigned body is nobody's. Such a body never came
  //   from ECommPay (every callback has its `payment`), so whether it is "retried" does not
  //   matter.
  // - signed, but not a callback we can read (wrong types, an unknown status, a `qr_data` no
  //   QR code can hold): 200, recorded as `unreadable` for reconciliation, the payment
  //   untouched. The platform would resend the very same bytes, which can never be read
  //   either: a non-200 would only buy 120 useless retries.
  // - signed for another project: 400 `wrong-project`, recorded. Our configuration is wrong,
  //   and a retry after it is fixed succeeds.
  // - signed, for a payment we do not know, or a replay of an older callback after the final
  //   one: 200, recorded (`unknown-payment`, `ignored`); the state never moves back. The very
  //   same bytes again are counted on the record of their first arrival, not stored again.
  //
  // The QR rule (wire/qr.ts): `qr_data` is any non-empty string of at most 2,330 bytes of
  // UTF-8 (what the element's QR code holds) without control characters or lone surrogates.
  // ECommPay sends https URLs (the seed; the fixtures), QR payment providers EMVCo payloads,
  // the sandbox's bank app is http on a LAN: each is drawn as it came. The element offers a
  // link only for https (wire/qr.ts `appLinkFor`; test/browser/bad-attributes.test.ts).

  let awaitingCallback: Record<string, unknown>;
  let paidCallbacks: Record<string, unknown>[];

  before(() => {
    const sandboxWaiting = shop.sandbox.control.payment(PROJECT_ID, waiting.paymentId)!;
    awaitingCallback = stripSignature(sandboxWaiting.callbacks[0]);
    paidCallbacks = shop.sandbox.control.payment(PROJECT_ID, paid.paymentId)!.callbacks;
    assert.equal(
      (awaitingCallback.payment as { status: string }).status,
      'awaiting customer action',
    );
  });

  function stripSignature(callback: Record<string, unknown>): Record<string, unknown> {
    const { signature: _signature, ...rest } = structuredClone(callback);
    return rest;
  }
  // Signed as the platform signs: whatever its texts hold (a ";" included).
  const signed = (callback: Record<string, unknown>, key = SECRET_KEY): string =>
    JSON.stringify({ ...callback, signature: signAsPlatform(callback, key) });
  /** Signs JSON text with `"signature"` as the last key (keeps `__proto__` keys as keys). */
  const signedText = (text: string): string => {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return `${text.slice(0, -1)},"signature":${JSON.stringify(signAsPlatform(parsed, SECRET_KEY))}}`;
  };
  const callback = (text: string | Buffer): Send => postJson('/callback', text);
  /** The waiting payment's own callback with one change. */
  const changed = (change: (c: Record<string, unknown>) => void): Record<string, unknown> => {
    const copy = structuredClone(awaitingCallback);
    change(copy);
    return copy;
  };
  const unreadable: Expect = { status: 200, records: 'unreadable' };

  it('refuses malformed, unsigned and wrongly signed callbacks, storing nothing', async () => {
    const valid = signed(awaitingCallback);
    await table('POST /callback', [
      ...['', '{', '{"signature":', '\ufeff', "{'a':1}", 'NaN'].map(
        (text): [string, Send, Expect] => [
          text,
          callback(text),
          { code: 'bad-request', status: 400 },
        ],
      ),
      ...[...Array(valid.length).keys()]
        .filter((n) => n % 23 === 0)
        .map((n): [string, Send, Expect] => [
          `signed, truncated at ${n}`,
          callback(valid.slice(0, n)),
          { code: 'bad-request', mentions: /not JSON/ },
        ]),
      ...[
        'null',
        '[]',
        '"x"',
        '{}',
        '[1]',
        '1',
        'true',
        '{"signature":""}',
        '{"signature":1}',
        '{"general":{"signature":null}}',
      ].map((text): [string, Send, Expect] => [
        text,
        callback(text),
        { code: ['bad-signature', 'bad-request'] },
      ]),
      [
        'unsigned',
        callback(JSON.stringify(awaitingCallback)),
        { code: 'bad-signature', status: 403 },
      ],
      [
        'signed with another key',
        callback(signed(awaitingCallback, 'another-key')),
        { code: 'bad-signature', status: 403 },
      ],
      [
        'signature of another callback',
        callback(
          JSON.stringify({
            ...changed((c) => ((c.payment as Record<string, unknown>).status = 'success')),
            signature: JSON.parse(valid).signature,
          }),
        ),
        { code: 'bad-signature', status: 403 },
      ],
      [
        'signed, then the amount changed',
        callback(valid.replace('"amount":30000', '"amount":1')),
        { code: 'bad-signature', status: 403 },
      ],
      [
        'a float inside',
        callback(JSON.stringify({ ...awaitingCallback, x: 1.5, signature: 'AAAA' })),
        { code: 'bad-signature', status: 403 },
      ],
      ...[MAX_JSON_DEPTH + 1, 1000].map((depth): [string, Send, Expect] => [
        `${depth} levels deep, signed-looking`,
        callback(`{"signature":"x","a":${nestedArrays(depth)}}`),
        { code: 'bad-request', mentions: /deeper/ },
      ]),
      [
        '10000 levels deep, signed-looking: over the callback limit first',
        callback(`{"signature":"x","a":${nestedArrays(10_000)}}`),
        { code: 'too-large', status: 413 },
      ],
      ['1 MiB', callback(`{"x":"${'x'.repeat(1024 * 1024)}"}`), { code: 'too-large', status: 413 }],
      [
        '1 MiB chunked',
        { ...callback('x'.repeat(1024 * 1024)), chunked: true },
        { code: 'too-large', status: 413 },
      ],
      [
        'invalid UTF-8',
        callback(
          Buffer.concat([
            Buffer.from(valid.slice(0, 30)),
            Buffer.from([0xff, 0xc0]),
            Buffer.from(valid.slice(30)),
          ]),
        ),
        { code: 'bad-request', mentions: /UTF-8/ },
      ],
      [
        'GET',
        { method: 'GET', path: '/cup-qr/callback' },
        { code: 'method-not-allowed', status: 405 },
      ],
      ['PUT', { ...callback(valid), method: 'PUT' }, { code: 'method-not-allowed', status: 405 }],
    ]);
  });

  it('answers a signed but unreadable callback 200 and records it, the payment untouched', async () => {
    const cases: [string, Send, Expect][] = [];
    const add = (label: string, c: Record<string, unknown>): void => {
      cases.push([label, callback(signed(c)), unreadable]);
    };
    const payment = (c: Record<string, unknown>): Record<string, unknown> =>
      c.payment as Record<string, unknown>;
    add(
      'project_id "843"',
      changed((c) => (c.project_id = String(PROJECT_ID))),
    );
    add(
      'project_id missing',
      changed((c) => delete c.project_id),
    );
    const notCallback: Expect = {
      status: 400,
      code: 'bad-request',
      mentions: /neither a payment nor a general object/,
    };
    cases.push([
      'payment an array: not a callback, signed or not',
      callback(signed(changed((c) => (c.payment = [])))),
      notCallback,
    ]);
    add(
      'payment.id an object',
      changed((c) => (payment(c).id = { id: waiting.paymentId })),
    );
    add(
      'payment.id empty',
      changed((c) => (payment(c).id = '')),
    );
    add(
      'payment.status 5',
      changed((c) => (payment(c).status = 5)),
    );
    add(
      'payment.status unknown',
      changed((c) => (payment(c).status = 'refunded')),
    );
    for (const status of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      add(
        `payment.status ${status}`,
        changed((c) => (payment(c).status = status)),
      );
    }
    add(
      'payment.sum.amount "30000"',
      changed((c) => ((payment(c).sum as Record<string, unknown>).amount = '30000')),
    );
    add(
      'payment.sum.currency 156',
      changed((c) => ((payment(c).sum as Record<string, unknown>).currency = 156)),
    );
    add(
      'display_data an object',
      changed((c) => (c.display_data = { type: 'qr_data' })),
    );
    add(
      'display_data item a string',
      changed((c) => (c.display_data = ['qr_data'])),
    );
    add(
      'QR timeout "-5"',
      changed((c) => ((c.display_data as Record<string, unknown>[])[1].data = '-5')),
    );
    add(
      'QR timeout "1e9"',
      changed((c) => ((c.display_data as Record<string, unknown>[])[1].data = '1e9')),
    );
    add(
      'QR timeout a year',
      changed(
        (c) => ((c.display_data as Record<string, unknown>[])[1].data = String(366 * 86_400)),
      ),
    );
    for (const url of HOSTILE_QR) {
      add(
        `qr_data ${url}`,
        changed((c) => ((c.display_data as Record<string, unknown>[])[0].data = url)),
      );
    }
    add(
      'qr_data a number',
      changed((c) => ((c.display_data as Record<string, unknown>[])[0].data = 12345)),
    );
    cases.push([
      'a wholly different JSON object: not a callback, signed or not',
      callback(signed({ hello: 'world', list: [1, 2, 3] })),
      notCallback,
    ]);
    cases.push([
      'a __proto__ key inside, signed',
      callback(
        signedText(
          JSON.stringify(changed((c) => (payment(c).status = 'refunded'))).replace(
            '{',
            '{"__proto__":{"polluted":1},',
          ),
        ),
      ),
      unreadable,
    ]);
    await table('POST /callback', cases);
    // The log says why, by path, for whoever reconciles.
    assert.ok(
      logLines.some((line) => /display_data\[0\]\.data: no control characters/.test(line)),
      logLines.join('\n'),
    );
    assert.ok(logLines.some((line) => /payment\.status: unknown status "constructor"/.test(line)));
  });

  it('never moves a payment back, nor applies another project or an unknown payment', async () => {
    const success = stripSignature(paidCallbacks.at(-1)!);
    assert.equal((success.payment as { status: string }).status, 'success');
    const olderOfPaid = stripSignature(paidCallbacks[0]);
    const declineOfPaid = structuredClone(success);
    (declineOfPaid.payment as Record<string, unknown>).status = 'decline';
    (declineOfPaid.operation as Record<string, unknown>).code = '20602';
    const unknown = (id: string): string =>
      signed(changed((c) => ((c.payment as Record<string, unknown>).id = id)));
    await table('POST /callback', [
      // The very same bytes as delivered: counted on the record of that delivery, which
      // applied them.
      [
        'the awaiting callback after success',
        callback(signed(olderOfPaid)),
        { status: 200, records: 'applied', replay: true },
      ],
      [
        'the success callback again',
        callback(signed(success)),
        { status: 200, records: 'applied', replay: true },
      ],
      [
        'a decline after success',
        callback(signed(declineOfPaid)),
        { status: 200, records: 'ignored' },
      ],
      [
        'the awaiting callback again',
        callback(signed(awaitingCallback)),
        { status: 200, records: 'applied', replay: true },
      ],
      [
        'another project',
        callback(signed(changed((c) => (c.project_id = PROJECT_ID + 1)))),
        {
          status: 400,
          code: 'wrong-project',
          records: 'wrong-project',
          mentions: new RegExp(String(PROJECT_ID + 1)),
        },
      ],
      ...[
        'no-such-payment',
        '__proto__',
        'constructor',
        '../bad-waiting',
        'bad-waiting~2',
        '支付',
        'x'.repeat(255),
        'bad-waiting\u0000',
      ].map((id): [string, Send, Expect] => [
        `unknown payment ${id.slice(0, 20)}`,
        callback(unknown(id)),
        { status: 200, records: 'unknown-payment' },
      ]),
    ]);
  });

  it('takes any qr_data a QR code holds (http, https, EMVCo...), which the state carries as it is', async () => {
    // The positive side of the rule above, on a payment of its own.
    const created = await shop.start('bad-qr-rule');
    await awaitStatus(created, 'awaiting-customer');
    const own = stripSignature(
      shop.sandbox.control.payment(PROJECT_ID, created.paymentId)!.callbacks[0],
    );
    for (const data of [
      'http://192.168.1.20:8090/bank?p=1',
      'https://cashier.xhepay.com/paygate/union/pay/MDAy==',
      ...DRAWN_QR,
      'a'.repeat(2330),
    ]) {
      (own.display_data as Record<string, unknown>[])[0].data = data;
      const answer = await shop.post('/callback', JSON.parse(signed(own)));
      assert.equal(answer.status, 200);
      const state = (await shop.get(statusPath(created))).body as { qr: { data: string } };
      assert.equal(state.qr.data, data);
    }
  });

  it('property: any JSON, signed or not, never gets past as a change', async () => {
    await property('POST /callback', fc.jsonValue({ maxDepth: 4 }), (value) => ({
      label: JSON.stringify(value) ?? String(value),
      input: callback(JSON.stringify(value) ?? 'undefined'),
      expect: { code: ['bad-signature', 'bad-request'] },
    }));
    // Signed: objects of anything a signature can cover (no float the SDKs write differently,
    // nothing past 2^53; a ";" the platform may sign).
    const signable = fc
      .dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 })
      .filter((value) => {
        try {
          signAsPlatform(value, SECRET_KEY);
          return true;
        } catch {
          return false; // a float with no agreed form, an integer past 2^53: no signature
        }
      });
    const isObject = (v: unknown): boolean =>
      typeof v === 'object' && v !== null && !Array.isArray(v);
    await property('POST /callback', signable, (value) => {
      const text = signed(value);
      // Without a payment (or general) object it is no callback: refused before its signature.
      const shaped = isObject(value.payment) || isObject(value.general);
      return {
        label: text,
        input: callback(text),
        expect: shaped ? unreadable : { status: 400, code: 'bad-request' },
      };
    });
  });

  it('property: a signed, retyped copy of a real callback never changes the payment', async () => {
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]): void => {
      if (path.length > 0) paths.push(path);
      if (typeof value === 'object' && value !== null) {
        for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
      }
    };
    walk(awaitingCallback, []);
    const otherType = (value: unknown): fc.Arbitrary<unknown> =>
      fc.oneof(
        ...(typeof value !== 'string' ? [fc.string({ maxLength: 8 })] : []),
        ...(typeof value !== 'number' ? [fc.integer()] : []),
        ...(typeof value !== 'boolean' ? [fc.boolean()] : []),
        ...(!Array.isArray(value) ? [fc.array(fc.integer(), { maxLength: 2 })] : []),
        ...(typeof value !== 'object' || value === null || Array.isArray(value)
          ? [fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 })]
          : []),
      );
    const retyped = fc
      .constantFrom(...paths)
      .chain((path) =>
        fc.tuple(
          fc.constant(path),
          otherType(
            path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], awaitingCallback),
          ),
        ),
      );
    await property('POST /callback', retyped, ([path, value]) => {
      const copy = structuredClone(awaitingCallback);
      const parent = path
        .slice(0, -1)
        .reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], copy) as Record<
        string,
        unknown
      >;
      parent[path.at(-1)!] = value;
      const text = signed(copy);
      // Read or not, it says nothing new about the waiting payment: the state stays as it is.
      // `payment` retyped (never an object here) is no callback: refused, nothing recorded.
      const notShaped = path.length === 1 && path[0] === 'payment';
      return {
        label: `${path.join('.')} = ${JSON.stringify(value)}`,
        input: callback(text),
        expect: notShaped
          ? { status: 400, code: 'bad-request' }
          : { status: [200, 400], code: 'wrong-project', records: 'any' },
      };
    });
  });
});
