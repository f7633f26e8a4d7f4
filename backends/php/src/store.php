<?php
/**
 * The payments, their tokens (SHA-256 only) and the verified callbacks, in SQLite: they
 * survive restarts, and every `php -S` worker (a process each) sees the same data. A change is
 * one `BEGIN IMMEDIATE` transaction (read, decide, write), so two workers never both move a
 * payment from the same state. The attempt counter is the order's highest `attempt`.
 */
declare(strict_types=1);

final class Store
{
    private PDO $db;

    public function __construct(string $path)
    {
        $dir = dirname($path);
        if (!is_dir($dir)) mkdir($dir, 0700, true);
        $this->db = new PDO('sqlite:' . $path, null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        $this->db->exec('PRAGMA busy_timeout = 10000');
        $this->db->exec('PRAGMA journal_mode = WAL');
        $this->db->exec('PRAGMA synchronous = NORMAL');
        $this->db->exec(<<<'SQL'
            CREATE TABLE IF NOT EXISTS payments (
              payment_id TEXT PRIMARY KEY, order_ref TEXT NOT NULL, attempt INTEGER NOT NULL,
              channel TEXT NOT NULL, status TEXT NOT NULL, seq INTEGER NOT NULL,
              amount INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT NOT NULL,
              customer TEXT NOT NULL, return_url TEXT NOT NULL, locale TEXT,
              qr_data TEXT, qr_timeout INTEGER, qr_received_ms INTEGER,
              code TEXT, message TEXT, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
              UNIQUE (order_ref, attempt));
            CREATE TABLE IF NOT EXISTS tokens (
              payment_id TEXT NOT NULL, hash TEXT NOT NULL, issued_ms INTEGER NOT NULL,
              used_ms INTEGER, PRIMARY KEY (payment_id, hash));
            CREATE TABLE IF NOT EXISTS callbacks (
              sha256 TEXT NOT NULL, payment_id TEXT NOT NULL, outcome TEXT NOT NULL,
              received_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, count INTEGER NOT NULL,
              size INTEGER NOT NULL, head TEXT NOT NULL, PRIMARY KEY (payment_id, sha256));
            CREATE TABLE IF NOT EXISTS rate (
              client TEXT PRIMARY KEY, window_ms INTEGER NOT NULL, count INTEGER NOT NULL);
            SQL);
    }

    private static function row(array $row): array
    {
        $row['customer'] = json_decode($row['customer'], true);
        foreach (['attempt', 'seq', 'amount', 'qr_timeout', 'qr_received_ms', 'created_ms', 'updated_ms'] as $n) {
            if ($row[$n] !== null) $row[$n] = (int) $row[$n];
        }
        return $row;
    }

    public function payment(string $paymentId): ?array
    {
        $q = $this->db->prepare('SELECT * FROM payments WHERE payment_id = ?');
        $q->execute([$paymentId]);
        $row = $q->fetch(PDO::FETCH_ASSOC);
        return $row === false ? null : self::row($row);
    }

    public function latestAttempt(string $orderRef): ?array
    {
        $q = $this->db->prepare('SELECT * FROM payments WHERE order_ref = ? ORDER BY attempt DESC LIMIT 1');
        $q->execute([$orderRef]);
        $row = $q->fetch(PDO::FETCH_ASSOC);
        return $row === false ? null : self::row($row);
    }

    /** Stores a new attempt and its first token; false when that attempt exists already. */
    public function create(array $p, string $tokenHash): bool
    {
        $this->db->exec('BEGIN IMMEDIATE');
        try {
            $q = $this->db->prepare('INSERT OR IGNORE INTO payments (payment_id, order_ref, attempt, channel,
                status, seq, amount, currency, description, customer, return_url, locale, created_ms, updated_ms)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)');
            $q->execute([$p['payment_id'], $p['order_ref'], $p['attempt'], $p['channel'], 'pending',
                $p['amount'], $p['currency'], $p['description'],
                json_encode($p['customer'], JSON_UNESCAPED_UNICODE | JSON_FORCE_OBJECT),
                $p['return_url'], $p['locale'], $p['created_ms'], $p['created_ms']]);
            $created = $q->rowCount() === 1;
            if ($created) {
                $this->db->prepare('INSERT INTO tokens (payment_id, hash, issued_ms) VALUES (?, ?, ?)')
                    ->execute([$p['payment_id'], $tokenHash, $p['created_ms']]);
            }
            $this->db->exec('COMMIT');
            return $created;
        } catch (Throwable $e) {
            $this->db->exec('ROLLBACK');
            throw $e;
        }
    }

