#!/usr/bin/env node
// The command line: the built CLI when `dist/` exists (an installed package), else the
// TypeScript sources through tsx (a clone of the repository, before `npm run build`).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
