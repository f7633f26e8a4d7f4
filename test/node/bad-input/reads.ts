// The bad-input suite, GET /payments/:id and /payments/:id/events: ids, tokens and queries
// (server/routes/status.ts, events.ts). Run by test/node/bad-input.test.ts, which prints the
// figures of all its parts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { openSse } from '../../helpers/sse-client.js';
import {
  type Expect,
  figures,
  paid,
  polluted,
  property,
  type Send,
  shop,
  snapshot,
  statusPath,
  stillServes,
  table,
  waiting,
} from '../../helpers/bad-input.js';

describe('GET /payments/:id and /payments/:id/events', () => {
  const get = (path: string, headers: Record<string, string> = {}): Send => ({
    method: 'GET',
    path: `/cup-qr${path}`,
    headers,
  });
  const both = (
    label: string,
    id: string,
    query: string,
    expect: Expect,
    headers: Record<string, string> = {},
  ): [string, Send, Expect][] => [
    [`status: ${label}`, get(`/payments/${id}${query}`, headers), expect],
    [`events: ${label}`, get(`/payments/${id}/events${query}`, headers), expect],
  ];
  const token = (): string => `?token=${encodeURIComponent(waiting.token)}`;
  const forbidden: Expect = { status: 403, code: 'forbidden' };

  it('refuses bad ids, with the answer of an unknown payment', async () => {
    await table('GET /payments/:id', [
      ...[
        '%2F',
        `${waiting.paymentId}%2F..`,
        '.%2e%2e',
        '%2e%2e.',
        `%2e%2e%2F${waiting.paymentId}`,
        '%00',
        `${waiting.paymentId}%00`,
        `${waiting.paymentId}%20`,
        encodeURIComponent(`${waiting.paymentId}\u200b`),
        '%E6%94%AF%E4%BB%98',
        '__proto__',
        'constructor',
        'prototype',
        'a'.repeat(8000),
        encodeURIComponent(paid.paymentId), // another payment, this token
        '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
        "'%20OR%201=1--",
      ].flatMap((id) => both(`id ${id.slice(0, 30)}`, id, token(), forbidden)),
      // `%2e%2e` is `..`, resolved by the URL parser before routing: no route is left.
      ...both('id %2e%2e', '%2e%2e', token(), { status: 404, code: 'not-found' }),
      ...['%', '%zz', '%E6%94', '%ED%A0%80', '%C0%AF', '%FF'].flatMap((id) =>
        both(`undecodable id ${id}`, id, token(), {
          status: 400,
          code: 'bad-request',
          mentions: /URL-encoded/,
        }),
      ),
      // `..` is resolved by the URL before routing: `/payments/../payments/x` is `/payments/x`.
      ['raw ..', { method: 'GET', path: `/cup-qr/payments/../payments/x${token()}` }, forbidden],
      [
        'raw .. out of the prefix',
        { method: 'GET', path: `/cup-qr/../etc/passwd` },
        { status: 404, code: 'not-found' },
      ],
      ['an empty id', get(`/payments/${token()}`), { status: 404, code: 'not-found' }],
      ['an id with a slash', get(`/payments/a/b${token()}`), { status: 404, code: 'not-found' }],
      [
        'events/extra',
        get(`/payments/${waiting.paymentId}/events/x${token()}`),
        { status: 404, code: 'not-found' },
      ],
      ...['POST', 'PUT', 'DELETE', 'PATCH'].map((method): [string, Send, Expect] => [
        `${method} status`,
        { method, path: `/cup-qr/payments/${waiting.paymentId}${token()}`, body: '{}' },
        { status: 405, code: 'method-not-allowed' },
      ]),
    ]);
  });

  it('refuses missing, malformed and other payments\u2019 tokens', async () => {
    const id = encodeURIComponent(waiting.paymentId);
    await table('GET /payments/:id', [
      ...both('no token', id, '', { status: 401, code: 'token-required', mentions: /token/ }),
      ...both('empty token', id, '?token=', { status: 401, code: 'token-required' }),
      ...both(
        'empty Bearer',
        id,
        '',
        { status: 401, code: 'token-required' },
        { authorization: 'Bearer ' },
      ),
      ...both(
        'Basic auth',
        id,
        '',
        { status: 401, code: 'token-required' },
        { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      ),
      ...both(
        'the paid payment\u2019s token',
        id,
        `?token=${encodeURIComponent(paid.token)}`,
        forbidden,
      ),
      ...both('the paid payment\u2019s token as Bearer', id, '', forbidden, {
        authorization: `Bearer ${paid.token}`,
      }),
      ...both(
        'a token one character off',
        id,
        `?token=${encodeURIComponent(`${waiting.token.slice(0, -1)}${waiting.token.endsWith('A') ? 'B' : 'A'}`)}`,
        forbidden,
      ),
      ...both(
        'the token in another case',
        id,
        `?token=${encodeURIComponent(waiting.token.toUpperCase())}`,
        forbidden,
      ),
      ...both(
        'the token twice over',
        id,
        `?token=${encodeURIComponent(waiting.token.repeat(2))}`,
        forbidden,
      ),
      ...both('a token of 8000 characters', id, `?token=${'A'.repeat(8000)}`, forbidden),
      ...both(
        'a token of odd Unicode',
        id,
        `?token=${encodeURIComponent('\u202e\u0000')}%ED%A0%80x`,
        forbidden,
      ),
      ...both(
        'a token with markup',
        id,
        `?token=${encodeURIComponent('<script>alert(1)</script>')}`,
        forbidden,
      ),
      ...both('the token hash instead', id, `?token=${'0'.repeat(64)}`, forbidden),
      ...both(
        'a wrong token first',
        id,
        `?token=wrong&token=${encodeURIComponent(waiting.token)}`,
        forbidden,
      ),
    ]);
  });

  it('streams the current state whatever junk Last-Event-ID and query carry', async () => {
    // Not errors: the documented answer to a client that lost count is the current state.
    const state = (await shop.get(statusPath(waiting))).body as { seq: number };
    const junk = [
      'abc',
      '-1',
      '1e3',
      '0x1',
      ' ',
      '99999999999999999999',
      '1.5',
      '\u00e9',
      '<script>',
    ];
    for (const value of junk) {
      figures.inputs++;
      const before = await snapshot();
      const sse = await openSse(
        `${shop.api}/payments/${encodeURIComponent(waiting.paymentId)}/events${token()}&x=%3Cscript%3E&x=1&__proto__=1`,
        {
          'Last-Event-ID': value,
        },
      );
      try {
        assert.equal(sse.status, 200, `Last-Event-ID ${JSON.stringify(value)}`);
        const first = await sse.next();
        assert.equal(first.id, String(state.seq));
      } finally {
        await sse.close();
      }
      assert.deepEqual(await snapshot(), before);
    }
    // A final payment with junk: its final state, then the end of the stream.
    for (const value of junk) {
      figures.inputs++;
      const sse = await openSse(`${shop.api}${statusPath(paid).replace('?', '/events?')}`, {
        'Last-Event-ID': value,
      });
      try {
        assert.equal(sse.status, 200);
        assert.equal(JSON.parse((await sse.next()).data).status, 'success');
        await sse.ended;
      } finally {
        await sse.close();
      }
    }
    assert.equal(polluted(), undefined);
    await stillServes();
  });

  it('property: any id, any token, any Last-Event-ID: a clear 4xx', async () => {
    const entry = 'GET /payments/:id';
    const byId = (id: string, events: boolean) => ({
      label: `${id}${events ? ' (events)' : ''}`,
      input: get(`/payments/${encodeURIComponent(id)}${events ? '/events' : ''}${token()}`),
      // `.` and `..` are resolved away by the URL parser: `/payments/.`, `/payments/..` and
      // `/payments/../events` leave no route, while `/payments/./events` becomes the status
      // route of a payment named "events" (unknown with this token, as any other id).
      expect:
        id === waiting.paymentId
          ? { status: 200 }
          : (id === '.' && !events) || id === '..'
            ? { status: 404, code: 'not-found' }
            : forbidden,
    });
    // Every dot segment each way, whatever the generator below happens to draw.
    await table(
      entry,
      ['.', '..'].flatMap((id) =>
        [false, true].map((events): [string, Send, Expect] => {
          const { label, input, expect } = byId(id, events);
          return [label, input, expect];
        }),
      ),
    );
    await property(
      entry,
      fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), fc.boolean()),
      ([id, events]) => byId(id, events),
    );
    await property(
      entry,
      fc.tuple(fc.string({ unit: 'binary', maxLength: 200 }), fc.boolean()),
      ([t, events]) => ({
        label: t,
        input: get(
          `/payments/${encodeURIComponent(waiting.paymentId)}${events ? '/events' : ''}?token=${encodeURIComponent(t)}`,
        ),
        expect:
          t === waiting.token
            ? { status: 200 }
            : t === ''
              ? { status: 401, code: 'token-required' }
              : forbidden,
      }),
    );
    // Raw path segments of URL-ish characters: whatever the router makes of them, a 4xx.
    const segment = fc.string({
      unit: fc.constantFrom(
        '%',
        '/',
        '.',
        '2',
        'F',
        'e',
        'E',
        '0',
        'a',
        '~',
        '?',
        '#',
        '&',
        ';',
        '=',
        '+',
        '@',
        ':',
      ),
      maxLength: 12,
    });
    await property(entry, segment, (raw) => ({
      label: raw,
      input: { method: 'GET', path: `/cup-qr/payments/x${raw}` },
    }));
    await property(
      entry,
      fc.string({ unit: fc.constantFrom(...'0123456789-+.eE xX'), maxLength: 24 }),
      (lastEventId) => ({
        // For a payment that does not exist: a 403, whatever the header says.
        label: lastEventId,
        input: get(`/payments/no-such/events${token()}`, { 'Last-Event-ID': lastEventId }),
        expect: forbidden,
      }),
    );
  });
});
