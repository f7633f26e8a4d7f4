<?php
/**
 * Gate, ECommPay's server API (PROTOCOL.md §2), over PHP's HTTP stream wrapper (no curl):
 * the signed CUP QR sale and the status request. A failure is a GateFailure whose `kind` the
 * routes map to the wire's errors: `invalid` (400/422, field errors), `auth` (401/403, signature
 * codes), `refused` (other refusals), `retryable` (408/429/5xx), `lost` (no answer, or one that
 * cannot be read: the request may have got through), `duplicate` (3041: an earlier sale did).
 */
declare(strict_types=1);

final class GateFailure extends RuntimeException
{
    public function __construct(
        public readonly string $kind,
        string $message,
        public readonly ?string $platformCode = null,
        public readonly ?string $platformMessage = null,
        public readonly array $fieldErrors = [],
    ) {
        parent::__construct($message);
    }
}

const CUPQR_SALE_PATH = '/v2/payment/cup/qr/sale';
const CUPQR_STATUS_PATH = '/v2/payment/status';

final class Gate
{
    public function __construct(private readonly Config $config)
    {
    }

    /** POSTs JSON; [HTTP status, decoded body or null]. @throws GateFailure lost */
    private function post(string $path, array $body): array
    {
        $context = stream_context_create(['http' => [
            'method' => 'POST',
            'header' => "Content-Type: application/json\r\nAccept: application/json\r\n",
            'content' => json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES),
            'timeout' => $this->config->gateTimeoutS,
            'ignore_errors' => true,
            'follow_location' => 0,
        ]]);
        $text = @file_get_contents($this->config->gateUrl . $path, false, $context);
        $headers = $http_response_header ?? [];
        if ($text === false || !isset($headers[0]) || !preg_match('~^HTTP/\S+ (\d{3})~', $headers[0], $m)) {
            throw new GateFailure('lost', "no answer from Gate ($path)");
        }
        $json = json_decode($text, true, 64, JSON_BIGINT_AS_STRING);
        return [(int) $m[1], is_array($json) ? $json : null];
    }

    /** The refusal Gate's answer says, with its code, message and field errors. */
    private static function refusal(int $http, ?array $json, string $what): GateFailure
    {
        $errors = [];
        foreach (is_array($json['errors'] ?? null) ? $json['errors'] : [] as $error) {
            if (!is_array($error)) continue;
            $errors[] = ['path' => is_string($error['field'] ?? null) ? $error['field'] : '',
                'message' => is_string($error['message'] ?? null) ? $error['message'] : 'invalid'];
        }
        $code = cupqr_id_text($json['code'] ?? null) ?? cupqr_id_text($json['errors'][0]['code'] ?? null);
        $message = is_string($json['message'] ?? null) ? $json['message'] : null;
        $said = "Gate refused the $what (HTTP $http" . ($code !== null ? ", code $code" : '') . ')';
        $kind = match (true) {
            $code === '3041' => 'duplicate',
            in_array($code, ['3261', '3262', '2442'], true), $http === 401, $http === 403 => 'auth',
            in_array($code, ['2003', '2004'], true), $http === 400, $http === 422, $errors !== [] => 'invalid',
            $http === 408, $http === 429, $http >= 500 => 'retryable',
            $http !== 200 && ($http < 400 || $http > 499) => 'lost',
            default => 'refused',
        };
        return new GateFailure($kind, $said, $code, $message, $errors);
    }

    /** Signs and sends the sale. @throws GateFailure, SignatureRefused (a `;`: nothing sent) */
    public function sale(array $request): void
    {
        $request['general']['project_id'] = $this->config->projectId;
        $request['general']['signature'] = cupqr_sign($request, $this->config->secretKey);
        [$http, $json] = $this->post(CUPQR_SALE_PATH, $request);
        if ($http === 200 && $json !== null && ($json['status'] ?? null) === 'success') return;
        if ($http === 200 && ($json === null || !is_string($json['status'] ?? null))) {
            throw new GateFailure('lost', 'Gate answered the sale with something that is not an answer');
        }
        throw self::refusal($http, $json, 'sale');
    }

    /**
     * The payment's status: [parsed message, signed]. Throws when Gate does not have it or
     * cannot say. @throws GateFailure
     */
    public function status(string $paymentId): array
    {
        $request = ['general' => ['project_id' => $this->config->projectId, 'payment_id' => $paymentId]];
        $request['general']['signature'] = cupqr_sign($request, $this->config->secretKey);
        [$http, $json] = $this->post(CUPQR_STATUS_PATH, $request);
        if ($http !== 200 || $json === null || !isset($json['payment'])) throw self::refusal($http, $json, 'status request');
        $signed = cupqr_find_signature($json) !== null;
        if ($signed && !cupqr_verify($json, $this->config->secretKey)) {
            throw new GateFailure('lost', 'a status answer whose signature does not verify');
        }
        $parsed = cupqr_parse_callback($json, true);
        if (is_string($parsed)) throw new GateFailure('lost', "a status answer that cannot be read: $parsed");
        if ($parsed['payment_id'] !== $paymentId || $parsed['project_id'] !== $this->config->projectId) {
            throw new GateFailure('lost', 'the status of another payment');
        }
        return [$parsed, $signed];
    }
}