    /**
     * Changes a payment in one transaction: `$change` gets the current row and returns the next
     * one (seq already raised) or null for no change. Returns [current after, whether written].
     */
    public function change(string $paymentId, callable $change): array
    {
        $this->db->exec('BEGIN IMMEDIATE');
        try {
            $current = $this->payment($paymentId);
            $next = $current === null ? null : $change($current);
            if ($next !== null) {
                $this->db->prepare('UPDATE payments SET status = ?, seq = ?, qr_data = ?, qr_timeout = ?,
                    qr_received_ms = ?, code = ?, message = ?, updated_ms = ? WHERE payment_id = ?')
                    ->execute([$next['status'], $next['seq'], $next['qr_data'], $next['qr_timeout'],
                        $next['qr_received_ms'], $next['code'], $next['message'], $next['updated_ms'], $paymentId]);
            }
            $this->db->exec('COMMIT');
            return [$next ?? $current, $next !== null];
        } catch (Throwable $e) {
            $this->db->exec('ROLLBACK');
            throw $e;
        }
    }

    /** The token hashes of a payment, most recent first. */
    public function tokens(string $paymentId): array
    {
        $q = $this->db->prepare('SELECT hash, issued_ms, used_ms FROM tokens WHERE payment_id = ? ORDER BY issued_ms DESC');
        $q->execute([$paymentId]);
        return $q->fetchAll(PDO::FETCH_ASSOC);
    }

    /**
     * Issues a token under the rules of docs/wire-protocol.md "Tokens": at most `$max` kept
     * (the oldest neither in use nor issued within the last minute makes room), at most
     * `$perMinute` issued a minute. Returns null, or the seconds to wait.
     */
    public function issueToken(string $paymentId, string $hash, int $now, int $max, int $perMinute, int $inUseMs): ?int
    {
        $this->db->exec('BEGIN IMMEDIATE');
        try {
            $tokens = $this->tokens($paymentId);
            $recent = array_filter($tokens, fn ($t) => (int) $t['issued_ms'] > $now - 60_000);
            if (count($recent) >= $perMinute) {
                $this->db->exec('ROLLBACK');
                return max(1, (int) ceil((min(array_map(fn ($t) => (int) $t['issued_ms'], $recent)) + 60_000 - $now) / 1000));
            }
            if (count($tokens) >= $max) {
                $free = array_filter(array_reverse($tokens), fn ($t) => (int) $t['issued_ms'] <= $now - 60_000
                    && ($t['used_ms'] === null || (int) $t['used_ms'] <= $now - $inUseMs));
                if ($free === []) {
                    $this->db->exec('ROLLBACK');
                    return 60;
                }
                $this->db->prepare('DELETE FROM tokens WHERE payment_id = ? AND hash = ?')
                    ->execute([$paymentId, reset($free)['hash']]);
            }
            $this->db->prepare('INSERT OR IGNORE INTO tokens (payment_id, hash, issued_ms) VALUES (?, ?, ?)')
                ->execute([$paymentId, $hash, $now]);
            $this->db->exec('COMMIT');
            return null;
        } catch (Throwable $e) {
            $this->db->exec('ROLLBACK');
            throw $e;
        }
    }

    /** Notes a token's use, at most once a minute. */
    public function touchToken(string $paymentId, string $hash, int $now): void
    {
        $this->db->prepare('UPDATE tokens SET used_ms = ? WHERE payment_id = ? AND hash = ?
            AND (used_ms IS NULL OR used_ms <= ?)')->execute([$now, $paymentId, $hash, $now - 60_000]);
    }

    /** Records a verified callback; the very same body again only counts. */
    public function recordCallback(string $paymentId, string $body, string $outcome, int $now): void
    {
        $sha = hash('sha256', $body);
        $head = substr($body, 0, 4096);
        while ($head !== '' && !preg_match('//u', $head)) $head = substr($head, 0, -1);
        $this->db->prepare('INSERT INTO callbacks (sha256, payment_id, outcome, received_ms, last_ms, count, size, head)
            VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (payment_id, sha256)
            DO UPDATE SET count = count + 1, last_ms = excluded.last_ms,
              outcome = CASE WHEN excluded.outcome IN (\'applied\', \'amount-mismatch\') THEN excluded.outcome ELSE outcome END')
            ->execute([$sha, $paymentId, $outcome, $now, $now, strlen($body), $head]);
    }

    /** Counts one start by `$client` in the current minute; the seconds to wait when over `$limit`. */
    public function countStart(string $client, int $now, int $limit): ?int
    {
        $this->db->exec('BEGIN IMMEDIATE');
        try {
            $q = $this->db->prepare('SELECT window_ms, count FROM rate WHERE client = ?');
            $q->execute([$client]);
            $row = $q->fetch(PDO::FETCH_ASSOC);
            if ($row === false || (int) $row['window_ms'] <= $now - 60_000) {
                $this->db->prepare('INSERT OR REPLACE INTO rate (client, window_ms, count) VALUES (?, ?, 1)')
                    ->execute([$client, $now]);
                $this->db->exec('COMMIT');
                return null;
            }
            if ((int) $row['count'] >= $limit) {
                $this->db->exec('COMMIT');
                return max(1, (int) ceil(((int) $row['window_ms'] + 60_000 - $now) / 1000));
            }
            $this->db->prepare('UPDATE rate SET count = count + 1 WHERE client = ?')->execute([$client]);
            $this->db->exec('COMMIT');
            return null;
        } catch (Throwable $e) {
            $this->db->exec('ROLLBACK');
            throw $e;
        }
    }
}
