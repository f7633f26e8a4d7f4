<?php
/**
 * `POST {prefix}/payments {payload, mode?, customer?}` (docs/wire-protocol.md): verify the
 * payload first, then the body's keys and the shopper's fields; resume the order's live (or
 * paid) attempt with a new token, or start attempt n (`ref`, `ref~2`...) up to 5: stored as
 * `pending` before the sale is sent, then the signed sale to Gate. A refusal moves the attempt
 * to `error` only while it is still `pending` (a callback may have moved it first); a lost
 * answer asks Gate's status before giving up.
 */
declare(strict_types=1);

const CUPQR_MAX_ATTEMPTS = 5;
const CUPQR_BODY_KEYS = ['payload', 'mode', 'customer'];
const CUPQR_ORDER_KEYS = ['v', 'ref', 'amount', 'currency', 'description', 'returnUrl', 'exp', 'locale', 'general', 'payment', 'return_url'];

function cupqr_payment_id_for(string $ref, int $attempt): string
{
    return $attempt === 1 ? $ref : "$ref~$attempt";
}

/** The mode: the payload's; a body `mode` may only repeat it. */
function cupqr_read_mode(array $body, array $payload): string
{
    $decided = $payload['mode'];
    if (!array_key_exists('mode', $body)) return $decided;
    if (!in_array($body['mode'], ['gate', 'payment-page'], true)) throw new HttpError(400, 'bad-request', 'mode: "gate" or "payment-page".');
    if ($body['mode'] !== $decided) {
        throw new HttpError(400, 'field-fixed', "The shop set this payment's mode to \"$decided\"; the page cannot change it.",
            [['path' => 'mode', 'message' => "fixed by the signed payload: \"$decided\"", 'rule' => 'fixed']]);
    }
    return $decided;
}

/** What the page sent for the customer, by field, checked for shape only. */
function cupqr_read_shopper(array $body, array $payload): array
{
    $fixed = [];
    $unknown = [];
    foreach (array_keys($body) as $key) {
        $key = (string) $key;
        if (in_array($key, CUPQR_BODY_KEYS, true)) continue;
        if (in_array($key, CUPQR_ORDER_KEYS, true)) $fixed[] = ['path' => $key, 'message' => 'fixed by the signed payload', 'rule' => 'fixed'];
        else $unknown[] = ['path' => $key, 'message' => 'not a field of this request'];
    }
    $raw = $body['customer'] ?? null;
    if ($raw !== null && !cupqr_is_object($raw)) throw new HttpError(400, 'bad-request', 'customer: must be an object.');
    $open = cupqr_open_fields($payload['customer']);
    $sent = [];
    $invalid = [];
    foreach ($raw ?? [] as $key => $value) {
        $key = (string) $key;
        $path = "customer.$key";
        if (in_array($key, $open, true)) {
            if (is_string($value)) $sent[$key] = $value;
            elseif ($value !== null) $invalid[] = ['path' => $path, 'message' => 'must be a string', 'rule' => 'invalid'];
        } elseif (in_array($key, CUPQR_PAYLOAD_CUSTOMER_FIELDS, true) || $key === 'ip_address') {
            $why = $key === 'ip_address' ? 'taken from the request, never sent'
                : ($key === 'id' ? "the merchant's own reference, set in the payload only" : 'fixed by the signed payload');
            $fixed[] = ['path' => $path, 'message' => $why, 'rule' => 'fixed'];
        } else {
            $unknown[] = ['path' => $path, 'message' => 'not a customer field'];
        }
    }
    if ($fixed !== []) throw new HttpError(400, 'field-fixed', 'The request tries to change details the shop fixed.', $fixed);
    if ($unknown !== []) throw new HttpError(400, 'bad-request', 'The request has unknown fields.', $unknown);
    if ($invalid !== []) throw new HttpError(422, 'customer-incomplete', 'Some customer details are invalid.', $invalid);
    return $sent;
}

