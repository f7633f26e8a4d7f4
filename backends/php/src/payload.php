<?php
/**
 * Verifying the element's `payload` (docs/wire-protocol.md "The payload"):
 * base64url(JSON body) "." base64url(HMAC-SHA256(payloadKey, DOMAIN . encodedBody)), the key
 * HKDF-SHA256 of the secret key (salt `cup-qr-checkout`, info `cup-qr-checkout/payload-key/v1`).
 * The MAC is compared as text in constant time, then the body is held to the payload's rules
 * (its customer fields tidied first), then `exp` (60 s of skew; at most a week ahead).
 */
declare(strict_types=1);

const CUPQR_PAYLOAD_DOMAIN = "cup-qr-checkout/payload/v1\n";
const CUPQR_MAX_PAYLOAD_LENGTH = 16384;
const CUPQR_PAYLOAD_SKEW_S = 60;
const CUPQR_PAYLOAD_MAX_TTL_S = 7 * 24 * 3600;
const CUPQR_REF_PATTERN = '/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/';

function cupqr_base64url(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

function cupqr_payload_key(string $secretKey): string
{
    return hash_hkdf('sha256', $secretKey, 32, 'cup-qr-checkout/payload-key/v1', 'cup-qr-checkout');
}

function cupqr_payload_mac(string $key, string $encodedBody): string
{
    return cupqr_base64url(hash_hmac('sha256', CUPQR_PAYLOAD_DOMAIN . $encodedBody, $key, true));
}

/** A JSON number that is a whole number (`30000.0` is one, as it is in JSON). */
function cupqr_json_integer(mixed $value): ?int
{
    if (is_int($value)) return $value;
    if (is_float($value) && is_finite($value) && floor($value) === $value && abs($value) <= 9007199254740991) {
        return (int) $value;
    }
    return null;
}

function cupqr_absolute_url_problem(string $url): ?string
{
    $parts = parse_url($url);
    if ($parts === false || !isset($parts['scheme'], $parts['host'])) return 'not an absolute URL';
    $scheme = strtolower($parts['scheme']);
    return $scheme === 'http' || $scheme === 'https' ? null : 'must be a https: or http: URL';
}

/** Every problem of a decoded payload body, `path: message`; the body with its customer tidied. */
function cupqr_payload_problems(array &$body): array
{
    $problems = [];
    $add = function (string $path, ?string $message) use (&$problems): void {
        if ($message !== null) $problems[] = "$path: $message";
    };
    $v = cupqr_json_integer($body['v'] ?? null);
    $add('v', $v === 1 ? null : 'version 1 only');
    $ref = $body['ref'] ?? null;
    $add('ref', is_string($ref) && preg_match(CUPQR_REF_PATTERN, $ref) ? null : 'letters, digits, "_", "." and "-", at most 128');
    $amount = cupqr_json_integer($body['amount'] ?? null);
    $add('amount', $amount !== null && $amount > 0 ? null : 'a positive integer of minor units (fen)');
    $currency = $body['currency'] ?? null;
    $add('currency', $currency === 'CNY' ? null : 'CUP QR takes CNY only');
    $description = $body['description'] ?? null;
    if (!is_string($description)) {
        $add('description', 'required');
    } elseif (cupqr_trim($description) === '') {
        $add('description', 'must not be empty');
    } elseif (cupqr_utf16_length($description) > CUPQR_MAX_TEXT) {
        $add('description', 'at most ' . CUPQR_MAX_TEXT . ' characters');
    } else {
        $add('description', cupqr_separator_problem($description));
    }
    $returnUrl = $body['returnUrl'] ?? null;
    $add('returnUrl', is_string($returnUrl)
        ? (cupqr_absolute_url_problem($returnUrl) ?? cupqr_separator_problem($returnUrl)) : 'required');
    $exp = cupqr_json_integer($body['exp'] ?? null);
    $add('exp', $exp !== null && $exp > 0 ? null : 'Unix seconds');
    if (array_key_exists('locale', $body)) {
        $locale = $body['locale'];
        $add('locale', is_string($locale) && preg_match('/^[a-zA-Z]{2}(-[a-zA-Z0-9]{2,8})?$/', $locale)
            ? null : 'a language tag such as zh-CN or en');
    }
    if (array_key_exists('mode', $body)) {
        $add('mode', in_array($body['mode'], ['gate', 'payment-page'], true) ? null : '"gate" or "payment-page"');
    }
    $customer = $body['customer'] ?? null;
    if ($customer !== null && !cupqr_is_object($customer)) {
        $add('customer', 'must be an object');
        $customer = null;
    }
    $tidied = [];
    foreach (CUPQR_PAYLOAD_CUSTOMER_FIELDS as $field) {
        // Unknown keys are ignored (ip_address included: the server takes it from the request).
        if (!is_array($customer) || !array_key_exists($field, $customer)) continue;
        $value = $customer[$field];
        if (!is_string($value)) {
            $add("customer.$field", 'must be a string');
            continue;
        }
        $value = cupqr_tidy($field, $value);
        $problem = cupqr_customer_problem($field, $value);
        $add("customer.$field", $problem['message'] ?? null);
        $tidied[$field] = $value;
    }
    if ($problems === []) {
        $body = [
            'v' => 1, 'ref' => $ref, 'amount' => $amount, 'currency' => $currency,
            'description' => $description, 'customer' => $tidied, 'returnUrl' => $returnUrl,
            'exp' => $exp, 'locale' => $body['locale'] ?? null, 'mode' => $body['mode'] ?? 'gate',
        ];
    }
    return $problems;
}

/**
 * The verified payload body (customer tidied; `mode` defaulted to `gate`).
 * @throws HttpError 400 payload-invalid, 410 payload-expired
 */
function cupqr_verify_payload(mixed $payload, string $key, int $nowMs): array
{
    if (!is_string($payload) || $payload === '' || cupqr_utf16_length($payload) > CUPQR_MAX_PAYLOAD_LENGTH) {
        throw new HttpError(400, 'payload-invalid', 'The payload is missing or too long.');
    }
    $parts = explode('.', $payload);
    $forged = new HttpError(400, 'payload-invalid', 'The payload was not signed by this server or was changed.');
    if (count($parts) !== 2 || $parts[0] === '') throw $forged;
    if (!hash_equals(cupqr_payload_mac($key, $parts[0]), $parts[1])) throw $forged;
    $json = preg_match('/^[A-Za-z0-9_-]*$/', $parts[0]) ? base64_decode(strtr($parts[0], '-_', '+/'), true) : false;
    $body = is_string($json) && preg_match('//u', $json)
        ? json_decode($json, true, CUPQR_MAX_JSON_DEPTH + 1, JSON_BIGINT_AS_STRING) : null;
    if (!cupqr_is_object($body)) throw new HttpError(400, 'payload-invalid', 'The payload is not valid: the body is not base64url JSON.');
    $problems = cupqr_payload_problems($body);
    if ($problems !== []) {
        throw new HttpError(400, 'payload-invalid', 'The payload is not valid: ' . implode('; ', $problems));
    }
    $now = intdiv($nowMs, 1000);
    if ($body['exp'] + CUPQR_PAYLOAD_SKEW_S < $now) {
        throw new HttpError(410, 'payload-expired', 'The payload has expired: reload the page.');
    }
    if ($body['exp'] > $now + CUPQR_PAYLOAD_MAX_TTL_S + CUPQR_PAYLOAD_SKEW_S) {
        throw new HttpError(400, 'payload-invalid', 'The payload expires too far in the future.');
    }
    return $body;
}
