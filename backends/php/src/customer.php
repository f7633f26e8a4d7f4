<?php
/**
 * The customer rules of docs/wire-protocol.md ("The customer rules"), with the same rule ids:
 * each value is tidied (trimmed as JavaScript's trim(); a phone's separators, full-width digits
 * and +86/0086 removed), then the first failing rule names the problem. The same rules hold for
 * a payload's customer fields and for the shopper's.
 */
declare(strict_types=1);

/** The fields a shopper may give, in the form's order. */
const CUPQR_SHOPPER_FIELDS = ['last_name', 'first_name', 'phone', 'email', 'country', 'zip', 'city', 'street'];
/** The fields a payload may fix. */
const CUPQR_PAYLOAD_CUSTOMER_FIELDS = ['id', 'first_name', 'last_name', 'phone', 'email', 'zip', 'country', 'city', 'street'];

const CUPQR_TRIM = '/^[\t\n\x0B\f\r\p{Z}\x{FEFF}]+|[\t\n\x0B\f\r\p{Z}\x{FEFF}]+$/u';
const CUPQR_LETTER = '/[\p{Han}\p{Latin}]/u';
const CUPQR_NAME = '/^[\p{Han}\p{Latin}\p{M} \x{00A0}\x{3000}\'\x{2019}\x{02BC}\-\x{2010}\x{2011}\x{FF0D}.\x{FF0E}\x{00B7}\x{30FB}\x{2022}\x{2027}\x{FF65}]+$/u';
const CUPQR_INVISIBLE = '/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u';
const CUPQR_EMAIL = '/^[A-Za-z0-9.!#$%&\'*+\/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/';
const CUPQR_COUNTRIES = 'A:DEFGILMOQRSTUWXZ B:ABDEFGHIJLMNOQRSTVWYZ C:ACDFGHIKLMNORUVWXYZ D:EJKMOZ E:CEGHRST '
    . 'F:IJKMOR G:ABDEFGHILMNPQRSTUWY H:KMNRTU I:DELMNOQRST J:EMOP K:EGHIMNPRWYZ '
    . 'L:ABCIKRSTUVY M:ACDEFGHKLMNOPQRSTUVWXYZ N:ACEFGILOPRUZ O:M P:AEFGHKLMNRSTWY Q:A '
    . 'R:EOSUW S:ABCDEGHIJKLMNORSTVXYZ T:CDFGHJKLMNORTVWZ U:AGMSYZ V:ACEGINU W:FS Y:ET Z:AMW';
const CUPQR_MAX_TEXT = 255;

/** Length in UTF-16 code units, as the spec counts it (a character past U+FFFF counts 2). */
function cupqr_utf16_length(string $text): int
{
    return (int) preg_match_all('/./us', $text) + (int) preg_match_all('/[\x{10000}-\x{10FFFF}]/u', $text);
}

function cupqr_trim(string $value): string
{
    return (string) preg_replace(CUPQR_TRIM, '', $value);
}

function cupqr_tidy(string $field, string $value): string
{
    $value = cupqr_trim($value);
    if ($field !== 'phone') return $value;
    $value = str_replace(
        ['０', '１', '２', '３', '４', '５', '６', '７', '８', '９', '＋'],
        ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+'],
        $value
    );
    $value = (string) preg_replace('/[\p{Zs}\-\x{2010}-\x{2015}\x{2212}\x{FF0D}.\x{FF0E}()\x{FF08}\x{FF09}]/u', '', $value);
    $value = (string) preg_replace('/^(?:\+|00)86(?=[0-9]{4})/', '', $value);
    return preg_match('/^\+[0-9]+$/', $value) ? substr($value, 1) : $value;
}

function cupqr_is_country(string $code): bool
{
    if (!preg_match('/^[A-Z]{2}$/', $code)) return false;
    foreach (explode(' ', CUPQR_COUNTRIES) as $group) {
        if ($group[0] === $code[0]) return str_contains(substr($group, 2), $code[1]);
    }
    return false;
}

