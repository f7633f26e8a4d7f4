<?php
/**
 * The router of PHP's built-in server, and the backend's entry point:
 *
 *   PHP_CLI_SERVER_WORKERS=8 ECOMMPAY_PROJECT_ID=… ECOMMPAY_SECRET_KEY=… PUBLIC_URL=… \
 *     php -S 127.0.0.1:8080 backends/php/router.php
 *
 * Routes under CUPQR_PREFIX (`/cup-qr`) are the wire protocol (src/routes.php). With
 * CUPQR_DEMO_ELEMENT set to the element's ES module bundle, `/` is a demo checkout page made
 * by the WordPress plug-in's shortcode (for the end-to-end test); anything else is 404.
 * Under another web server, send every request under the prefix to this file.
 */
declare(strict_types=1);

require __DIR__ . '/src/http.php';
require __DIR__ . '/src/signature.php';
require __DIR__ . '/src/customer.php';
require __DIR__ . '/src/payload.php';
require __DIR__ . '/src/payment.php';
require __DIR__ . '/src/callback.php';
require __DIR__ . '/src/config.php';
require __DIR__ . '/src/store.php';
require __DIR__ . '/src/gate.php';
require __DIR__ . '/src/tokens.php';
require __DIR__ . '/src/checkout.php';
require __DIR__ . '/src/create-payment.php';
require __DIR__ . '/src/events.php';
require __DIR__ . '/src/routes.php';

$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$path = (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
$config = Config::fromEnvironment();
if (cupqr_dispatch(new Checkout($config), $method, $path)) return true;
if (getenv('CUPQR_DEMO_ELEMENT')) {
    require __DIR__ . '/demo.php';
    if (cupqr_demo($config, $path)) return true;
}
cupqr_send_error(new HttpError(404, 'not-found', 'No such route.'));
return true;
