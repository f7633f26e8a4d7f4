/**
 * A {@link Store} in Redis, for several server instances behind a load balancer: the callback
 * lands on one, the shopper's stream is held by another, and both read and write here.
 * `ioredis` is an optional peer dependency, loaded only when this store is opened.
 *
 * Every write that touches more than one key runs as one Lua script, so it is atomic on the
 * Redis server: `updatePayment`'s compare-and-set on `seq` cannot be won by two instances,
 * and a state and its history entry are written together or not at all.
 *
 * Keys (all under `prefix`, default `cup-qr:`):
 *   payment:{id}       hash: seq, json (the record without its token hashes and Gate
 *                      disagreement), disagreement (GateDisagreement JSON, when there is one)
 *   tokens:{id}        list of token hashes, newest last (kept apart so that updating the
 *                      record cannot drop a token added meanwhile)
 *   tokentimes:{id}    hash: `i:<token hash>` when it was issued, `u:<token hash>` when it was
 *                      last used (Unix ms; tokens.ts)
 *   transitions:{id}   list of TransitionRecord JSON, oldest first
 *   order:{ref}        sorted set: attempt -> payment id
 *   payments           sorted set: createdAt -> payment id (the report's period queries)
 *   callbacks          sorted set: receivedAt -> callback id (`%016d` of the counter: arrival
 *                      order within a ms); earlier versions wrote "<counter>|<record JSON>"
 *   callbacks:counter  the last callback id
 *   callbacks:json     hash: id -> ReceivedCallback JSON (its outcome apart)
 *   callbacks:outcome  hash: id -> outcome
 *   callbacks:count    hash: id -> arrivals of that very body
 *   callbacks:last     hash: id -> the latest arrival (Unix ms)
 *   callbacks:index    hash: "<body SHA-256>:<payment id>" -> id, so an identical delivery is
 *                      counted on the record it was first kept in
 *
 * Nothing expires: like the SQLite file, this is the merchant's record of payments. Configure
 * Redis persistence (AOF, `appendonly yes`) so that a Redis restart keeps them. Redis Cluster
 * is not supported (a script touches keys of several payments' slots); use one primary,
 * with replicas or Sentinel for failover.
 */
import type { Redis } from 'ioredis';
import { keptCallback } from '../callback-record.js';
import {
  connectRedis,
  DEFAULT_REDIS_PREFIX,
  endConnection,
  runScript,
  type RedisConnectionOptions,
} from '../redis.js';
import type {
  CallbackOutcome,
  CallbackRecord,
  GateDisagreement,
  PaymentRecord,
  Period,
  ReceivedCallback,
  Store,
  TransitionRecord,
} from '../store.js';
import { outcomeChangedState, readStoredQr, transitionOf } from '../store.js';
import {
  planTokenIssue,
  tokenUseOf,
  type StoredToken,
  type TokenIssue,
  type TokenRules,
} from '../tokens.js';

export interface RedisStoreOptions extends RedisConnectionOptions {
  /** Prepended to every key, so several shops can share one Redis; default `cup-qr:`. */
  prefix?: string;
}

/** The index, then the hashes of a callback's columns, under the prefix. */
const CALLBACK_HASHES = [
  'callbacks:index',
  'callbacks:json',
  'callbacks:outcome',
  'callbacks:count',
  'callbacks:last',
] as const;

// KEYS: payment, order, payments, tokens, transitions, token times.
// ARGV: id, json, seq, attempt, createdAt, transition, ...token hashes.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if #redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[4], ARGV[4]) > 0 then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[3], 'json', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
redis.call('RPUSH', KEYS[5], ARGV[6])
for i = 7, #ARGV do
  redis.call('RPUSH', KEYS[4], ARGV[i])
  redis.call('HSET', KEYS[6], 'i:' .. ARGV[i], ARGV[5])
