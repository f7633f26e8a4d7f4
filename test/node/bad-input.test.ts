// Issue #8, bad input: every entry point of the toolkit (POST /payments, POST /callback, the
// status and events URLs) and the command line, fed hostile input by hand and by fast-check,
// against a real merchant server and a real sandbox on real ports.
//
// For every input: a 4xx with the one error body `{error: {code, message, fields?}}` whose code
// is in ERROR_CODES (never a 5xx, never a dropped connection); nothing stored changed (the
// store's payments, their history, its callback log, the sandbox's sales and payments);
// Object.prototype untouched; and the server still answers a valid request afterwards.
//
// Callbacks are the one place where a bad input may get 200: see "POST /callback" below.
//
// One suite in four parts, one per entry point (test/node/bad-input/*.ts), over one shop
// (test/helpers/bad-input.ts), so that the figures below count every input of them all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { figures, printFigures } from '../helpers/bad-input.js';
import './bad-input/create-payment.js';
import './bad-input/callback.js';
import './bad-input/reads.js';
import './bad-input/cli.js';

describe('figures', () => {
  it('prints them, all clean', () => {
    printFigures();
    assert.ok(figures.inputs > 1000, `only ${figures.inputs} inputs`);
    assert.equal(figures.entryPoints.size, 5, [...figures.entryPoints].join(', '));
    assert.deepEqual(
      [
        figures.crashes,
        figures.fiveXx,
        figures.dropped,
        figures.wrongShape,
        figures.storedChanges,
        figures.pollutions,
        figures.cliStackTraces,
      ],
      [0, 0, 0, 0, 0, 0, 0],
    );
  });
});
