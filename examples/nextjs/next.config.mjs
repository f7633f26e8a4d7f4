import { fileURLToPath } from 'node:url';

// The examples are one npm workspace: its root (examples/) holds node_modules.
const root = fileURLToPath(new URL('..', import.meta.url));

/** @type {import('next').NextConfig} */
export default {
  turbopack: { root },
  outputFileTracingRoot: root,
};
