/**
 * Gate's request paths for CUP QR (the seed's Gate section; PROTOCOL.md §2), one home for the
 * toolkit's client (server/gate/client.ts) and the sandbox that answers them (sandbox/gate.ts).
 */

/** The CUP QR purchase. */
export const GATE_SALE_PATH = '/v2/payment/cup/qr/sale';
/** A payment's status, by its `payment_id`. */
export const GATE_STATUS_PATH = '/v2/payment/status';
/** A payment's status, by the `request_id` of its sale. */
export const GATE_STATUS_BY_REQUEST_PATH = '/v2/payment/status/request';