/** Why a live attempt cannot be resumed by this request (empty: it can). */
function cupqr_attempt_conflicts(array $attempt, string $mode, array $sent): array
{
    $conflicts = [];
    if ($attempt['channel'] !== $mode) $conflicts[] = ['path' => 'mode', 'message' => "the attempt was started as \"{$attempt['channel']}\""];
    foreach ($sent as $field => $raw) {
        $value = cupqr_tidy($field, $raw);
        $stored = $attempt['customer'][$field] ?? null;
        if ($value === '' || $value === $stored) continue;
        $conflicts[] = ['path' => "customer.$field", 'message' => $stored !== null
            ? 'differs from the details the attempt was started with' : 'the attempt was started without it'];
    }
    return $conflicts;
}

/** The sale's customer: the payload's fields, then the shopper's (tidied, checked), then the IP. */
function cupqr_sale_customer(array $payload, array $sent, string $mode): array
{
    $customer = $payload['customer'];
    $problems = [];
    foreach (cupqr_open_fields($payload['customer']) as $field) {
        $value = isset($sent[$field]) ? cupqr_tidy($field, $sent[$field]) : null;
        if (($value === null || $value === '') && $mode !== 'gate') continue;
        $problem = cupqr_customer_problem($field, $value);
        if ($problem !== null) $problems[] = ['path' => "customer.$field"] + $problem;
        else $customer[$field] = $value;
    }
    if ($mode === 'gate' && !isset($customer['id'])) {
        cupqr_log('configuration: a Gate sale needs customer.id in the payload');
        throw new HttpError(500, 'configuration', 'The shop server is not configured fully.');
    }
    $ip = $_SERVER['REMOTE_ADDR'] ?? '';
    if ($ip !== '') $customer['ip_address'] = $ip;
    if ($problems !== []) throw new HttpError(422, 'customer-incomplete', 'Some customer details are missing or invalid.', $problems);
    return $customer;
}

/** An attempt's QR code ran out by our clock: settle it with Gate's status first. */
function cupqr_settle_lapsed(Checkout $c, array $payment): array
{
    if ($payment['status'] !== 'awaiting-customer' || $payment['qr_data'] === null) return $payment;
    if (cupqr_now_ms() < $payment['qr_received_ms'] + $payment['qr_timeout'] * 1000) return $payment;
    try {
        $c->refresh($payment['payment_id']);
    } catch (GateFailure $e) {
        cupqr_log('status of ' . cupqr_log_text($payment['payment_id']) . " after its code ran out: {$e->getMessage()}");
    }
    return $c->store->payment($payment['payment_id']) ?? $payment;
}

function cupqr_gate_http_error(GateFailure $e): HttpError
{
    return match ($e->kind) {
        'invalid' => new HttpError(422, 'invalid-request', 'ECommPay found the payment request invalid.', $e->fieldErrors),
        'auth' => new HttpError(500, 'configuration', 'The shop could not authenticate with ECommPay.'),
        'refused', 'duplicate' => new HttpError(502, 'gate-refused', 'ECommPay refused the payment'
            . ($e->platformMessage !== null ? ": {$e->platformMessage}" : '') . '.'),
        default => new HttpError(503, 'gate-unavailable', 'ECommPay is not reachable now; try again.', [], ['Retry-After' => '5']),
    };
}

function cupqr_created_answer(int $status, array $payment, string $token): void
{
    cupqr_send_json($status, ['paymentId' => $payment['payment_id'], 'token' => $token,
        'state' => cupqr_payment_state($payment, cupqr_now_ms())]);
}

