// examples/hono: its server as written, a whole payment over HTTP against the sandbox.
import { test } from 'node:test';
import { paysOverHttp } from './helpers.mjs';

test('hono: a whole payment over HTTP (start, SSE, Approve, success)', (t) =>
  paysOverHttp(t, 'hono'));
