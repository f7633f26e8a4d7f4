#!/usr/bin/env node
// The command line. In a clone of the repository (src/ present) it runs the TypeScript
// sources through tsx, so it never runs a stale build; an installed package has only dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/index.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/index.js', import.meta.url).href);
}