end
return 1`;

// KEYS: payment, transitions. ARGV: expected seq, next seq, json, transition.
const UPDATE = `
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq or tonumber(seq) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'json', ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
return 1`;

// The tokens of a payment as one string, hashes in order with their last use: what a token
// issue read, compared again when it writes.
const TOKENS_SEEN = `
local seen = {}
for _, hash in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  seen[#seen + 1] = hash .. '=' .. (redis.call('HGET', KEYS[3], 'u:' .. hash) or '')
end
local tokens = table.concat(seen, ' ')`;

// KEYS: payment, tokens, token times. ARGV: tokens as read, new hash, now, ...hashes to drop.
// 0: no such payment; -1: the tokens changed since they were read (plan again); 1: issued.
const ISSUE_TOKEN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
${TOKENS_SEEN}
if tokens ~= ARGV[1] then return -1 end
for i = 4, #ARGV do
  redis.call('LREM', KEYS[2], 0, ARGV[i])
  redis.call('HDEL', KEYS[3], 'i:' .. ARGV[i], 'u:' .. ARGV[i])
end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], 'i:' .. ARGV[2], ARGV[3])
return 1`;

// KEYS: tokens, token times. ARGV: hash, now. Only a token still kept is touched.
const TOUCH_TOKEN = `
for _, hash in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if hash == ARGV[1] then
    redis.call('HSET', KEYS[2], 'u:' .. hash, ARGV[2])
    return 1
  end
end
return 0`;

/** How often a token issue plans again after another instance changed the tokens meanwhile. */
const ISSUE_TRIES = 20;

/** The tokens of a list of hashes and their times (`i:`/`u:` fields; 0: issued before times). */
function storedTokens(hashes: string[], times: Record<string, string>): StoredToken[] {
  return hashes.map((hash) => {
    const used = times[`u:${hash}`];
    return {
      hash,
      issuedAt: Number(times[`i:${hash}`] ?? 0),
      ...(used !== undefined ? { usedAt: Number(used) } : {}),
    };
  });
}

/** The {@link TOKENS_SEEN} string of tokens, as the issue script builds it. */
function tokensSeen(tokens: StoredToken[]): string {
  return tokens.map((t) => `${t.hash}=${t.usedAt ?? ''}`).join(' ');
}

// KEYS: callbacks, counter, index, json, outcome, count, last.
// ARGV: receivedAt, json, index field, outcome, "1" when this arrival changed the payment.
const RECORD_CALLBACK = `
local id = redis.call('HGET', KEYS[3], ARGV[3])
if id then
  redis.call('HINCRBY', KEYS[6], id, 1)
  local last = tonumber(redis.call('HGET', KEYS[7], id))
  if not last or tonumber(ARGV[1]) > last then redis.call('HSET', KEYS[7], id, ARGV[1]) end
  if ARGV[5] == '1' then redis.call('HSET', KEYS[5], id, ARGV[4]) end
  return 0
end
id = string.format('%016d', redis.call('INCR', KEYS[2]))
redis.call('HSET', KEYS[3], ARGV[3], id)
redis.call('HSET', KEYS[4], id, ARGV[2])
redis.call('HSET', KEYS[5], id, ARGV[4])
redis.call('HSET', KEYS[6], id, 1)
redis.call('HSET', KEYS[7], id, ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[1], id)
return 1`;

// KEYS: payment. ARGV: the disagreement's JSON, or '' to clear it.
const SET_DISAGREEMENT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '' then redis.call('HDEL', KEYS[1], 'disagreement')
else redis.call('HSET', KEYS[1], 'disagreement', ARGV[1]) end
return 1`;

type StoredRecord = Omit<PaymentRecord, 'tokenHashes' | 'tokenUse' | 'gateDisagreement'>;

/** A callback member of the sorted set written before callbacks were counted: the record itself. */
function legacyCallback(member: string): CallbackRecord {
  const old = JSON.parse(member.slice(member.indexOf('|') + 1)) as Pick<
    ReceivedCallback,
    'receivedAt' | 'paymentId' | 'projectId' | 'platformStatus' | 'outcome' | 'body'
  >;
  let body: unknown;
  try {
    body = JSON.parse(old.body);
  } catch {
    body = undefined;
  }
  return { ...old, ...keptCallback(old.body, body), count: 1, lastReceivedAt: old.receivedAt };
}

/** Opens a Redis store on a new connection (`url`, `options`) or on your `redis` client. */
export async function openRedisStore(options: RedisStoreOptions = {}): Promise<RedisStore> {
  const { redis, owned } = await connectRedis(options, 'openRedisStore');
  return new RedisStore(redis, options.prefix ?? DEFAULT_REDIS_PREFIX, owned);
}

export class RedisStore implements Store {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #owned: boolean;

  /** Use {@link openRedisStore}. `owned`: whether `close()` ends the connection. */
  constructor(redis: Redis, prefix: string = DEFAULT_REDIS_PREFIX, owned = false) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#owned = owned;
  }

  /** The connection, for maintenance and health checks. */
  get redis(): Redis {
    return this.#redis;
  }

  #key(...parts: string[]): string {
    return this.#prefix + parts.join(':');
  }

  async createPayment(payment: PaymentRecord): Promise<boolean> {
    const { tokenHashes, gateDisagreement: _gate, ...stored } = payment;
    const id = payment.paymentId;
    const created = await runScript(
      this.#redis,
      CREATE,
      [
        this.#key('payment', id),
        this.#key('order', payment.orderRef),
        this.#key('payments'),
        this.#key('tokens', id),
        this.#key('transitions', id),
        this.#key('tokentimes', id),
      ],
      [
        id,
        JSON.stringify(stored),
        String(payment.seq),
        String(payment.attempt),
        String(payment.createdAt),
        JSON.stringify(transitionOf(payment)),
        ...tokenHashes,
      ],
    );
    return created === 1;
  }

  /** The record (JSON) and the tokens of a payment, as of one moment (MULTI). */
  async #readPayment(
    paymentId: string,
  ): Promise<{ json: string | null; disagreement: string | null; tokens: StoredToken[] }> {
    const results = await this.#redis
      .multi()
      .hmget(this.#key('payment', paymentId), 'json', 'disagreement')
      .lrange(this.#key('tokens', paymentId), 0, -1)
      .hgetall(this.#key('tokentimes', paymentId))
      .exec();
    if (!results) throw new Error('RedisStore: the transaction was aborted');
    const [[fieldsError, fields], [tokensError, hashes], [timesError, times]] = results as [
      [Error | null, (string | null)[]],
      [Error | null, string[]],
      [Error | null, Record<string, string>],
    ];
    const error = fieldsError ?? tokensError ?? timesError;
    if (error) throw error;
    const [json, disagreement] = fields;
    return { json, disagreement, tokens: storedTokens(hashes, times) };
  }

  async getPayment(paymentId: string): Promise<PaymentRecord | undefined> {
    const { json, disagreement, tokens } = await this.#readPayment(paymentId);
    if (json === null) return undefined;
    const record = JSON.parse(json) as StoredRecord;
    return {
      ...record,
      // Records written before EMVCo payloads name the QR code's content `url`.
      ...(record.qr ? { qr: readStoredQr(record.qr) } : {}),
      tokenHashes: tokens.map((t) => t.hash),
      ...tokenUseOf(tokens),
      ...(disagreement !== null
        ? { gateDisagreement: JSON.parse(disagreement) as GateDisagreement }
        : {}),
    };
  }

  async latestAttempt(orderRef: string): Promise<PaymentRecord | undefined> {
    const [id] = await this.#redis.zrevrange(this.#key('order', orderRef), 0, 0);
    return id === undefined ? undefined : this.getPayment(id);
  }

  async updatePayment(next: PaymentRecord, expectedSeq: number): Promise<boolean> {
    const { tokenHashes: _tokens, tokenUse: _use, gateDisagreement: _gate, ...stored } = next;
    const written = await runScript(
      this.#redis,
      UPDATE,
      [this.#key('payment', next.paymentId), this.#key('transitions', next.paymentId)],
      [
        String(expectedSeq),
        String(next.seq),
        JSON.stringify(stored),
        JSON.stringify(transitionOf(next)),
      ],
    );
    return written === 1;
  }

  /**
   * The plan is made here on the tokens as read, and written by a script only if they are still
   * the same (compare-and-set), so two instances issuing at once cannot both drop by one plan.
   */
  async issueToken(
    paymentId: string,
    tokenHash: string,
    now: number,
    rules: TokenRules,
  ): Promise<TokenIssue> {
    const keys = [
      this.#key('payment', paymentId),
      this.#key('tokens', paymentId),
      this.#key('tokentimes', paymentId),
    ];
    for (let tries = 0; tries < ISSUE_TRIES; tries++) {
      const { json, tokens } = await this.#readPayment(paymentId);
      if (json === null) return { ok: false, reason: 'unknown-payment' };
      const plan = planTokenIssue(tokens, now, rules);
      if (!plan.ok) return plan;
      const written = await runScript(this.#redis, ISSUE_TOKEN, keys, [
        tokensSeen(tokens),
        tokenHash,
        String(now),
        ...plan.drop,
      ]);
      if (written === 1) return { ok: true };
      if (written === 0) return { ok: false, reason: 'unknown-payment' };
    }
    throw new Error(`RedisStore: payment ${paymentId}: too many concurrent token issues`);
  }

  async touchToken(paymentId: string, tokenHash: string, now: number): Promise<void> {
    await runScript(
      this.#redis,
      TOUCH_TOKEN,
      [this.#key('tokens', paymentId), this.#key('tokentimes', paymentId)],
      [tokenHash, String(now)],
    );
  }

  async recordCallback(callback: ReceivedCallback): Promise<boolean> {
    const { outcome, ...rest } = callback;
    const added = await runScript(
      this.#redis,
      RECORD_CALLBACK,
      ['callbacks', 'callbacks:counter', ...CALLBACK_HASHES].map((k) => this.#key(k)),
      [
        String(callback.receivedAt),
        JSON.stringify(rest),
        `${callback.bodySha256}:${callback.paymentId}`,
        outcome,
        outcomeChangedState(outcome) ? '1' : '0',
      ],
    );
    return added === 1;
  }

  async setGateDisagreement(
    paymentId: string,
    disagreement: GateDisagreement | undefined,
  ): Promise<void> {
    await runScript(
      this.#redis,
      SET_DISAGREEMENT,
      [this.#key('payment', paymentId)],
      [disagreement ? JSON.stringify(disagreement) : ''],
    );
  }

  async listPayments({ from, to }: Period): Promise<PaymentRecord[]> {
    // Ties in score sort by member (the payment id), as SQLite's ORDER BY created_at, payment_id.
    const ids = await this.#redis.zrangebyscore(this.#key('payments'), from, `(${to}`);
    const payments = await Promise.all(ids.map((id) => this.getPayment(id)));
    return payments.filter((p): p is PaymentRecord => p !== undefined);
  }

  async listCallbacks({ from, to }: Period): Promise<CallbackRecord[]> {
    const members = await this.#redis.zrangebyscore(this.#key('callbacks'), from, `(${to}`);
    const ids = members.filter((m) => !m.includes('|'));
    const columns = new Map<string, (string | null)[]>();
    if (ids.length > 0) {
      let batch = this.#redis.multi();
      for (const hash of CALLBACK_HASHES.slice(1)) batch = batch.hmget(this.#key(hash), ...ids);
      const results = await batch.exec();
      if (!results) throw new Error('RedisStore: the transaction was aborted');
      CALLBACK_HASHES.slice(1).forEach((hash, i) => {
        const [error, values] = results[i] as [Error | null, (string | null)[]];
        if (error) throw error;
        columns.set(hash, values);
      });
    }
    let next = 0;
    return members.map((member) => {
      if (member.includes('|')) return legacyCallback(member);
      const i = next++;
      const value = (hash: string): string => columns.get(hash)![i] ?? '';
      return {
        ...(JSON.parse(value('callbacks:json')) as Omit<ReceivedCallback, 'outcome'>),
        outcome: value('callbacks:outcome') as CallbackOutcome,
        count: Number(value('callbacks:count')),
        lastReceivedAt: Number(value('callbacks:last')),
      };
    });
  }

  async listTransitions(paymentId: string): Promise<TransitionRecord[]> {
    const entries = await this.#redis.lrange(this.#key('transitions', paymentId), 0, -1);
    return entries.map((e) => JSON.parse(e) as TransitionRecord);
  }

  async close(): Promise<void> {
    if (this.#owned) await endConnection(this.#redis);
  }
}
