<?php
/**
 * The routes under the prefix (docs/wire-protocol.md, the table at the top) and the small
 * ones: the status JSON, the Payment Page link, the callback receiver. Other methods on a
 * route answer `405` with `Allow`; other paths under the prefix `404 not-found`.
 */
declare(strict_types=1);

/** [route name, payment id or null, allowed method] of a path under the prefix, or null. */
function cupqr_match_route(string $rest): ?array
{
    if ($rest === '/payments') return ['create', null, 'POST'];
    if ($rest === '/payment-page') return ['payment-page', null, 'POST'];
    if ($rest === '/callback') return ['callback', null, 'POST'];
    if (preg_match('~^/payments/([^/]+)/events$~', $rest, $m)) return ['events', rawurldecode($m[1]), 'GET'];
    if (preg_match('~^/payments/([^/]+)$~', $rest, $m)) return ['status', rawurldecode($m[1]), 'GET'];
    return null;
}

/** Handles a request under the prefix; false when the path is not under it. */
function cupqr_dispatch(Checkout $c, string $method, string $path): bool
{
    $prefix = $c->config->prefix;
    if ($path !== $prefix && !str_starts_with($path, "$prefix/")) return false;
    try {
        $route = cupqr_match_route(substr($path, strlen($prefix)));
        if ($route === null) throw new HttpError(404, 'not-found', 'No such route.');
        [$name, $paymentId, $allowed] = $route;
        if ($method !== $allowed) {
            throw new HttpError(405, 'method-not-allowed', "Use $allowed.", [], ['Allow' => $allowed]);
        }
        match ($name) {
            'create' => cupqr_handle_create_payment($c),
            'status' => cupqr_send_json(200, cupqr_payment_state(
                cupqr_authorized_payment($c->store, $paymentId, cupqr_request_token()), cupqr_now_ms())),
            'events' => cupqr_handle_events($c, $paymentId),
            'payment-page' => cupqr_handle_payment_page($c),
            'callback' => cupqr_handle_callback($c),
        };
    } catch (HttpError $e) {
        if (!headers_sent()) cupqr_send_error($e);
    } catch (Throwable $e) {
        cupqr_log('internal error: ' . $e::class . ': ' . $e->getMessage() . ' at ' . $e->getFile() . ':' . $e->getLine());
        if (!headers_sent()) cupqr_send_error(new HttpError(500, 'internal', 'Something went wrong on the shop server.'));
    }
    return true;
}

/** The Payment Page's parameters of a payment, flat (PROTOCOL.md §4). */
function cupqr_payment_page_params(Config $config, array $p): array
{
    $params = [
        'project_id' => $config->projectId,
        'payment_id' => $p['payment_id'],
        'payment_amount' => $p['amount'],
        'payment_currency' => $p['currency'],
        'payment_description' => $p['description'],
        'force_payment_method' => 'cup-qr',
        'merchant_success_url' => $p['return_url'],
        'merchant_callback_url' => $config->callbackUrl(),
    ];
    foreach ($p['customer'] as $field => $value) {
        if ($field !== 'ip_address' && is_string($value)) $params["customer_$field"] = $value;
    }
    if ($p['locale'] !== null) $params['language_code'] = strtolower(substr($p['locale'], 0, 2));
    return $params;
}

function cupqr_handle_payment_page(Checkout $c): void
{
    $c->guardStart();
    $body = cupqr_read_json_object();
    if (!is_string($body['paymentId'] ?? null) || !is_string($body['token'] ?? null)) {
        throw new HttpError(400, 'bad-request', 'paymentId and token are required.');
    }
    $c->config->requireProject();
    $payment = cupqr_authorized_payment($c->store, $body['paymentId'], $body['token']);
    if ($payment['channel'] !== 'payment-page') {
        throw new HttpError(409, 'wrong-mode', 'This payment was started as a QR code; start a Payment Page payment (mode "payment-page").');
    }
    $params = cupqr_payment_page_params($c->config, $payment);
    try {
        $signature = cupqr_sign($params, $c->config->secretKey);
    } catch (SignatureRefused $e) {
        throw new HttpError(422, 'invalid-request', 'This payment cannot be sent to the Payment Page.',
            [['path' => $e->path, 'message' => 'no ";" in a signed value']]);
    }
    $query = http_build_query($params + ['signature' => $signature], '', '&', PHP_QUERY_RFC3986);
    cupqr_send_json(200, ['url' => $c->config->paymentPageUrl . '?' . $query]);
}

function cupqr_handle_callback(Checkout $c): void
{
    $text = cupqr_read_body(CUPQR_MAX_CALLBACK_BYTES);
    $body = cupqr_parse_json($text, 'The callback');
    if (is_array($body) && !cupqr_is_json_object_text($text)) $body = null;
    $shape = cupqr_callback_shape_problem($body);
    if ($shape !== null) {
        cupqr_log('callback refused: ' . cupqr_log_text($shape->getMessage()));
        throw $shape;
    }
    $c->config->requireProject();
    if (!cupqr_verify($body, $c->config->secretKey)) {
        cupqr_log('callback refused: the signature does not verify');
        throw new HttpError(403, 'bad-signature', 'The callback signature does not verify.');
    }
    $now = cupqr_now_ms();
    $message = cupqr_parse_callback($body);
    if (is_string($message)) {
        cupqr_log('signed callback not understood: ' . cupqr_log_text($message));
        $c->store->recordCallback('', $text, 'unreadable', $now);
        cupqr_ok();
        return;
    }
    if ($message['project_id'] !== $c->config->projectId) {
        $c->store->recordCallback($message['payment_id'], $text, 'wrong-project', $now);
        throw new HttpError(400, 'wrong-project', "The callback is for project {$message['project_id']}, this checkout serves {$c->config->projectId}.");
    }
    $outcome = 'unknown-payment';
    $c->store->change($message['payment_id'], function (array $p) use ($message, $now, &$outcome) {
        [$outcome, $next] = cupqr_apply_callback($p, $message, $now);
        return $next;
    });
    $c->store->recordCallback($message['payment_id'], $text, $outcome, $now);
    cupqr_ok();
}

function cupqr_ok(): void
{
    http_response_code(200);
    header('Content-Type: text/plain; charset=utf-8');
    echo 'OK';
}
