// The element's tag, in a module of its own: Vue's compiler option and the framework types
// name it without loading the element (and Lit) where they run, such as a bundler's config.
export const TAG_NAME = 'cup-qr-checkout';
