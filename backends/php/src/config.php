<?php
/**
 * Configuration from the environment, with the names of the README's table:
 * ECOMMPAY_GATE_URL, ECOMMPAY_PROJECT_ID, ECOMMPAY_SECRET_KEY, PUBLIC_URL, PORT,
 * ECOMMPAY_PAYMENT_PAGE_URL; and this backend's own: CUPQR_PREFIX (`/cup-qr`), CUPQR_DB (the
 * SQLite file), CUPQR_START_LIMIT (starts per minute and client address, 20; 0 = off),
 * CUPQR_SSE_HEARTBEAT_S (15), CUPQR_SSE_LIFETIME_S (300), CUPQR_GATE_TIMEOUT_S (10).
 * A missing project id or key is not fatal here: the routes that need them answer
 * `500 configuration` (and say which in the log).
 */
declare(strict_types=1);

final class Config
{
    public function __construct(
        public readonly string $gateUrl,
        public readonly int $projectId,
        public readonly string $secretKey,
        public readonly string $publicUrl,
        public readonly string $prefix,
        public readonly string $dbPath,
        public readonly string $paymentPageUrl,
        public readonly int $startLimit,
        public readonly int $heartbeatS,
        public readonly int $streamLifetimeS,
        public readonly int $gateTimeoutS,
    ) {
    }

    public static function fromEnvironment(): self
    {
        $env = function (string $name, string $default = ''): string {
            $value = getenv($name);
            return $value === false || $value === '' ? $default : $value;
        };
        $gateUrl = rtrim($env('ECOMMPAY_GATE_URL', 'https://api.ecommpay.com'), '/');
        $port = $env('PORT', '8080');
        $real = $gateUrl === 'https://api.ecommpay.com';
        return new self(
            gateUrl: $gateUrl,
            projectId: ctype_digit($env('ECOMMPAY_PROJECT_ID')) ? (int) $env('ECOMMPAY_PROJECT_ID') : 0,
            secretKey: $env('ECOMMPAY_SECRET_KEY'),
            publicUrl: rtrim($env('PUBLIC_URL', "http://127.0.0.1:$port"), '/'),
            prefix: '/' . trim($env('CUPQR_PREFIX', '/cup-qr'), '/'),
            dbPath: $env('CUPQR_DB', dirname(__DIR__) . '/data/cup-qr.sqlite'),
            paymentPageUrl: $env('ECOMMPAY_PAYMENT_PAGE_URL', $real ? 'https://paymentpage.ecommpay.com/payment' : "$gateUrl/payment"),
            startLimit: (int) $env('CUPQR_START_LIMIT', '20'),
            heartbeatS: max(1, (int) $env('CUPQR_SSE_HEARTBEAT_S', '15')),
            streamLifetimeS: max(1, (int) $env('CUPQR_SSE_LIFETIME_S', '300')),
            gateTimeoutS: max(1, (int) $env('CUPQR_GATE_TIMEOUT_S', '10')),
        );
    }

    /** @throws HttpError 500 configuration when the project id or secret key is missing */
    public function requireProject(): void
    {
        if ($this->projectId > 0 && $this->secretKey !== '') return;
        cupqr_log('configuration: set ECOMMPAY_PROJECT_ID and ECOMMPAY_SECRET_KEY');
        throw new HttpError(500, 'configuration', 'The shop server is not configured fully.');
    }

    public function callbackUrl(): string
    {
        return $this->publicUrl . $this->prefix . '/callback';
    }
}
