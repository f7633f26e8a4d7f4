/**
 * The PHP and Python snippets of docs/wire-protocol.md run as shown, with the standard library
 * only: each is taken out of the page, run with `php` / `python3` on the body of a payload the
 * toolkit made, and must make the very same payload (and so one `verifyPayload` accepts). The
 * PHP tidying of the customer rules gives what the toolkit's tidying gives.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createPayload, payloadKeyOf, verifyPayload } from '../../../src/server/payload.js';
import { readPayload } from '../../../src/wire/payload.js';
import { tidyCustomerField } from '../../../src/wire/customer.js';

const SPEC = readFileSync(new URL('../../../docs/wire-protocol.md', import.meta.url), 'utf8');

/** The first fenced block of `language` after the line starting with `intro`. */
function snippet(intro: string, language: string): string {
  const at = SPEC.indexOf(intro);
  assert.ok(at >= 0, `no "${intro}" in docs/wire-protocol.md`);
  const open = SPEC.indexOf(`\`\`\`${language}\n`, at);
  const close = SPEC.indexOf('\n```', open + 1);
  return SPEC.slice(open + language.length + 4, close + 1);
}

const SECRET_KEY = 'snippet-secret-key-0123456789';
const payload = createPayload(
  {
    ref: 'order-1042',
    amount: 30000,
    description: '机械键盘 "Cherry" / 红轴',
    customer: { id: 'c-77', city: '北京' },
    returnUrl: 'https://shop.example/thanks?x=1&y=2',
    locale: 'zh-CN',
  },
  { secretKey: SECRET_KEY },
);
const read = readPayload(payload);
assert.ok(read.ok);
const ORDER = JSON.stringify(read.value);

test("the PHP payload snippet makes the toolkit's payload", () => {
  const code = `$secretKey = getenv('SECRET_KEY');
$order = json_decode(stream_get_contents(STDIN), true);
${snippet('In PHP (7.1.2', 'php')}
echo $payload;`;
  const made = execFileSync('php', ['-r', code], {
    input: ORDER,
    env: { ...process.env, SECRET_KEY },
  }).toString();
  assert.equal(made, payload);
  verifyPayload(made, payloadKeyOf({ secretKey: SECRET_KEY }));
});

test("the Python payload snippet makes the toolkit's payload (standard library only)", () => {
  const code = `import os, sys, json
secret_key = os.environ["SECRET_KEY"]
order = json.loads(sys.stdin.read())
${snippet('In Python (the standard library', 'python')}
sys.stdout.write(payload)`;
  const made = execFileSync('python3', ['-I', '-c', code], {
    input: ORDER,
    env: { ...process.env, SECRET_KEY, PYTHONIOENCODING: 'utf-8' },
  }).toString();
  assert.equal(made, payload);
  assert.doesNotMatch(
    snippet('In Python (the standard library', 'python'),
    /^\s*(from|import)\s+(?!base64|hashlib|hmac|json)/m,
  );
});

test('the PHP customer tidying gives what the toolkit gives', () => {
  const inputs: [string, string][] = [
    ['phone', '+86 138-0013-8000'],
    ['phone', '0086 138 0013 8000'],
    ['phone', '(+86) 138.0013.8000'],
    ['phone', '１３８００１３８０００'],
    ['phone', '+41 79 123 45 67'],
    ['phone', '8613800138000'],
    ['city', '\u3000 北京 \t'],
  ];
  const code = `${snippet('In PHP (PCRE with', 'php')}
foreach (json_decode(stream_get_contents(STDIN), true) as [$field, $value]) echo json_encode(cupqr_tidy($field, $value), JSON_UNESCAPED_UNICODE), "\\n";`;
  const out = execFileSync('php', ['-r', code.replace(/^<\?php\s*/, '')], {
    input: JSON.stringify(inputs),
  }).toString();
  assert.deepEqual(
    out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
    inputs.map(([field, value]) => tidyCustomerField(field as 'phone', value)),
  );
});
