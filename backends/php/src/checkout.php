<?php
/**
 * The backend's parts in one place (configuration, store, Gate) and what several routes share:
 * the checks before a payment is started (`Origin`, the start rate limit) and the refresh of a
 * payment from Gate's status (applied like a callback when signed).
 */
declare(strict_types=1);

final class Checkout
{
    public readonly Store $store;
    public readonly Gate $gate;

    public function __construct(public readonly Config $config)
    {
        $this->store = new Store($config->dbPath);
        $this->gate = new Gate($config);
    }

    public function payloadKey(): string
    {
        return cupqr_payload_key($this->config->secretKey);
    }

    /**
     * Before a body is read: a browser `Origin` of another site is `403 origin-refused`; a
     * client over its starts a minute `429 rate-limited`.
     */
    public function guardStart(): void
    {
        $origin = cupqr_header('Origin');
        if ($origin !== null && $origin !== 'null') {
            $scheme = (!empty($_SERVER['HTTPS']) && $_SERVER['HTTPS'] !== 'off') ? 'https' : 'http';
            $own = $scheme . '://' . strtolower(cupqr_header('Host') ?? '');
            $public = parse_url($this->config->publicUrl);
            $publicOrigin = ($public['scheme'] ?? '') . '://' . ($public['host'] ?? '') . (isset($public['port']) ? ':' . $public['port'] : '');
            if (!in_array(strtolower($origin), [$own, strtolower($publicOrigin)], true)) {
                cupqr_log('origin refused: ' . cupqr_log_text($origin));
                throw new HttpError(403, 'origin-refused', 'Payments are not started from pages of another site.');
            }
        }
        $client = $_SERVER['REMOTE_ADDR'] ?? '';
        if ($this->config->startLimit <= 0 || $client === '') return;
        $wait = $this->store->countStart($client, cupqr_now_ms(), $this->config->startLimit);
        if ($wait !== null) {
            throw new HttpError(429, 'rate-limited', "Too many payments started from this address; try again in $wait s.",
                [], ['Retry-After' => (string) $wait]);
        }
    }

    /** Asks Gate for a payment's status and applies it when signed. @throws GateFailure */
    public function refresh(string $paymentId): void
    {
        [$message, $signed] = $this->gate->status($paymentId);
        if (!$signed) {
            cupqr_log('refresh: ' . cupqr_log_text($paymentId) . ': an unsigned status answer is not applied');
            return;
        }
        $now = cupqr_now_ms();
        $this->store->change($paymentId, fn (array $p) => cupqr_apply_callback($p, $message, $now)[1]);
    }
}
