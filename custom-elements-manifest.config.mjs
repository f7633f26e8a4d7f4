// `cem analyze` (npm run build): custom-elements.json from the element's JSDoc API header.
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
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
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
