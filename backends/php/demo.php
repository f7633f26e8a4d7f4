<?php
/**
 * A demo checkout page, on only when CUPQR_DEMO_ELEMENT names the element's ES module bundle
 * (the end-to-end test builds it): `/?ref=…` is the WordPress plug-in's shortcode on a bare
 * page, its order filled by a `cup_qr_checkout_order` filter as a shop would fill it (the test
 * customer of the seed); `/cup-qr-checkout.js` is the bundle, `/cup-qr-checkout.*.js` the
 * companion files written beside it.
 */
declare(strict_types=1);

const CUPQR_DEMO_CUSTOMER = [
    'id' => 'customer-7', 'first_name' => '倩文', 'last_name' => '伍', 'phone' => '13632264147',
    'email' => 'wu@example.com', 'zip' => '100022', 'country' => 'CN', 'city' => '北京', 'street' => '建国路88号',
];

function apply_filters(string $hook, mixed $value): mixed
{
    return $hook === 'cup_qr_checkout_order' ? ['customer' => CUPQR_DEMO_CUSTOMER] + $value : $value;
}

function cupqr_demo(Config $config, string $path): bool
{
    $bundle = (string) getenv('CUPQR_DEMO_ELEMENT');
    // The bundle, and its companions from the same folder (`cup-qr-checkout.form.js`, …: the
    // bundle imports them from beside itself); only names of that shape, nothing else on disk.
    $file = $path === '/cup-qr-checkout.js' ? $bundle
        : (preg_match('~^/(cup-qr-checkout\.[a-z]+\.js)$~D', $path, $m) ? dirname($bundle) . '/' . $m[1] : null);
    if ($file !== null && is_file($file)) {
        header('Content-Type: text/javascript; charset=utf-8');
        readfile($file);
        return true;
    }
    if ($path !== '/') return false;
    if (!defined('ABSPATH')) define('ABSPATH', __DIR__);
    require_once __DIR__ . '/wordpress/cup-qr-checkout.php';
    $ref = is_string($_GET['ref'] ?? null) ? $_GET['ref'] : 'demo-1';
    header('Content-Type: text/html; charset=utf-8');
    echo '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>cup-qr-checkout · PHP</title><body>';
    echo cupqr_wp_shortcode([
        'ref' => $ref, 'amount' => '30000', 'description' => '机械键盘',
        'customer_id' => 'customer-7', 'return_url' => $config->publicUrl . '/thanks',
    ]);
    echo '</body></html>';
    return true;
}
