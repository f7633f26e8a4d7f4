<?php
/**
 * HTTP pieces of the wire protocol: the error answer (`{"error": {code, message, fields?}}`
 * with `Cache-Control: no-store`), JSON answers, and reading a request body the way the spec
 * asks: a size limit (413, `Connection: close`), `application/json` or `application/*+json`
 * (or no content type; else 415), an optional UTF-8 BOM, UTF-8 JSON nested at most 32 levels.
 */
declare(strict_types=1);

/** An answer that ends the request: thrown anywhere, written by the router. */
final class HttpError extends RuntimeException
{
    /** @param list<array{path: string, message: string, rule?: string}> $fields */
    public function __construct(
        public readonly int $status,
        public readonly string $errorCode,
        string $message,
        public readonly array $fields = [],
        public readonly array $headers = [],
    ) {
        parent::__construct($message);
    }
}

const CUPQR_MAX_BODY_BYTES = 64 * 1024;
const CUPQR_MAX_CALLBACK_BYTES = 16 * 1024;
const CUPQR_MAX_JSON_DEPTH = 32;

function cupqr_send_json(int $status, mixed $body, array $headers = []): void
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    header('Cache-Control: no-store');
    foreach ($headers as $name => $value) header("$name: $value");
    echo json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
}

function cupqr_send_error(HttpError $error): void
{
    $body = ['code' => $error->errorCode, 'message' => $error->getMessage()];
    if ($error->fields !== []) $body['fields'] = $error->fields;
    cupqr_send_json($error->status, ['error' => $body], $error->headers);
}

/** The request's header `$name` (any case), or null. */
function cupqr_header(string $name): ?string
{
    $key = 'HTTP_' . strtoupper(str_replace('-', '_', $name));
    if ($name === 'Content-Type') $key = 'CONTENT_TYPE';
    if ($name === 'Content-Length') $key = 'CONTENT_LENGTH';
    $value = $_SERVER[$key] ?? null;
    return is_string($value) ? $value : null;
}

function cupqr_require_json_type(): void
{
    $type = cupqr_header('Content-Type');
    if ($type === null || trim($type) === '') return;
    $media = strtolower(trim(explode(';', $type, 2)[0]));
    if ($media === 'application/json' || preg_match('~^application/[a-z0-9.+-]+\+json$~', $media)) return;
    throw new HttpError(415, 'unsupported-media-type', 'The body must be application/json.');
}

/** The raw body, at most `$limit` bytes (413 with `Connection: close` beyond). */
function cupqr_read_body(int $limit): string
{
    $length = cupqr_header('Content-Length');
    $tooLarge = new HttpError(413, 'too-large', "The body is over $limit bytes.", [], ['Connection' => 'close']);
    if ($length !== null && ctype_digit($length) && (int) $length > $limit) throw $tooLarge;
    $stream = fopen('php://input', 'rb');
    $text = $stream === false ? '' : (string) stream_get_contents($stream, $limit + 1);
    if (strlen($text) > $limit) throw $tooLarge;
    return $text;
}

/** Text as JSON (a BOM allowed), or 400 bad-request saying what is wrong. */
function cupqr_parse_json(string $text, string $what): mixed
{
    if (str_starts_with($text, "\xEF\xBB\xBF")) $text = substr($text, 3);
    if (!preg_match('//u', $text)) throw new HttpError(400, 'bad-request', "$what is not UTF-8.");
    try {
        return json_decode($text, true, CUPQR_MAX_JSON_DEPTH + 1, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
    } catch (JsonException $e) {
        $why = $e->getCode() === JSON_ERROR_DEPTH ? 'nested over ' . CUPQR_MAX_JSON_DEPTH . ' levels' : 'not valid JSON';
        throw new HttpError(400, 'bad-request', "$what is $why.");
    }
}

/** Whether the JSON text's top value is an object (`{}` decodes to [] as `[]` does). */
function cupqr_is_json_object_text(string $text): bool
{
    return (bool) preg_match('/^(?:\xEF\xBB\xBF)?[ \t\r\n]*\{/', $text);
}

/** A JSON object body of a `POST`, checked for type, size and syntax. */
function cupqr_read_json_object(int $limit = CUPQR_MAX_BODY_BYTES): array
{
    cupqr_require_json_type();
    $text = cupqr_read_body($limit);
    $value = cupqr_parse_json($text, 'The body');
    if (!is_array($value) || !cupqr_is_json_object_text($text)) {
        throw new HttpError(400, 'bad-request', 'The body must be a JSON object.');
    }
    return $value;
}

/** Whether `$value` is a JSON object as decoded (an array with string keys, or empty). */
function cupqr_is_object(mixed $value): bool
{
    return is_array($value) && ($value === [] || !array_is_list($value));
}

/** Unix milliseconds now. */
function cupqr_now_ms(): int
{
    return (int) floor(microtime(true) * 1000);
}

/** ISO 8601 UTC with milliseconds, as JavaScript's toISOString writes it. */
function cupqr_iso(int $ms): string
{
    return gmdate('Y-m-d\TH:i:s', intdiv($ms, 1000)) . sprintf('.%03dZ', $ms % 1000);
}

/** The code point of one UTF-8 character (there is no mbstring here). */
function cupqr_code_point(string $char): int
{
    $utf32 = iconv('UTF-8', 'UTF-32BE', $char);
    return $utf32 === false ? 0xFFFD : unpack('N', $utf32)[1];
}

/** Outside text for a log line: controls and format characters escaped, at most 200 characters. */
function cupqr_log_text(string $text): string
{
    if (!preg_match('//u', $text)) $text = (string) iconv('UTF-8', 'UTF-8//IGNORE', $text);
    $escaped = (string) preg_replace_callback(
        '/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u',
        fn (array $m): string => sprintf('\\u{%X}', cupqr_code_point($m[0])),
        $text
    );
    return (string) preg_replace('/^(.{200}).+$/us', '$1…', $escaped);
}

function cupqr_log(string $line): void
{
    error_log('cup-qr: ' . $line);
}