/** A `;` anywhere: ECommPay's signed string would read it as the start of another line. */
function cupqr_separator_problem(string $value): ?string
{
    $at = strpos($value, ';');
    return $at === false ? null : 'no ";": it separates the fields of ECommPay\'s signature';
}

/** Problems of the texts every field has: required, too-long, invalid (controls, format). */
function cupqr_text_problem(string $value): ?array
{
    if (cupqr_trim($value) === '') return ['rule' => 'required', 'message' => 'must not be empty'];
    $length = cupqr_utf16_length($value);
    if ($length > CUPQR_MAX_TEXT) return ['rule' => 'too-long', 'message' => 'at most ' . CUPQR_MAX_TEXT . " characters (got $length)"];
    if (preg_match(CUPQR_INVISIBLE, $value, $m)) {
        return ['rule' => 'invalid', 'message' => sprintf('no control or invisible characters (U+%04X)', cupqr_code_point($m[0]))];
    }
    return null;
}

/**
 * The first problem of a (tidied) customer field, `['rule' => id, 'message' => text]`, or
 * null. `$value` null (absent) is `required`.
 */
function cupqr_customer_problem(string $field, mixed $value): ?array
{
    if ($value === null) return ['rule' => 'required', 'message' => 'required'];
    if (!is_string($value)) return ['rule' => 'invalid', 'message' => 'must be a string'];
    if (cupqr_trim($value) === '') return ['rule' => 'required', 'message' => 'required'];
    $separator = cupqr_separator_problem($value);
    if ($separator !== null) return ['rule' => 'invalid-character', 'message' => $separator];
    switch ($field) {
        case 'first_name':
        case 'last_name':
            $problem = cupqr_text_problem($value);
            if ($problem !== null) return $problem;
            return preg_match(CUPQR_NAME, $value) && preg_match(CUPQR_LETTER, $value)
                ? null : ['rule' => 'name', 'message' => 'in Chinese characters or Latin letters'];
        case 'city':
        case 'street':
            $problem = cupqr_text_problem($value);
            if ($problem !== null) return $problem;
            return preg_match(CUPQR_LETTER, $value)
                ? null : ['rule' => 'address', 'message' => 'needs Chinese characters or Latin letters'];
        case 'phone':
            if (str_starts_with($value, '+')) return ['rule' => 'phone', 'message' => 'digits only, no "+"'];
            if (!preg_match('/^[0-9]+$/', $value)) return ['rule' => 'phone', 'message' => 'digits only'];
            $n = strlen($value);
            return $n >= 4 && $n <= 24 ? null : ['rule' => 'phone', 'message' => "4 to 24 digits (got $n)"];
        case 'email':
            return strlen($value) <= 254 && preg_match(CUPQR_EMAIL, $value)
                ? null : ['rule' => 'email', 'message' => 'not a valid email address'];
        case 'zip':
            return preg_match('/^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/', $value)
                ? null : ['rule' => 'zip', 'message' => '2 to 10 letters or digits'];
        case 'country':
            return cupqr_is_country($value)
                ? null : ['rule' => 'country', 'message' => 'an ISO 3166-1 alpha-2 country code, such as CN'];
        case 'id':
            $length = cupqr_utf16_length($value);
            return $length <= CUPQR_MAX_TEXT ? null : ['rule' => 'too-long', 'message' => 'at most ' . CUPQR_MAX_TEXT . " characters (got $length)"];
    }
    return ['rule' => 'invalid', 'message' => 'not a customer field'];
}

/** The shopper fields a payload's customer leaves open. */
function cupqr_open_fields(array $fixed): array
{
    return array_values(array_filter(
        CUPQR_SHOPPER_FIELDS,
        fn (string $field): bool => !is_string($fixed[$field] ?? null) || $fixed[$field] === ''
    ));
}
