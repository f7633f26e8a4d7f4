// The wire protocol shared by the element and the server: no DOM, no Node.
export * from './problems.js';
export * from './fields.js';
export * from './status.js';
export * from './sale.js';
export * from './customer.js';
export * from './callback.js';
export * from './qr.js';
export * from './payment-state.js';
export * from './gate-answer.js';
export * from './wire.js';
