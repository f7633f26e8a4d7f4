/**
 * The embedded default {@link Store}: one SQLite file through `better-sqlite3` (an optional
 * peer dependency, loaded only when this store is opened, so a frontend-only user never
 * needs it). WAL mode, so the report can read while the server writes; the schema is
 * versioned with `PRAGMA user_version` and migrated forward on open.
 *
 * better-sqlite3 is synchronous: each method runs in one statement or one transaction, which
 * is what makes `updatePayment`'s compare-and-set atomic within this process and across
 * processes sharing the file.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type {
  CallbackFields,
  CallbackOutcome,
  CallbackRecord,
  GateDisagreement,
  PaymentChannel,
  PaymentRecord,
  Period,
  ReceivedCallback,
  Store,
  TransitionRecord,
} from '../store.js';
import { outcomeChangedState, transitionOf } from '../store.js';
import type { PaymentStatus } from '../../wire/status.js';
import {
  planTokenIssue,
  tokenUseOf,
  type StoredToken,
  type TokenIssue,
  type TokenRules,
} from '../tokens.js';
import { keptCallback } from '../callback-record.js';

export interface SqliteStoreOptions {
  /** The database file, created with its folder if missing; `:memory:` for a throwaway one. */
  file: string;
  /** Open for reading only (the report). */
  readonly?: boolean;
  /** How long to wait for another process's write lock; default 5000 ms. */
  busyTimeoutMs?: number;
}

/**
 * Version 2: callbacks keep what was parsed and a bounded copy of the body, and count identical
 * deliveries (callback-record.ts); payments keep Gate's disagreement with a final state. Rows
 * of version 1 hold whole bodies: each is cut to 4 KiB, hashed and read for its fields, and
 * identical copies of one payment are merged into the first (counted, their outcome kept when
 * one of them changed the payment), so the unique index can hold.
 */
function boundCallbacks(db: BetterSqlite3.Database): void {
  db.exec(`ALTER TABLE callbacks ADD COLUMN body_bytes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE callbacks ADD COLUMN body_sha256 TEXT NOT NULL DEFAULT '';
    ALTER TABLE callbacks ADD COLUMN fields TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE callbacks ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE callbacks ADD COLUMN last_received_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE payments ADD COLUMN gate_disagreement TEXT;`);
  const ids = db.prepare('SELECT id FROM callbacks ORDER BY id').pluck().all() as number[];
  const read = db.prepare(
    'SELECT received_at, payment_id, outcome, body FROM callbacks WHERE id = ?',
  );
  const update = db.prepare(
    `UPDATE callbacks SET body = @body, body_bytes = @bodyBytes, body_sha256 = @bodySha256,
       fields = @fields, last_received_at = @receivedAt WHERE id = @id`,
  );
  const merge = db.prepare(
    `UPDATE callbacks SET count = count + 1, last_received_at = MAX(last_received_at, @receivedAt),
       outcome = CASE WHEN @changed THEN @outcome ELSE outcome END WHERE id = @id`,
  );
  const remove = db.prepare('DELETE FROM callbacks WHERE id = ?');
  const first = new Map<string, number>();
  for (const id of ids) {
    const row = read.get(id) as Row;
    const text = String(row.body);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const kept = keptCallback(text, body);
    const key = `${String(row.payment_id)}\u0000${kept.bodySha256}`;
    const into = first.get(key);
    const receivedAt = Number(row.received_at);
    if (into === undefined) {
      first.set(key, id);
      update.run({ ...kept, fields: JSON.stringify(kept.fields), receivedAt, id });
    } else {
      const outcome = String(row.outcome) as CallbackOutcome;
      merge.run({ id: into, receivedAt, outcome, changed: outcomeChangedState(outcome) ? 1 : 0 });
      remove.run(id);
    }
  }
  // It serves lookups by payment as the old index did (its first column), one index fewer to write.
  db.exec(`CREATE UNIQUE INDEX callbacks_payment_body ON callbacks (payment_id, body_sha256);
    DROP INDEX callbacks_payment;`);
}

