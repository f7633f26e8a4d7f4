<?php
/**
 * Reading an ECommPay callback or status answer (PROTOCOL.md §2-3; docs/wire-protocol.md
 * "POST {prefix}/callback"): project id at the top or under `general`, `payment.id` (or
 * `general.payment_id`), `payment.status`, `payment.sum`, the operation's code and message
 * (`operation`, or the last of `operations` in a status answer), and the QR code from
 * `display_data` (`qr_data`, and an `add_info` titled /timeout/i of 1..86400 s).
 */
declare(strict_types=1);

const CUPQR_MAX_QR_TIMEOUT_S = 86400;
const CUPQR_MAX_QR_BYTES = 2330;

/** An id the platform may send as text or number. */
function cupqr_id_text(mixed $value): ?string
{
    if (is_string($value)) return $value;
    if (is_int($value)) return (string) $value;
    return null;
}

/** The QR rule: non-blank, at most 2,330 bytes of UTF-8, no control characters. */
function cupqr_qr_problem(mixed $data): ?string
{
    if (!is_string($data) || trim($data) === '') return 'an empty QR code';
    if (strlen($data) > CUPQR_MAX_QR_BYTES) return 'over ' . CUPQR_MAX_QR_BYTES . ' bytes';
    if (!preg_match('//u', $data) || preg_match('/[\x{0000}-\x{001F}\x{007F}-\x{009F}]/u', $data)) return 'control characters';
    return null;
}

/**
 * The parts we act on, or a string saying why the message cannot be read. `$status` true reads
 * a status answer (operations in an array).
 */
function cupqr_parse_callback(array $body, bool $statusAnswer = false): array|string
{
    $general = is_array($body['general'] ?? null) ? $body['general'] : [];
    $projectId = cupqr_json_integer(array_key_exists('project_id', $general) ? $general['project_id'] : ($body['project_id'] ?? null));
    if ($projectId === null || $projectId <= 0) return 'project_id: a positive integer';
    $payment = $body['payment'] ?? null;
    if (!cupqr_is_object($payment)) return 'payment: an object';
    $paymentId = cupqr_id_text(array_key_exists('id', $payment) || !array_key_exists('payment_id', $general) ? ($payment['id'] ?? null) : $general['payment_id']);
    if ($paymentId === null || trim($paymentId) === '') return 'payment.id: required';
    $platformStatus = $payment['status'] ?? null;
    if (!is_string($platformStatus) || trim($platformStatus) === '') return 'payment.status: required';
    $sum = null;
    if (array_key_exists('sum', $payment)) {
        $amount = cupqr_json_integer($payment['sum']['amount'] ?? null);
        $currency = $payment['sum']['currency'] ?? null;
        if (!is_array($payment['sum']) || $amount === null || $amount < 0 || !is_string($currency) || !preg_match('/^[A-Z]{3}$/', $currency)) {
            return 'payment.sum: an amount and an ISO 4217 currency';
        }
        $sum = ['amount' => $amount, 'currency' => $currency];
    }
    if ($statusAnswer && (array_key_exists('operations', $body) || !array_key_exists('operation', $body))) {
        $operations = is_array($body['operations'] ?? null) ? $body['operations'] : [];
        $operation = $operations === [] ? null : end($operations);
    } else {
        $operation = $body['operation'] ?? null;
    }
    $operation = is_array($operation) ? $operation : null;
    $firstError = is_array($body['errors'][0] ?? null) ? $body['errors'][0] : [];
    $code = cupqr_id_text($operation['code'] ?? null) ?? cupqr_id_text($firstError['code'] ?? null) ?? cupqr_id_text($body['code'] ?? null);
    $message = $operation['message'] ?? $firstError['message'] ?? $body['message'] ?? null;
    $message = is_string($message) ? $message : null;
    $status = cupqr_status_of($platformStatus, $code);
    if ($status === null) return 'payment.status: unknown status ' . json_encode($platformStatus, JSON_UNESCAPED_UNICODE);
    $qr = null;
    $timeout = null;
    foreach (is_array($body['display_data'] ?? null) ? $body['display_data'] : [] as $i => $item) {
        if (!is_array($item) || !is_string($item['type'] ?? null)) return "display_data.$i.type: required";
        if ($item['type'] === 'qr_data') {
            $problem = cupqr_qr_problem($item['data'] ?? null);
            if ($problem !== null) return "display_data.$i.data: $problem";
            $qr = $item['data'];
        } elseif ($item['type'] === 'add_info' && is_string($item['title'] ?? null) && preg_match('/timeout/i', $item['title'])) {
            $raw = $item['data'] ?? null;
            $seconds = is_string($raw) && preg_match('/^\s*\d+\s*$/', $raw) ? (int) $raw : cupqr_json_integer($raw);
            if ($seconds === null || $seconds < 1 || $seconds > CUPQR_MAX_QR_TIMEOUT_S) {
                return "display_data.$i.data: a whole number of seconds from 1 to " . CUPQR_MAX_QR_TIMEOUT_S;
            }
            $timeout = $seconds;
        }
    }
    return [
        'project_id' => $projectId,
        'payment_id' => $paymentId,
        'platform_status' => $platformStatus,
        'status' => $status,
        'sum' => $sum,
        'code' => $code,
        'message' => $message,
        'qr' => $qr === null ? null : ['data' => $qr, 'timeout' => $timeout],
    ];
}

/** Before any HMAC: the shape of a callback (docs/wire-protocol.md, callback step 2). */
function cupqr_callback_shape_problem(mixed $body): ?HttpError
{
    $bad = fn (string $what) => new HttpError(400, 'bad-request', "The callback $what.");
    if (!cupqr_is_object($body) || $body === []) return $bad('is not a JSON object');
    if (!cupqr_is_object($body['payment'] ?? null) && !cupqr_is_object($body['general'] ?? null)) {
        return $bad('has neither a payment nor a general object');
    }
    $leaves = 0;
    $stack = [$body];
    while ($stack !== []) {
        $value = array_pop($stack);
        if (is_string($value) && cupqr_utf16_length($value) > 4096) return $bad('has a value over 4096 characters');
        if (!is_array($value) || $value === []) {
            if (++$leaves > 256) return $bad('has more than 256 values');
            continue;
        }
        foreach ($value as $key => $child) {
            if (cupqr_utf16_length((string) $key) > 128) return $bad('has a key over 128 characters');
            $stack[] = $child;
        }
    }
    $signature = cupqr_find_signature($body);
    if ($signature === null || !preg_match('~^[A-Za-z0-9+/_-]{86}(?:==)?$~', $signature)) {
        return new HttpError(403, 'bad-signature', 'The callback carries no ECommPay signature.');
    }
    return null;
}
