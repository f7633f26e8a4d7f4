// docs/sandbox.md's "From code" snippet as it is written, with the packed package: a whole
// payment through the toolkit against the sandbox started from code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { EXAMPLES } from './helpers.mjs';

test('docs/sandbox.md "From code": the snippet pays order-1', async () => {
  const docs = readFileSync(new URL('../../docs/sandbox.md', import.meta.url), 'utf8');
  const section = docs.slice(docs.indexOf('\n## From code\n'));
  const snippet = /```js\n([\s\S]*?)```\n/.exec(section)[1];
  // Inside the workspace, so that its imports resolve to the installed tarball.
  const file = `${EXAMPLES}.pack/from-code.mjs`;
  writeFileSync(file, snippet);
  const { stdout } = await promisify(execFile)('node', [file], { cwd: EXAMPLES, timeout: 60_000 });
  assert.equal(stdout.trim(), 'success');
});