/** Each entry moves the schema from version `index` to `index + 1`. */
const MIGRATIONS: readonly (string | ((db: BetterSqlite3.Database) => void))[] = [
  `CREATE TABLE payments (
     payment_id TEXT PRIMARY KEY,
     order_ref TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     project_id INTEGER NOT NULL,
     channel TEXT NOT NULL,
     status TEXT NOT NULL,
     seq INTEGER NOT NULL,
     amount INTEGER NOT NULL,
     currency TEXT NOT NULL,
     description TEXT NOT NULL,
     customer TEXT NOT NULL,
     return_url TEXT NOT NULL,
     locale TEXT,
     qr_url TEXT,
     qr_timeout_seconds INTEGER,
     qr_received_at INTEGER,
     code TEXT,
     message TEXT,
     platform_status TEXT,
     operation_id TEXT,
     operation_date TEXT,
     request_id TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     UNIQUE (order_ref, attempt)
   );
   CREATE INDEX payments_created_at ON payments (created_at);
   CREATE TABLE payment_tokens (
     payment_id TEXT NOT NULL REFERENCES payments (payment_id),
     token_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX payment_tokens_payment ON payment_tokens (payment_id);
   CREATE TABLE transitions (
     payment_id TEXT NOT NULL REFERENCES payments (payment_id),
     seq INTEGER NOT NULL,
     status TEXT NOT NULL,
     code TEXT,
     message TEXT,
     at INTEGER NOT NULL,
     PRIMARY KEY (payment_id, seq)
   );
   CREATE TABLE callbacks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     received_at INTEGER NOT NULL,
     payment_id TEXT NOT NULL,
     project_id INTEGER,
     platform_status TEXT,
     outcome TEXT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX callbacks_received_at ON callbacks (received_at);
   CREATE INDEX callbacks_payment ON callbacks (payment_id);`,
  // 2: when each token was last used (tokens.ts: a token in use is never dropped).
  `ALTER TABLE payment_tokens ADD COLUMN used_at INTEGER;`,
  // 3: callbacks bounded, identical replays counted (callback-record.ts).
  boundCallbacks,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

type Row = Record<string, string | number | null>;

const text = (value: string | number | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : String(value);

function toRow(p: PaymentRecord): Row {
  return {
    payment_id: p.paymentId,
    order_ref: p.orderRef,
    attempt: p.attempt,
    project_id: p.projectId,
    channel: p.channel,
    status: p.status,
    seq: p.seq,
    amount: p.amount,
    currency: p.currency,
    description: p.description,
    customer: JSON.stringify(p.customer),
    return_url: p.returnUrl,
    locale: p.locale ?? null,
    // The column's name is older than EMVCo payloads: it holds whatever the code encodes.
    qr_url: p.qr?.data ?? null,
    qr_timeout_seconds: p.qr?.timeoutSeconds ?? null,
    qr_received_at: p.qr?.receivedAt ?? null,
    code: p.code ?? null,
    message: p.message ?? null,
    platform_status: p.platformStatus ?? null,
    operation_id: p.operationId ?? null,
    operation_date: p.operationDate ?? null,
    request_id: p.requestId ?? null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

function fromRow(row: Row, tokens: StoredToken[]): PaymentRecord {
  const optional = (key: string, name: keyof PaymentRecord): Partial<PaymentRecord> => {
    const value = text(row[key]);
    return value === undefined ? {} : { [name]: value };
  };
  return {
    paymentId: String(row.payment_id),
    orderRef: String(row.order_ref),
    attempt: Number(row.attempt),
    projectId: Number(row.project_id),
    channel: String(row.channel) as PaymentChannel,
    status: String(row.status) as PaymentStatus,
    seq: Number(row.seq),
    amount: Number(row.amount),
    currency: String(row.currency),
    description: String(row.description),
    customer: JSON.parse(String(row.customer)) as PaymentRecord['customer'],
    returnUrl: String(row.return_url),
    ...optional('locale', 'locale'),
    tokenHashes: tokens.map((t) => t.hash),
    ...tokenUseOf(tokens),
    ...(row.qr_url !== null
      ? {
          qr: {
            data: String(row.qr_url),
            timeoutSeconds: Number(row.qr_timeout_seconds),
            receivedAt: Number(row.qr_received_at),
          },
        }
      : {}),
    ...optional('code', 'code'),
    ...optional('message', 'message'),
    ...optional('platform_status', 'platformStatus'),
    ...optional('operation_id', 'operationId'),
    ...optional('operation_date', 'operationDate'),
    ...optional('request_id', 'requestId'),
    ...(row.gate_disagreement !== null && row.gate_disagreement !== undefined
      ? { gateDisagreement: JSON.parse(String(row.gate_disagreement)) as GateDisagreement }
      : {}),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const COLUMNS = Object.keys(toRow({} as PaymentRecord));
const INSERT_PAYMENT = `INSERT INTO payments (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`;
const UPDATE_PAYMENT = `UPDATE payments SET ${COLUMNS.filter((c) => c !== 'payment_id')
  .map((c) => `${c} = @${c}`)
  .join(', ')} WHERE payment_id = @payment_id AND seq = @expected_seq`;

/** Brings the schema to the current version, one migration per transaction. */
function migrate(db: BetterSqlite3.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > MIGRATIONS.length) {
    throw new Error(
      `SQLite store: the database has schema version ${version}, newer than this toolkit's ${MIGRATIONS.length}: upgrade cup-qr-checkout`,
    );
  }
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      const migration = MIGRATIONS[next];
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.pragma(`user_version = ${next + 1}`);
    })();
  }
}

/** Opens (creating and migrating when needed) a SQLite store. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  if (typeof options?.file !== 'string' || options.file.length === 0) {
    throw new TypeError('openSqliteStore: { file } is required');
  }
  let Database: typeof BetterSqlite3;
  try {
    Database = (await import('better-sqlite3')).default;
  } catch (error) {
    throw new Error(
      'openSqliteStore needs the optional dependency better-sqlite3 12: npm install better-sqlite3',
      { cause: error },
    );
  }
  // A fresh project has no data folder yet: make it (not for a read-only open, which needs
  // the file, nor for `:memory:` or a `file:` URI).
  if (!options.readonly && options.file !== ':memory:' && !options.file.startsWith('file:')) {
    mkdirSync(dirname(options.file), { recursive: true });
  }
  const db = new Database(options.file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
  });
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a commit survives a process crash; only a power loss may drop the last one.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } else {
      const version = Number(db.pragma('user_version', { simple: true }));
      if (version !== MIGRATIONS.length) {
        throw new Error(
          `SQLite store: ${options.file} has schema version ${version}, this toolkit reads ${MIGRATIONS.length}`,
        );
      }
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteStore(db);
}

export class SqliteStore implements Store {
  readonly #db: BetterSqlite3.Database;
  readonly #statements: {
    insert: BetterSqlite3.Statement;
    update: BetterSqlite3.Statement;
    get: BetterSqlite3.Statement;
    latest: BetterSqlite3.Statement;
    tokens: BetterSqlite3.Statement;
    addToken: BetterSqlite3.Statement;
    dropToken: BetterSqlite3.Statement;
    touchToken: BetterSqlite3.Statement;
    transition: BetterSqlite3.Statement;
    callback: BetterSqlite3.Statement;
    disagreement: BetterSqlite3.Statement;
  };

  /** Use {@link openSqliteStore}. */
  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    const prepare = (sql: string): BetterSqlite3.Statement => db.prepare(sql);
    this.#statements = {
      insert: prepare(INSERT_PAYMENT),
      update: prepare(UPDATE_PAYMENT),
      get: prepare('SELECT * FROM payments WHERE payment_id = ?'),
      latest: prepare('SELECT * FROM payments WHERE order_ref = ? ORDER BY attempt DESC LIMIT 1'),
      tokens: prepare(
        'SELECT token_hash, created_at, used_at FROM payment_tokens WHERE payment_id = ? ORDER BY rowid ASC',
      ),
      addToken: prepare(
        'INSERT INTO payment_tokens (payment_id, token_hash, created_at) VALUES (?, ?, ?)',
      ),
      dropToken: prepare('DELETE FROM payment_tokens WHERE payment_id = ? AND token_hash = ?'),
      touchToken: prepare(
        'UPDATE payment_tokens SET used_at = ? WHERE payment_id = ? AND token_hash = ?',
      ),
      transition: prepare(
        'INSERT INTO transitions (payment_id, seq, status, code, message, at) VALUES (@paymentId, @seq, @status, @code, @message, @at)',
      ),
      // An identical body for the same payment is counted on the record it was first kept in.
      callback: prepare(
        `INSERT INTO callbacks (received_at, payment_id, project_id, platform_status, outcome,
           body, body_bytes, body_sha256, fields, count, last_received_at)
         VALUES (@receivedAt, @paymentId, @projectId, @platformStatus, @outcome,
           @body, @bodyBytes, @bodySha256, @fields, 1, @receivedAt)
         ON CONFLICT (payment_id, body_sha256) DO UPDATE SET
           count = count + 1,
           last_received_at = MAX(last_received_at, excluded.last_received_at),
           outcome = CASE WHEN @changed THEN excluded.outcome ELSE outcome END
         RETURNING count`,
      ),
      disagreement: prepare('UPDATE payments SET gate_disagreement = ? WHERE payment_id = ?'),
    };
  }

  /** The underlying connection, for maintenance (backups, ad hoc queries). */
  get database(): BetterSqlite3.Database {
    return this.#db;
  }

  #insertTransition(payment: PaymentRecord): void {
    const t = transitionOf(payment);
    this.#statements.transition.run({ code: null, message: null, ...t });
  }

  #tokensOf(paymentId: string | number | null): StoredToken[] {
    return (this.#statements.tokens.all(paymentId) as Row[]).map((r) => ({
      hash: String(r.token_hash),
      issuedAt: Number(r.created_at),
      ...(r.used_at !== null ? { usedAt: Number(r.used_at) } : {}),
    }));
  }

  #read(row: Row | undefined): PaymentRecord | undefined {
    if (!row) return undefined;
    return fromRow(row, this.#tokensOf(row.payment_id));
  }

  async createPayment(payment: PaymentRecord): Promise<boolean> {
    return this.#db.transaction(() => {
      if (this.#statements.get.get(payment.paymentId)) return false;
      try {
        this.#statements.insert.run(toRow(payment));
      } catch (error) {
        // Another process took the same (order_ref, attempt) first.
        if ((error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) return false;
        throw error;
      }
      for (const hash of payment.tokenHashes) {
        this.#statements.addToken.run(payment.paymentId, hash, payment.createdAt);
      }
      this.#insertTransition(payment);
      return true;
    })();
  }

  async getPayment(paymentId: string): Promise<PaymentRecord | undefined> {
    return this.#read(this.#statements.get.get(paymentId) as Row | undefined);
  }

  async latestAttempt(orderRef: string): Promise<PaymentRecord | undefined> {
    return this.#read(this.#statements.latest.get(orderRef) as Row | undefined);
  }

  async updatePayment(next: PaymentRecord, expectedSeq: number): Promise<boolean> {
    return this.#db.transaction(() => {
      const result = this.#statements.update.run({ ...toRow(next), expected_seq: expectedSeq });
      if (result.changes === 0) return false;
      this.#insertTransition(next);
      return true;
    })();
  }

  async issueToken(
    paymentId: string,
    tokenHash: string,
    now: number,
    rules: TokenRules,
  ): Promise<TokenIssue> {
    // IMMEDIATE: the write lock first, so another process cannot plan on the same tokens.
    return this.#db
      .transaction((): TokenIssue => {
        if (!this.#statements.get.get(paymentId)) return { ok: false, reason: 'unknown-payment' };
        const plan = planTokenIssue(this.#tokensOf(paymentId), now, rules);
        if (!plan.ok) return plan;
        for (const hash of plan.drop) this.#statements.dropToken.run(paymentId, hash);
        this.#statements.addToken.run(paymentId, tokenHash, now);
        return { ok: true };
      })
      .immediate();
  }

  async touchToken(paymentId: string, tokenHash: string, now: number): Promise<void> {
    this.#statements.touchToken.run(now, paymentId, tokenHash);
  }

  async recordCallback(c: ReceivedCallback): Promise<boolean> {
    const count = this.#statements.callback.pluck().get({
      receivedAt: c.receivedAt,
      paymentId: c.paymentId,
      projectId: c.projectId ?? null,
      platformStatus: c.platformStatus ?? null,
      outcome: c.outcome,
      body: c.body,
      bodyBytes: c.bodyBytes,
      bodySha256: c.bodySha256,
      fields: JSON.stringify(c.fields),
      changed: outcomeChangedState(c.outcome) ? 1 : 0,
    });
    return count === 1;
  }

  async setGateDisagreement(
    paymentId: string,
    disagreement: GateDisagreement | undefined,
  ): Promise<void> {
    this.#statements.disagreement.run(
      disagreement ? JSON.stringify(disagreement) : null,
      paymentId,
    );
  }

  async listPayments({ from, to }: Period): Promise<PaymentRecord[]> {
    const rows = this.#db
      .prepare(
        'SELECT * FROM payments WHERE created_at >= ? AND created_at < ? ORDER BY created_at, payment_id',
      )
      .all(from, to) as Row[];
    return rows.map((row) => this.#read(row)!);
  }

  async listCallbacks({ from, to }: Period): Promise<CallbackRecord[]> {
    const rows = this.#db
      .prepare(
        'SELECT * FROM callbacks WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id',
      )
      .all(from, to) as Row[];
    return rows.map((row) => ({
      receivedAt: Number(row.received_at),
      paymentId: String(row.payment_id),
      ...(row.project_id !== null ? { projectId: Number(row.project_id) } : {}),
      ...(row.platform_status !== null ? { platformStatus: String(row.platform_status) } : {}),
      outcome: String(row.outcome) as CallbackOutcome,
      body: String(row.body),
      bodyBytes: Number(row.body_bytes),
      bodySha256: String(row.body_sha256),
      fields: JSON.parse(String(row.fields)) as CallbackFields,
      count: Number(row.count),
      lastReceivedAt: Number(row.last_received_at),
    }));
  }

  async listTransitions(paymentId: string): Promise<TransitionRecord[]> {
    const rows = this.#db
      .prepare('SELECT * FROM transitions WHERE payment_id = ? ORDER BY seq')
      .all(paymentId) as Row[];
    return rows.map((row) => ({
      paymentId: String(row.payment_id),
      seq: Number(row.seq),
      status: String(row.status) as PaymentStatus,
      ...(row.code !== null ? { code: String(row.code) } : {}),
      ...(row.message !== null ? { message: String(row.message) } : {}),
      at: Number(row.at),
    }));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
