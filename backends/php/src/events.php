<?php
/**
 * `GET {prefix}/payments/:id/events` (docs/wire-protocol.md, SSE rules 1-9): `retry: 3000`,
 * the current state unless `Last-Event-ID` has it, then every later change as `id: <seq>`,
 * `event: status`, one `data:` line. PHP has no publish/subscribe between the built-in
 * server's worker processes, so the stream polls SQLite for a higher `seq` (every 200 ms),
 * writes `: ping` every CUPQR_SSE_HEARTBEAT_S, closes after a final state, and ends after its
 * lifetime (CUPQR_SSE_LIFETIME_S, cut by up to a tenth at random) with `retry: 250`, or
 * when another request has waited behind it in the same `php -S` worker for 3 s. Each open stream holds
 * one worker: run `php -S` with PHP_CLI_SERVER_WORKERS.
 */
declare(strict_types=1);

const CUPQR_POLL_US = 200_000;
/** How often a stream under `php -S` looks for a request waiting behind it (in polls). */
const CUPQR_QUEUE_CHECK_POLLS = 5;
/**
 * How long such a request may wait before the stream makes way: streams that are about to end
 * (a final state coming) end on their own, the rest end early with `retry: 250`.
 */
const CUPQR_QUEUE_GRACE_S = 3;

/**
 * Connections to this server's port that this process holds besides the stream's own: under
 * `php -S`, a worker accepts every connection waiting when it polls, then serves them one
 * after the other, so a request (a callback, a `POST /payments`) accepted together with a
 * stream would wait for the whole stream. Linux only (/proc); 0 elsewhere.
 */
function cupqr_waiting_connections(int $port): int
{
    $inodes = [];
    foreach (glob('/proc/self/fd/*') ?: [] as $fd) {
        $target = @readlink($fd);
        if (is_string($target) && preg_match('/^socket:\[(\d+)\]$/', $target, $m)) $inodes[$m[1]] = true;
    }
    $held = 0;
    foreach (['/proc/net/tcp', '/proc/net/tcp6'] as $table) {
        foreach (@file($table, FILE_IGNORE_NEW_LINES) ?: [] as $i => $line) {
            $cols = preg_split('/\s+/', trim($line));
            if ($i === 0 || count($cols) < 10 || $cols[3] !== '01') continue; // ESTABLISHED only
            $local = explode(':', $cols[1]);
            if (hexdec(end($local)) === $port && isset($inodes[$cols[9]])) $held++;
        }
    }
    return max(0, $held - 1);
}

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
    $port = (int) ($_SERVER['SERVER_PORT'] ?? 0);
    $builtIn = PHP_SAPI === 'cli-server' && $port > 0;
    $waitingSince = null;
    for ($polls = 0; ; $polls++) {
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
        // Someone waits behind this stream in this worker: make way, the client comes back at once.
        if ($builtIn && $polls % CUPQR_QUEUE_CHECK_POLLS === 0) {
            $waitingSince = cupqr_waiting_connections($port) > 0 ? ($waitingSince ?? $now) : null;
        }
        $makeWay = $waitingSince !== null && $now - $waitingSince >= CUPQR_QUEUE_GRACE_S;
        if ($makeWay || $now - $start >= $lifetime) {
            cupqr_sse_write("retry: 250\n\n");
            return;
        }
        usleep(CUPQR_POLL_US);
    }
}
