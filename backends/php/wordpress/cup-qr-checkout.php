<?php
/**
 * Plugin Name: CUP QR Checkout
 * Description: China UnionPay QR payments through ECommPay: the [cup_qr_checkout] shortcode embeds the <cup-qr-checkout> element with a signed payload. Serve the routes with backends/php/router.php.
 * Version: 0.1.0
 * Requires PHP: 8.2
 * License: MIT
 *
 * What it does: signs the order into the element's `payload` (docs/wire-protocol.md "The
 * payload": HMAC-SHA256 with a key derived from the ECommPay secret key by HKDF) and prints
 * the element. The order's amount is made an integer of minor units even when the database
 * gives it as a string ("30000"), refused when it is not one ("300.50", "abc"); text that is
 * not UTF-8 is refused with the field's name rather than signed as something else; a missing
 * secret key says so. A shopper sees only "Payment is not available"; the reason goes to the
 * PHP error log.
 *
 * Shortcode: [cup_qr_checkout ref="order-1042" amount="30000" description="机械键盘"
 *   customer_id="42" return_url="https://shop.example/thanks"] (the filter `cup_qr_checkout_order`
 * may fill or change the order, from WooCommerce for instance).
 * Settings (constants in wp-config.php, else the environment): CUPQR_ECOMMPAY_SECRET_KEY
 * (ECOMMPAY_SECRET_KEY), CUPQR_ELEMENT_URL (the element's ES module, default
 * /cup-qr-checkout.js), CUPQR_ENDPOINT (the routes' prefix, default /cup-qr).
 *
 * This file stands alone (a plug-in is installed as one folder); its payload algorithm is the
 * one backends/php/src/payload.php verifies.
 */

declare(strict_types=1);

if (!defined('ABSPATH')) {
    exit; // Loaded by WordPress only.
}

const CUPQR_WP_PAYLOAD_TTL_S = 3600;
const CUPQR_WP_CUSTOMER_FIELDS = ['id', 'first_name', 'last_name', 'phone', 'email', 'zip', 'country', 'city', 'street'];

/** A setting: the constant `CUPQR_<name>` if defined, else the environment variable `$env`. */
function cupqr_wp_setting(string $constant, string $env, string $default = ''): string
{
    if (defined($constant)) return (string) constant($constant);
    $value = getenv($env);
    return $value === false || $value === '' ? $default : $value;
}

/** An amount of minor units as an integer: 30000, "30000", 30000.0; anything else refused. */
function cupqr_wp_amount(mixed $amount): int
{
    if (is_string($amount) && preg_match('/^\s*[0-9]{1,15}\s*$/', $amount)) $amount = (int) trim($amount);
    if (is_float($amount) && floor($amount) === $amount && $amount > 0 && $amount < 1e15) $amount = (int) $amount;
    if (!is_int($amount) || $amount <= 0) {
        throw new InvalidArgumentException('amount: a positive whole number of minor units (fen), such as 30000 for 300.00 CNY');
    }
    return $amount;
}

/** A text of the order: UTF-8, no `;` (it would split ECommPay's signed string). */
function cupqr_wp_text(string $path, mixed $value): string
{
    if (is_int($value)) $value = (string) $value;
    if (!is_string($value) || trim($value) === '') throw new InvalidArgumentException("$path: required");
    if (!preg_match('//u', $value)) throw new InvalidArgumentException("$path: not valid UTF-8 (check the database's character set)");
    if (str_contains($value, ';')) throw new InvalidArgumentException("$path: no \";\" (it separates the fields of ECommPay's signature)");
    return $value;
}

/**
 * The element's `payload` for an order: `ref`, `amount` (minor units), `description`,
 * `customer` (at least `id`), `returnUrl`; optional `locale`, `mode`.
 * @throws InvalidArgumentException naming the field, or the missing key
 */