function cupqr_handle_create_payment(Checkout $c): void
{
    $c->guardStart();
    $body = cupqr_read_json_object();
    $c->config->requireProject();
    $payload = cupqr_verify_payload($body['payload'], $c->payloadKey(), cupqr_now_ms());
    $mode = cupqr_read_mode($body, $payload);
    $sent = cupqr_read_shopper($body, $payload);

    $stored = $c->store->latestAttempt($payload['ref']);
    if ($stored !== null && ($stored['amount'] !== $payload['amount'] || $stored['currency'] !== $payload['currency'])) {
        throw new HttpError(409, 'order-conflict', "Order {$payload['ref']} was started with another amount or currency.");
    }
    $latest = $stored === null ? null : cupqr_settle_lapsed($c, $stored);
    if ($latest !== null && !cupqr_is_terminal($latest['status'])) {
        $conflicts = cupqr_attempt_conflicts($latest, $mode, $sent);
        if ($conflicts !== []) {
            $what = in_array('mode', array_column($conflicts, 'path'), true) ? 'another mode' : 'other customer details';
            throw new HttpError(409, 'attempt-conflict', "A payment of order {$payload['ref']} is under way with $what: finish it, or start again once it has ended.", $conflicts);
        }
    }
    if ($latest !== null && (!cupqr_is_terminal($latest['status']) || $latest['status'] === 'success')) {
        cupqr_created_answer(200, $latest, cupqr_issue_token($c->store, $latest['payment_id']));
        return;
    }
    $attempt = ($latest['attempt'] ?? 0) + 1;
    if ($attempt > CUPQR_MAX_ATTEMPTS) {
        throw new HttpError(429, 'attempts-exhausted', "Order {$payload['ref']} has had " . CUPQR_MAX_ATTEMPTS . ' payment attempts; no more are allowed.');
    }
    $customer = cupqr_sale_customer($payload, $sent, $mode);
    $paymentId = cupqr_payment_id_for($payload['ref'], $attempt);
    $token = cupqr_new_token();
    $created = $c->store->create([
        'payment_id' => $paymentId, 'order_ref' => $payload['ref'], 'attempt' => $attempt, 'channel' => $mode,
        'amount' => $payload['amount'], 'currency' => $payload['currency'], 'description' => $payload['description'],
        'customer' => $customer, 'return_url' => $payload['returnUrl'], 'locale' => $payload['locale'],
        'created_ms' => cupqr_now_ms(),
    ], cupqr_token_hash($token));
    if (!$created) {
        // A concurrent request with the same payload created it first: answer with that one.
        $winner = $c->store->latestAttempt($payload['ref']);
        cupqr_created_answer(200, $winner, cupqr_issue_token($c->store, $winner['payment_id']));
        return;
    }
    if ($mode === 'gate') {
        try {
            $c->gate->sale([
                'general' => ['payment_id' => $paymentId, 'merchant_callback_url' => $c->config->callbackUrl()],
                'customer' => $customer,
                'payment' => ['amount' => $payload['amount'], 'currency' => 'CNY', 'description' => $payload['description']],
                'return_url' => ['success' => $payload['returnUrl']],
            ]);
        } catch (GateFailure | SignatureRefused $e) {
            $failure = $e instanceof GateFailure ? $e : new GateFailure('invalid', $e->getMessage(), null, null,
                [['path' => str_replace(':', '.', $e->path), 'message' => 'no ";"']]);
            cupqr_log('sale of ' . cupqr_log_text($paymentId) . " failed: {$failure->getMessage()}");
            if (in_array($failure->kind, ['lost', 'duplicate'], true)) {
                try {
                    $c->refresh($paymentId);
                    cupqr_created_answer(201, $c->store->payment($paymentId), $token);
                    return;
                } catch (GateFailure) {
                    // Gate does not have it either: the attempt failed.
                }
            }
            [$current, $written] = $c->store->change($paymentId, fn (array $p) => $p['status'] !== 'pending' ? null : [
                'status' => 'error', 'seq' => $p['seq'] + 1, 'updated_ms' => cupqr_now_ms(),
                'code' => $failure->platformCode ?? "gate-{$failure->kind}",
                'message' => $failure->platformMessage ?? 'The payment could not be started.',
            ] + $p);
            if ($written || $current === null) throw cupqr_gate_http_error($failure);
            // A callback moved it on before the refusal came: the platform's word counts.
            cupqr_created_answer(201, $current, $token);
            return;
        }
    }
    cupqr_created_answer(201, $c->store->payment($paymentId), $token);
}
