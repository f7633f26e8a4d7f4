<?php
/**
 * `GET {prefix}/payments/:id/events` (docs/wire-protocol.md, SSE rules 1-9): `retry: 3000`,
 * the current state unless `Last-Event-ID` has it, then every later change as `id: <seq>`,
 * `event: status`, one `data:` line. PHP has no publish/subscribe between the built-in
 * server's worker processes, so the stream polls SQLite for a higher `seq` (every 200 ms),
 * writes `: ping` every CUPQR_SSE_HEARTBEAT_S, closes after a final state, and ends after its
 * lifetime (CUPQR_SSE_LIFETIME_S, cut by up to a tenth at random) with `retry: 250`. Each
 * open stream holds one worker: run `php -S` with PHP_CLI_SERVER_WORKERS.
 */
declare(strict_types=1);

const CUPQR_POLL_US = 200_000;

function cupqr_last_event_id(): int
{
    $header = trim(cupqr_header('Last-Event-ID') ?? '');
    return preg_match('/^\d{1,15}$/', $header) ? (int) $header : -1;
}

function cupqr_sse_write(string $text): void
{
    echo $text;
    flush();
}

function cupqr_handle_events(Checkout $c, string $paymentId): void
{
    $payment = cupqr_authorized_payment($c->store, $paymentId, cupqr_request_token());
    $last = cupqr_last_event_id();
    if (cupqr_is_terminal($payment['status']) && $last >= $payment['seq']) {
        http_response_code(204);
        header('Cache-Control: no-store');
        return;
    }
    set_time_limit(0);
    ignore_user_abort(true);
    http_response_code(200);
    header('Content-Type: text/event-stream; charset=utf-8');
    header('Cache-Control: no-cache, no-transform');
    header('X-Accel-Buffering: no');
    while (ob_get_level() > 0) ob_end_flush();
    cupqr_sse_write("retry: 3000\n\n");

    $start = microtime(true);
    $lifetime = $c->config->streamLifetimeS * (1 - random_int(0, 1000) / 10000);
    $beat = $start;
    while (true) {
        $payment = $c->store->payment($paymentId) ?? $payment;
        if ($payment['seq'] > $last) {
            $last = $payment['seq'];
            $data = json_encode(cupqr_payment_state($payment, cupqr_now_ms()), JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
            cupqr_sse_write("id: $last\nevent: status\ndata: $data\n\n");
            if (cupqr_is_terminal($payment['status'])) return;
        }
        $now = microtime(true);
        if ($now - $beat >= $c->config->heartbeatS) {
            cupqr_sse_write(": ping\n\n");
            $beat = $now;
        }
        if (connection_aborted()) return;
        if ($now - $start >= $lifetime) {
            cupqr_sse_write("retry: 250\n\n");
            return;
        }
        usleep(CUPQR_POLL_US);
    }
}