function cupqr_wp_payload(array $order, string $secretKey, ?int $now = null): string
{
    if ($secretKey === '') {
        throw new InvalidArgumentException('the ECommPay secret key is not set: define CUPQR_ECOMMPAY_SECRET_KEY in wp-config.php (or ECOMMPAY_SECRET_KEY in the environment)');
    }
    $ref = cupqr_wp_text('ref', $order['ref'] ?? null);
    if (!preg_match('/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/', $ref)) {
        throw new InvalidArgumentException('ref: letters, digits, "_", "." and "-", at most 128');
    }
    $customer = [];
    foreach (CUPQR_WP_CUSTOMER_FIELDS as $field) {
        if (isset($order['customer'][$field]) && $order['customer'][$field] !== '') {
            $customer[$field] = cupqr_wp_text("customer.$field", $order['customer'][$field]);
        }
    }
    if (!isset($customer['id'])) throw new InvalidArgumentException("customer.id: required (the customer's id in your shop; ECommPay needs it)");
    $returnUrl = cupqr_wp_text('returnUrl', $order['returnUrl'] ?? null);
    if (!preg_match('~^https?://[^\s/]+~i', $returnUrl)) throw new InvalidArgumentException('returnUrl: an absolute http: or https: URL');
    $body = [
        'v' => 1,
        'ref' => $ref,
        'amount' => cupqr_wp_amount($order['amount'] ?? null),
        'currency' => 'CNY',
        'description' => cupqr_wp_text('description', $order['description'] ?? null),
        'customer' => $customer,
        'returnUrl' => $returnUrl,
        'exp' => ($now ?? time()) + CUPQR_WP_PAYLOAD_TTL_S,
    ];
    if (isset($order['locale'])) $body['locale'] = cupqr_wp_text('locale', $order['locale']);
    if (isset($order['mode'])) $body['mode'] = cupqr_wp_text('mode', $order['mode']);

    $key = hash_hkdf('sha256', $secretKey, 32, 'cup-qr-checkout/payload-key/v1', 'cup-qr-checkout');
    $b64 = fn (string $s): string => rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
    $encoded = $b64(json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR));
    return $encoded . '.' . $b64(hash_hmac('sha256', "cup-qr-checkout/payload/v1\n" . $encoded, $key, true));
}

/** The order of a shortcode's attributes, through the `cup_qr_checkout_order` filter. */
function cupqr_wp_order(array $atts): array
{
    $order = [
        'ref' => $atts['ref'] ?? null,
        'amount' => $atts['amount'] ?? null,
        'description' => $atts['description'] ?? null,
        'customer' => ['id' => $atts['customer_id'] ?? null],
        'returnUrl' => $atts['return_url'] ?? null,
    ];
    foreach (['locale', 'mode'] as $name) {
        if (isset($atts[$name])) $order[$name] = $atts[$name];
    }
    return function_exists('apply_filters') ? apply_filters('cup_qr_checkout_order', $order, $atts) : $order;
}

function cupqr_wp_escape(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

/** `[cup_qr_checkout …]`: the element and its script, or a notice (the reason is logged). */
function cupqr_wp_shortcode(array|string $atts = []): string
{
    $atts = is_array($atts) ? $atts : [];
    try {
        $payload = cupqr_wp_payload(cupqr_wp_order($atts), cupqr_wp_setting('CUPQR_ECOMMPAY_SECRET_KEY', 'ECOMMPAY_SECRET_KEY'));
    } catch (InvalidArgumentException | JsonException $e) {
        error_log('cup-qr-checkout shortcode: ' . $e->getMessage());
        return '<p class="cup-qr-checkout-unavailable">Payment is not available.</p>';
    }
    $script = cupqr_wp_setting('CUPQR_ELEMENT_URL', 'CUPQR_ELEMENT_URL', '/cup-qr-checkout.js');
    $endpoint = cupqr_wp_setting('CUPQR_ENDPOINT', 'CUPQR_PREFIX', '/cup-qr');
    return '<script type="module" src="' . cupqr_wp_escape($script) . '"></script>'
        . '<cup-qr-checkout payload="' . cupqr_wp_escape($payload) . '" endpoint="' . cupqr_wp_escape($endpoint) . '"></cup-qr-checkout>';
}

if (function_exists('add_shortcode')) {
    add_shortcode('cup_qr_checkout', 'cupqr_wp_shortcode');
}
