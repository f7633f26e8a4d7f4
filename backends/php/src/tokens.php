<?php
/**
 * Payment tokens (docs/wire-protocol.md "Tokens"): 256 random bits, base64url; only their
 * SHA-256 is stored. A check compares against a fixed number of hashes (padded with hashes no
 * token has) so that an unknown payment and a wrong token do the same work and get the same
 * `403 forbidden`; no token at all is `401 token-required`.
 */
declare(strict_types=1);

const CUPQR_MAX_TOKENS = 16;
const CUPQR_TOKENS_PER_MINUTE = 10;
const CUPQR_TOKEN_IN_USE_MS = 3600_000;

function cupqr_new_token(): string
{
    return cupqr_base64url(random_bytes(32));
}

function cupqr_token_hash(string $token): string
{
    return hash('sha256', $token);
}

/** The token of a request: `?token=`, else `Authorization: Bearer`. */
function cupqr_request_token(): ?string
{
    $query = $_GET['token'] ?? null;
    if (is_string($query) && $query !== '') return $query;
    $auth = cupqr_header('Authorization') ?? '';
    return preg_match('/^Bearer\s+(\S+)$/i', $auth, $m) ? $m[1] : null;
}

/** The payment `$token` opens, its use noted. @throws HttpError 401, 403 */
function cupqr_authorized_payment(Store $store, string $paymentId, mixed $token): array
{
    if (!is_string($token) || $token === '') throw new HttpError(401, 'token-required', 'The payment token is required.');
    $payment = $store->payment($paymentId);
    $hashes = array_column($payment === null ? [] : $store->tokens($paymentId), 'hash');
    $hashes = array_pad(array_slice($hashes, 0, CUPQR_MAX_TOKENS), CUPQR_MAX_TOKENS, str_repeat('-', 64));
    $given = cupqr_token_hash($token);
    $matches = false;
    foreach ($hashes as $hash) $matches = hash_equals($hash, $given) || $matches;
    if (!$matches || $payment === null) throw new HttpError(403, 'forbidden', 'No payment with this id and token.');
    $store->touchToken($paymentId, $given, cupqr_now_ms());
    return $payment;
}

/** Issues a new token for a running or paid attempt. @throws HttpError 429 too-many-tokens */
function cupqr_issue_token(Store $store, string $paymentId): string
{
    $token = cupqr_new_token();
    $wait = $store->issueToken($paymentId, cupqr_token_hash($token), cupqr_now_ms(),
        CUPQR_MAX_TOKENS, CUPQR_TOKENS_PER_MINUTE, CUPQR_TOKEN_IN_USE_MS);
    if ($wait !== null) {
        throw new HttpError(429, 'too-many-tokens', "This payment was opened too many times in a short time; try again in $wait s.",
            [], ['Retry-After' => (string) $wait]);
    }
    return $token;
}
