/**
 * What the Redis store (stores/redis.ts) and the Redis hub (hubs/redis.ts) share: how they get
 * their connection (`ioredis`, an optional peer dependency, loaded only when one is opened),
 * how they end it, how they run their Lua scripts, and their key prefix.
 */
import { createHash } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';

/** Prepended to every key and channel by default, so several shops can share one Redis. */
export const DEFAULT_REDIS_PREFIX = 'cup-qr:';

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

/** Scripts' SHA1s, by text. */
const shas = new Map<string, string>();

/**
 * Runs a Lua script by its SHA1 (EVALSHA), sending the text only when Redis does not have it
 * yet (first use, or after a Redis restart emptied its script cache).
 */
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
