<?php
/**
 * The ECommPay signature (PROTOCOL.md §1, the PHP SDK's algorithm): every leaf flattened to
 * `path:value` (keys joined by `:`, `true` 1, `false` 0, `null` empty, empty objects and arrays
 * nothing), the paths sorted in PHP's natural order (`ksort(SORT_NATURAL)`, as the SDK does),
 * joined with `;`, HMAC-SHA512 with the project's secret key, Base64.
 *
 * Left out: `signature` and `frame_mode` at the top level and `general.signature`. Signing
 * refuses a value with `;`, a key with `:` or `;` and an empty key (SignatureRefused): the signed
 * string escapes nothing, so such a value would make one signature cover another message.
 */
declare(strict_types=1);

final class SignatureRefused extends RuntimeException
{
    public function __construct(public readonly string $path, string $problem)
    {
        parent::__construct(($path === '' ? '(root)' : $path) . ': ' . $problem);
    }
}

function cupqr_signature_skipped(string $parent, string $key, int $depth): bool
{
    if ($depth === 0) {
        return $key === 'signature' || $key === 'frame_mode';
    }
    return $depth === 1 && $parent === 'general' && $key === 'signature';
}

/** A leaf as the SDKs write it; floats as integers when they are whole (30000.0 is 30000). */
function cupqr_signature_value(mixed $value): string
{
    if (is_bool($value)) return $value ? '1' : '0';
    if ($value === null) return '';
    if (is_float($value)) {
        if (!is_finite($value)) throw new SignatureRefused('', 'a non-finite number cannot be signed');
        if (floor($value) === $value && abs($value) < 1e15) return (string) (int) $value;
        return json_encode($value);
    }
    return (string) $value;
}

/**
 * The leaves, path => value. `$strict` refuses what makes the signed string ambiguous (when we
 * sign); a verifier takes the platform's texts as they are.
 */
function cupqr_signature_leaves(array $data, bool $strict): array
{
    $leaves = [];
    $walk = function (array $node, string $path, int $depth) use (&$walk, &$leaves, $strict): void {
        foreach ($node as $key => $child) {
            $key = (string) $key;
            if (cupqr_signature_skipped($path, $key, $depth)) continue;
            $childPath = $path === '' ? $key : "$path:$key";
            if ($strict && ($key === '' || str_contains($key, ':') || str_contains($key, ';'))) {
                throw new SignatureRefused($childPath, 'a key that is empty or holds ":" or ";": refused');
            }
            if (is_array($child)) {
                $walk($child, $childPath, $depth + 1);
                continue;
            }
            $value = cupqr_signature_value($child);
            if ($strict && str_contains($value, ';')) {
                throw new SignatureRefused(
                    $childPath,
                    'the value contains ";", which the signed string reads as the start of another "path:value" line: refused'
                );
            }
            $leaves[$childPath] = $value;
        }
    };
    $walk($data, '', 0);
    return $leaves;
}

function cupqr_signature_string(array $leaves): string
{
    ksort($leaves, SORT_NATURAL);
    $lines = [];
    foreach ($leaves as $path => $value) $lines[] = $path . ':' . $value;
    return implode(';', $lines);
}

/** Signs `$data` (a decoded JSON object). @throws SignatureRefused */
function cupqr_sign(array $data, string $secretKey): string
{
    if ($secretKey === '') throw new InvalidArgumentException('the project secret key is required');
    $text = cupqr_signature_string(cupqr_signature_leaves($data, true));
    return base64_encode(hash_hmac('sha512', $text, $secretKey, true));
}

/** The signature a message carries: `general.signature`, else the top-level `signature`. */
function cupqr_find_signature(array $data): ?string
{
    if (isset($data['general']) && is_array($data['general']) && is_string($data['general']['signature'] ?? null)) {
        return $data['general']['signature'];
    }
    return is_string($data['signature'] ?? null) ? $data['signature'] : null;
}

/** Whether a received message's signature verifies, in constant time. */
function cupqr_verify(array $data, string $secretKey): bool
{
    $given = cupqr_find_signature($data);
    if ($given === null) return false;
    $text = cupqr_signature_string(cupqr_signature_leaves($data, false));
    $expected = base64_encode(hash_hmac('sha512', $text, $secretKey, true));
    $presented = base64_encode((string) base64_decode(strtr($given, '-_', '+/'), false));
    return hash_equals($expected, $presented);
}
