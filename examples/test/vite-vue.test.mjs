// examples/vite-vue: Vite's dev server with the proxy settings the docs show, in front of the
// shop's server; a whole payment in Chromium, and the page type-checked (src/TypeChecks.*
// holds what the types must refuse).
import { test } from 'node:test';
import { paysThroughVite, typeChecks } from './helpers.mjs';

test('vite-vue: a whole payment in Chromium through the Vite dev proxy', (t) =>
  paysThroughVite(t, 'vite-vue'));

test('vite-vue: the page type-checks with skipLibCheck false, no hand-written declarations', () =>
  typeChecks('vite-vue'));
