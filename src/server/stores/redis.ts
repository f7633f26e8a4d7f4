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
 *   payment:{id}       hash: seq, json (the record without its token hashes)
 *   tokens:{id}        list of token hashes, newest last (kept apart so that updating the
 *                      record cannot drop a token added meanwhile)
 *   tokentimes:{id}    hash: `i:<token hash>` when it was issued, `u:<token hash>` when it was
 *                      last used (Unix ms; tokens.ts)
 *   transitions:{id}   list of TransitionRecord JSON, oldest first
 *   order:{ref}        sorted set: attempt -> payment id
 *   payments           sorted set: createdAt -> payment id (the report's period queries)
 *   callbacks          sorted set: receivedAt -> "<counter>|<CallbackRecord JSON>"
 *   callbacks:counter  makes every callback member unique and keeps arrival order within a ms
 *
 * Nothing expires: like the SQLite file, this is the merchant's record of payments. Configure
 * Redis persistence (AOF, `appendonly yes`) so that a Redis restart keeps them. Redis Cluster
 * is not supported (a script touches keys of several payments' slots); use one primary,
 * with replicas or Sentinel for failover.
 */
import { createHash } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import type { CallbackRecord, PaymentRecord, Period, Store, TransitionRecord } from '../store.js';
import { transitionOf } from '../store.js';
import {
  planTokenIssue,
  tokenUseOf,
  type StoredToken,
  type TokenIssue,
  type TokenRules,
} from '../tokens.js';

/** How a Redis store or hub gets its connection. */
export interface RedisConnectionOptions {
  /** A connected (or connecting) ioredis client to use; you close it. */
  redis?: Redis;
  /** Else a new connection to this URL (`redis://host:6379/0`), closed by `close()`. */
  url?: string;
  /** ioredis options for that new connection. */
  options?: RedisOptions;
}

/** Loads ioredis (optional peer dependency) and opens or adopts the connection. */
export async function connectRedis(
  options: RedisConnectionOptions,
  caller: string,
): Promise<{ redis: Redis; owned: boolean }> {
  if (options.redis) return { redis: options.redis, owned: false };
  let RedisClass: typeof Redis;
  try {
    RedisClass = (await import('ioredis')).Redis;
  } catch (error) {
    throw new Error(`${caller} needs the optional dependency ioredis 6: npm install ioredis`, {
      cause: error,
    });
  }
  const redis = options.url
    ? new RedisClass(options.url, options.options ?? {})
    : new RedisClass(options.options ?? {});
  return { redis, owned: true };
}

const shas = new Map<string, string>();

/**
 * Runs a Lua script by its SHA1 (EVALSHA), sending the text only when Redis does not have it
 * yet (first use, or after a Redis restart emptied its script cache).
 */
/**
 * Ends a connection without waiting on a server that is gone: QUIT when it is up (pending
 * replies arrive first), else a plain disconnect. ioredis would queue the QUIT of a
 * reconnecting client until Redis came back, so close() would never return.
 */
export async function endConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}

export async function runScript(
  redis: Redis,
  script: string,
  keys: string[],
  args: string[],
): Promise<unknown> {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

export interface RedisStoreOptions extends RedisConnectionOptions {
  /** Prepended to every key, so several shops can share one Redis; default `cup-qr:`. */
  prefix?: string;
}

export const DEFAULT_REDIS_PREFIX = 'cup-qr:';

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

// KEYS: callbacks, counter. ARGV: receivedAt, json.
const RECORD_CALLBACK = `
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], ARGV[1], string.format('%016d', n) .. '|' .. ARGV[2])
return n`;

type StoredRecord = Omit<PaymentRecord, 'tokenHashes'>;

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
    const { tokenHashes, ...stored } = payment;
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
  async #readPayment(paymentId: string): Promise<{ json: string | null; tokens: StoredToken[] }> {
    const results = await this.#redis
      .multi()
      .hget(this.#key('payment', paymentId), 'json')
      .lrange(this.#key('tokens', paymentId), 0, -1)
      .hgetall(this.#key('tokentimes', paymentId))
      .exec();
    if (!results) throw new Error('RedisStore: the transaction was aborted');
    const [[jsonError, json], [tokensError, hashes], [timesError, times]] = results as [
      [Error | null, string | null],
      [Error | null, string[]],
      [Error | null, Record<string, string>],
    ];
    const error = jsonError ?? tokensError ?? timesError;
    if (error) throw error;
    return { json, tokens: storedTokens(hashes, times) };
  }

  async getPayment(paymentId: string): Promise<PaymentRecord | undefined> {
    const { json, tokens } = await this.#readPayment(paymentId);
    if (json === null) return undefined;
    return {
      ...(JSON.parse(json) as StoredRecord),
      tokenHashes: tokens.map((t) => t.hash),
      ...tokenUseOf(tokens),
    };
  }

  async latestAttempt(orderRef: string): Promise<PaymentRecord | undefined> {
    const [id] = await this.#redis.zrevrange(this.#key('order', orderRef), 0, 0);
    return id === undefined ? undefined : this.getPayment(id);
  }

  async updatePayment(next: PaymentRecord, expectedSeq: number): Promise<boolean> {
    const { tokenHashes: _tokens, tokenUse: _use, ...stored } = next;
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

  async recordCallback(callback: CallbackRecord): Promise<void> {
    await runScript(
      this.#redis,
      RECORD_CALLBACK,
      [this.#key('callbacks'), this.#key('callbacks', 'counter')],
      [String(callback.receivedAt), JSON.stringify(callback)],
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
    return members.map((m) => JSON.parse(m.slice(m.indexOf('|') + 1)) as CallbackRecord);
  }

  async listTransitions(paymentId: string): Promise<TransitionRecord[]> {
    const entries = await this.#redis.lrange(this.#key('transitions', paymentId), 0, -1);
    return entries.map((e) => JSON.parse(e) as TransitionRecord);
  }

  async close(): Promise<void> {
    if (this.#owned) await endConnection(this.#redis);
  }
}
