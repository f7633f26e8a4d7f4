// docs/embedding.md's WordPress shortcode, run by PHP with WordPress's functions stubbed: the
// payload it prints verifies with the packed toolkit; an amount read from a database as a
// string is sent as an integer; a missing key and a title that is not UTF-8 print nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { payloadKeyOf, verifyPayload } from 'cup-qr-checkout/server';

const PHP = process.env.PHP ?? '/usr/bin/php';
const KEY = 'wordpress-example-secret-key';

const HARNESS = `<?php
$GLOBALS['shortcodes'] = [];
function add_action($hook, $callback) {}
function add_shortcode($name, $callback) { $GLOBALS['shortcodes'][$name] = $callback; }
function wp_register_script(...$args) {}
function wp_enqueue_script($name) {}
function plugins_url($path, $file) { return '/wp-content/plugins/shop/' . $path; }
function home_url($path) { return 'https://shop.example' . $path; }
function esc_attr($text) { return htmlspecialchars($text, ENT_QUOTES, 'UTF-8'); }
function my_shop_find_order($id) {
    return (object) ['id' => $id, 'total_fen' => getenv('TOTAL'), 'title' => hex2bin(getenv('TITLE_HEX')), 'customer_id' => 77];
}
require __DIR__ . '/shortcode.php';
echo $GLOBALS['shortcodes']['cup_qr_checkout'](['order' => '1042']);
`;

function shortcode(t, env) {
  const dir = mkdtempSync(join(tmpdir(), 'cup-qr-wp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const docs = readFileSync(new URL('../../docs/embedding.md', import.meta.url), 'utf8');
  const snippet = /```php\n([\s\S]*?)```\n/.exec(docs)[1];
  writeFileSync(join(dir, 'shortcode.php'), snippet);
  writeFileSync(join(dir, 'run.php'), HARNESS);
  const clean = { ...process.env };
  delete clean.ECOMMPAY_SECRET_KEY;
  return promisify(execFile)(PHP, [join(dir, 'run.php')], { env: { ...clean, ...env } });
}

const title = (text) => Buffer.from(text).toString('hex');

test('wordpress shortcode: a string amount from the database, a payload that verifies', async (t) => {
  const { stdout } = await shortcode(t, {
    ECOMMPAY_SECRET_KEY: KEY,
    TOTAL: '30000',
    TITLE_HEX: title('机械键盘'),
  });
  const payload =
    /^<cup-qr-checkout payload="([^"]+)" endpoint="\/cup-qr"><\/cup-qr-checkout>$/.exec(
      stdout,
    )?.[1];
  assert.ok(payload, stdout);
  const body = verifyPayload(payload, payloadKeyOf({ secretKey: KEY }));
  assert.equal(body.amount, 30000);
  assert.equal(body.ref, 'wp-1042');
  assert.equal(body.description, '机械键盘');
  assert.deepEqual(body.customer, { id: '77' });
});

test('wordpress shortcode: no key, no amount, or a title not in UTF-8: nothing printed', async (t) => {
  const cases = [
    { TOTAL: '30000', TITLE_HEX: title('键盘') },
    { ECOMMPAY_SECRET_KEY: KEY, TOTAL: '300.00', TITLE_HEX: title('键盘') },
    { ECOMMPAY_SECRET_KEY: KEY, TOTAL: '30000', TITLE_HEX: 'c328' },
  ];
  for (const env of cases) {
    const { stdout, stderr } = await shortcode(t, env);
    assert.equal(stdout, '', JSON.stringify(env));
    assert.match(stderr, /cup_qr_checkout: order 1042/, JSON.stringify(env));
  }
});
