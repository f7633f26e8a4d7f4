import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logText, MAX_LOGGED_TEXT } from '../../../src/shared/log-text.js';

describe('logText', () => {
  it('escapes newlines and controls so one value cannot forge another log line', () => {
    const forged = 'x\n[checkout] callback applied order-1 success\r\u2028\u202e';
    const text = logText(forged);
    assert.equal(text.includes('\n'), false);
    assert.equal(text.includes('\r'), false);
    assert.equal(
      text,
      'x\\u{a}[checkout] callback applied order-1 success\\u{d}\\u{2028}\\u{202e}',
    );
  });
  it('cuts long text and says how long it was', () => {
    const text = logText('a'.repeat(5000));
    assert.ok(text.startsWith('a'.repeat(MAX_LOGGED_TEXT)));
    assert.match(text, /… \(5000 characters\)$/);
  });
  it('keeps Chinese text and paired surrogates, escapes lone ones', () => {
    assert.equal(logText('北京 😀'), '北京 😀');
    assert.equal(logText('a\ud800b'), 'a\\u{d800}b');
  });
});
