// `cem analyze` (npm run build): custom-elements.json from the element's JSDoc API header.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The analyzer gives a default set from a constant as the constant's name
 * (`DEFAULT_ROUTE_PREFIX`); a page author needs its value. The string constants the wire protocol
 * exports, by name, quoted as the analyzer quotes literals.
 */
const PROTOCOL = new URL('./src/wire/', import.meta.url);
const CONSTANTS = Object.fromEntries(
  readdirSync(PROTOCOL).flatMap((file) =>
    [
      ...readFileSync(new URL(file, PROTOCOL), 'utf8').matchAll(
        /^export const ([A-Z_]+) = '([^']*)';$/gm,
      ),
    ].map(([, name, value]) => [name, `'${value}'`]),
  ),
);

/**
 * The analyzer names modules by their sources (`src/cup-qr-checkout.ts`), which the package
 * does not ship: every module path, and every reference to one, becomes the built file
 * (`dist/cup-qr-checkout.js`).
 */
function shipPaths(node) {
  if (Array.isArray(node)) {
    node.forEach(shipPaths);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'path' || key === 'module') && typeof value === 'string') {
      node[key] = value.replace(/^\/?src\/(.*)\.ts$/, 'dist/$1.js');
    } else {
      shipPaths(value);
    }
  }
}

export default {
  globs: ['src/cup-qr-checkout.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [
    {
      // The analyzer also lists every `dispatchEvent(new …)` call as a nameless event; the
      // documented `@fires` entries are the API.
      name: 'documented-events-only',
      packageLinkPhase({ customElementsManifest }) {
        shipPaths(customElementsManifest);
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            for (const member of [
              ...(declaration.members ?? []),
              ...(declaration.attributes ?? []),
            ]) {
              if (Object.hasOwn(CONSTANTS, member.default ?? ''))
                member.default = CONSTANTS[member.default];
            }
            if (declaration.events) {
              declaration.events = declaration.events.filter((event) =>
                event.name?.startsWith('cup-qr-'),
              );
            }
          }
        }
      },
    },
  ],
};
