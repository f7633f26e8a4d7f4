<?php
/**
 * The WordPress plug-in's payload and shortcode without WordPress: `add_shortcode` is stubbed,
 * and every payload it makes is verified by the backend's own verifier (src/payload.php).
 * Prints one line per check; exits 1 on the first failure. Run: php tests/wordpress-plugin-test.php
 * (test/node/php-backend.test.ts runs it in `npm test`). With an argument, prints a payload
 * for that secret key instead, for the Node side to verify.
 */
declare(strict_types=1);

define('ABSPATH', __DIR__);
$shortcodes = [];
function add_shortcode(string $tag, callable $callback): void
{
    $GLOBALS['shortcodes'][$tag] = $callback;
}

require dirname(__DIR__) . '/wordpress/cup-qr-checkout.php';
require dirname(__DIR__) . '/src/http.php';
require dirname(__DIR__) . '/src/customer.php';
require dirname(__DIR__) . '/src/payload.php';

const KEY = 'wordpress-test-secret';
$order = [
    'ref' => 'wc-1042', 'amount' => '30000', 'description' => '机械键盘',
    'customer' => ['id' => '42', 'city' => '北京'], 'returnUrl' => 'https://shop.example/thanks',
];

if (isset($argv[1])) {
    echo cupqr_wp_payload($order, $argv[1]);
    exit(0);
}

function check(bool $ok, string $what): void
{
    echo ($ok ? 'ok  ' : 'FAIL') . "  $what\n";
    if (!$ok) exit(1);
}

/** The message of what `$make` throws, or '' when it does not. */
function refusal(callable $make): string
{
    try {
        $make();
    } catch (InvalidArgumentException $e) {
        return $e->getMessage();
    }
    return '';
}

check(isset($shortcodes['cup_qr_checkout']), 'the shortcode is registered');

$body = cupqr_verify_payload(cupqr_wp_payload($order, KEY), cupqr_payload_key(KEY), time() * 1000);
check($body['amount'] === 30000, 'an amount the database gives as "30000" is signed as the integer 30000');
check($body['description'] === '机械键盘' && $body['customer']['city'] === '北京', 'Chinese text is signed as it is');
$float = cupqr_verify_payload(cupqr_wp_payload(['amount' => 30000.0] + $order, KEY), cupqr_payload_key(KEY), time() * 1000);
check($float['amount'] === 30000, 'an amount of 30000.0 is the integer 30000');

foreach (['300.50', 'abc', '-5', '0', ''] as $amount) {
    check(str_starts_with(refusal(fn () => cupqr_wp_payload(['amount' => $amount] + $order, KEY)), 'amount:'), "amount \"$amount\" is refused, naming amount");
}
check(str_contains(refusal(fn () => cupqr_wp_payload($order, '')), 'secret key is not set'), 'a missing key says so');
check(
    str_starts_with(refusal(fn () => cupqr_wp_payload(['description' => "caf\xE9"] + $order, KEY)), 'description: not valid UTF-8'),
    'a description that is not UTF-8 (Latin-1 bytes) is refused, naming the field'
);
check(
    str_starts_with(refusal(fn () => cupqr_wp_payload(['customer' => ['id' => '42', 'city' => "北京;payment:id:x"]] + $order, KEY)), 'customer.city: no ";"'),
    'a ";" is refused, naming the field'
);
check(str_starts_with(refusal(fn () => cupqr_wp_payload(['customer' => []] + $order, KEY)), 'customer.id'), 'customer.id is required');

putenv('ECOMMPAY_SECRET_KEY=' . KEY);
$html = $shortcodes['cup_qr_checkout'](['ref' => 'wc-7', 'amount' => '100', 'description' => 'a "quoted" <b>', 'customer_id' => '7', 'return_url' => 'https://shop.example/t']);
check(preg_match('/<cup-qr-checkout payload="([A-Za-z0-9_.-]+)" endpoint="\/cup-qr"><\/cup-qr-checkout>/', $html, $m) === 1, 'the shortcode prints the element with its payload');
$shown = cupqr_verify_payload($m[1], cupqr_payload_key(KEY), time() * 1000);
check($shown['description'] === 'a "quoted" <b>', 'the shortcode signs the description as given');
check(str_contains($html, '<script type="module" src="/cup-qr-checkout.js"></script>'), 'and loads the element');
$broken = @$shortcodes['cup_qr_checkout'](['ref' => 'wc-8', 'amount' => '1.5']);
check($broken === '<p class="cup-qr-checkout-unavailable">Payment is not available.</p>', 'a bad order shows a notice, not an error');
