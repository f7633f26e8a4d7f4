// A web-test-runner plugin that serves CommonJS-only packages as ES modules.
// Imports of `name` or `name/sub/path.js` resolve to a virtual URL; the first request bundles the
// module with esbuild (browser fields, ESM output) and the result is cached for the run.
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const PREFIX = '/__commonjs__/';
const require = createRequire(import.meta.url);

export function commonJsPackages(names) {
  const cache = new Map();
  const owns = (source) => names.some((n) => source === n || source.startsWith(`${n}/`));

  // esbuild turns a CommonJS entry into a default export only; the names that Node sees on
  // `module.exports` are re-exported so that `import { create } from '…'` works too.
  async function bundle(specifier) {
    const file = require.resolve(specifier);
    const names = Object.keys(require(file)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
    const contents = [
      `import mod from ${JSON.stringify(file)};`,
      'export default mod;',
      ...names.filter((n) => n !== 'default').map((n) => `export const ${n} = mod.${n};`),
    ].join('\n');
    const result = await build({
      stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      mainFields: ['browser', 'module', 'main'],
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0].text;
  }

  return {
    name: 'commonjs-packages',
    resolveImport({ source }) {
      if (owns(source)) return `${PREFIX}${encodeURIComponent(source)}`;
      return undefined;
    },
    async serve(context) {
      if (!context.path.startsWith(PREFIX)) return undefined;
      const specifier = decodeURIComponent(context.path.slice(PREFIX.length));
      if (!owns(specifier)) return undefined;
      if (!cache.has(specifier)) cache.set(specifier, bundle(specifier));
      return { body: await cache.get(specifier), type: 'js' };
    },
  };
}
