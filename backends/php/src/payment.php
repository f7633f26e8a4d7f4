<?php
/**
 * A payment's states (docs/wire-protocol.md "States and transitions"): ECommPay's statuses
 * mapped to ours, the state machine a verified callback (or a signed status answer) goes
 * through, and the `PaymentState` JSON the element reads (seconds left rounded up, counted by
 * this server's clock).
 */
declare(strict_types=1);

const CUPQR_TERMINAL = ['success', 'decline', 'expired', 'error'];
const CUPQR_DEFAULT_QR_TIMEOUT_S = 600;
const CUPQR_TIMEOUT_CODE = '20602';
const CUPQR_PLATFORM_STATUSES = [
    'awaiting customer action' => 'awaiting-customer',
    'awaiting customer' => 'decline',
    'processing' => 'pending',
    'external processing' => 'pending',
    'success' => 'success',
    'decline' => 'decline',
    'canceled' => 'decline',
    'cancelled' => 'decline',
    'expired' => 'expired',
    'error' => 'error',
    'internal error' => 'error',
    'external error' => 'error',
];

function cupqr_is_terminal(string $status): bool
{
    return in_array($status, CUPQR_TERMINAL, true);
}

/** Our status for ECommPay's (case-insensitive); a 20602 decline is `expired`; null: unknown. */
function cupqr_status_of(string $platformStatus, ?string $code): ?string
{
    $key = strtolower(trim($platformStatus));
    $mapped = CUPQR_PLATFORM_STATUSES[$key] ?? null;
    if ($mapped === 'decline' && $code === CUPQR_TIMEOUT_CODE && $key !== 'awaiting customer') return 'expired';
    return $mapped;
}

/**
 * What a verified callback does to a payment: [outcome, next row or null]. `$message` is the
 * parsed callback (see cupqr_parse_callback).
 */
function cupqr_apply_callback(array $payment, array $message, int $now): array
{
    if (cupqr_is_terminal($payment['status'])) return ['ignored', null];
    $next = ['seq' => $payment['seq'] + 1, 'updated_ms' => $now] + $payment;
    $sum = $message['sum'];
    $mismatch = $sum === null
        ? ($message['status'] === 'success' ? 'the success callback carries no amount' : null)
        : ($sum['amount'] !== $payment['amount'] || $sum['currency'] !== $payment['currency']
            ? "the platform reports {$sum['amount']} {$sum['currency']}, the order is {$payment['amount']} {$payment['currency']}"
            : null);
    $final = ['qr_data' => null, 'qr_timeout' => null, 'qr_received_ms' => null];
    if ($mismatch !== null) {
        return ['amount-mismatch', ['status' => 'error', 'code' => 'amount-mismatch', 'message' => $mismatch] + $final + $next];
    }
    $to = $message['status'];
    if ($to === 'pending') return ['duplicate', null];
    if ($to === 'awaiting-customer') {
        $qr = $message['qr'];
        if ($qr === null) {
            return $payment['status'] === 'awaiting-customer'
                ? ['duplicate', null] : ['applied', ['status' => $to] + $next];
        }
        if ($payment['status'] === 'awaiting-customer' && $payment['qr_data'] === $qr['data']) return ['duplicate', null];
        return ['applied', [
            'status' => $to, 'qr_data' => $qr['data'], 'qr_received_ms' => $now,
            'qr_timeout' => $qr['timeout'] ?? CUPQR_DEFAULT_QR_TIMEOUT_S,
        ] + $next];
    }
    $reason = strtolower(trim($message['platform_status'])) === 'awaiting customer'
        ? ['code' => 'awaiting-customer', 'message' => 'The payment was not completed (ECommPay: awaiting customer)']
        : ['code' => $message['code'], 'message' => $message['message']];
    return ['applied', ['status' => $to] + $reason + $final + $next];
}

/** The `PaymentState` JSON of a stored payment at `$now`. */
function cupqr_payment_state(array $p, int $now): array
{
    $state = [
        'paymentId' => $p['payment_id'],
        'status' => $p['status'],
        'seq' => $p['seq'],
        'amount' => $p['amount'],
        'currency' => $p['currency'],
        'description' => $p['description'],
    ];
    if ($p['status'] === 'awaiting-customer' && $p['qr_data'] !== null) {
        $left = (int) ceil(($p['qr_received_ms'] + $p['qr_timeout'] * 1000 - $now) / 1000);
        $state['qr'] = ['data' => $p['qr_data'], 'expiresInSeconds' => max(0, $left), 'timeoutSeconds' => $p['qr_timeout']];
    }
    if ($p['code'] !== null) $state['code'] = $p['code'];
    if ($p['message'] !== null) $state['message'] = $p['message'];
    $state['updatedAt'] = cupqr_iso($p['updated_ms']);
    return $state;
}
