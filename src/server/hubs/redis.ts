/**
 * A {@link Hub} over Redis pub/sub, for several server instances: the instance that stores a
 * callback's change publishes it on the payment's channel, and every instance holding a
 * stream of that payment is subscribed to it. One channel per payment with streams here, so an
 * instance hears only the payments it serves.
 *
 * Pub/sub delivers at most once: a message published while a subscriber's connection is down
 * is lost. So `publish` also keeps the latest update of each payment under a key (for
 * `lastTtlSeconds`), and after a reconnect the hub subscribes again, then reads those keys and
 * hands them to the listeners; a stream drops what it has already sent (by `seq`).
 *
 * Two connections: a subscribed Redis connection can issue no other command.
 */
import type { Redis } from 'ioredis';
import type { Hub, HubListener } from '../hub.js';
import type { PaymentUpdate } from '../store.js';
import { updateOf } from '../view.js';
import {
  connectRedis,
  DEFAULT_REDIS_PREFIX,
  endConnection,
  runScript,
  type RedisConnectionOptions,
} from '../redis.js';

export interface RedisHubOptions extends RedisConnectionOptions {
  /** Prepended to channels and keys; default `cup-qr:` (the store's, harmlessly shared). */
  prefix?: string;
  /** How long the latest update of a payment is kept for resubscribers; default 3600 s. */
  lastTtlSeconds?: number;
  /** Told when a message cannot be read or a resync fails (the hub carries on). */
  log?: (message: string, error?: unknown) => void;
}

// KEYS: last. ARGV: json, ttl ms, channel.
const PUBLISH = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('PUBLISH', ARGV[3], ARGV[1])`;

/** Opens a Redis hub: `redis` (or `url`) publishes, a duplicate of it subscribes. */
export async function openRedisHub(options: RedisHubOptions = {}): Promise<RedisHub> {
  const { redis, owned } = await connectRedis(options, 'openRedisHub');
  const hub = new RedisHub(redis, redis.duplicate(), options, owned);
  await hub.ready();
  return hub;
}

export class RedisHub implements Hub {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #ownsPublisher: boolean;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #log: (message: string, error?: unknown) => void;
  /** Channel -> its listeners; a channel is subscribed exactly while its set is here. */
  readonly #channels = new Map<string, Set<HubListener>>();
  #connectedOnce = false;
  #closed = false;

  /**
   * Use {@link openRedisHub}. `subscriber` is the hub's own (it closes it); `publisher` is
   * closed by `close()` only when `ownsPublisher`.
   */
  constructor(
    publisher: Redis,
    subscriber: Redis,
    options: Pick<RedisHubOptions, 'prefix' | 'lastTtlSeconds' | 'log'> = {},
    ownsPublisher = false,
  ) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#ownsPublisher = ownsPublisher;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#ttlMs = Math.max(1, Math.round((options.lastTtlSeconds ?? 3600) * 1000));
    this.#log = options.log ?? (() => {});
    subscriber.on('message', (channel: string, message: string) => this.#deliver(channel, message));
    subscriber.on('ready', () => {
      if (this.#connectedOnce) void this.#resync();
      this.#connectedOnce = true;
    });
    // ioredis reconnects by itself; without a listener an error event would crash the process.
    subscriber.on('error', (error: unknown) => this.#log('redis hub: subscriber error', error));
  }

  /** Resolves once the subscriber connection is up (so the first subscribe is prompt). */
  async ready(): Promise<void> {
    if (this.#subscriber.status === 'ready') {
      this.#connectedOnce = true;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        this.#subscriber.off('end', onEnd);
        resolve();
      };
      const onEnd = (): void => {
        this.#subscriber.off('ready', onReady);
        reject(new Error('redis hub: the subscriber connection ended before it was ready'));
      };
      this.#subscriber.once('ready', onReady);
      this.#subscriber.once('end', onEnd);
    });
  }

  #channel(paymentId: string): string {
    return `${this.#prefix}updates:${paymentId}`;
  }

  #lastKey(paymentId: string): string {
    return `${this.#prefix}last:${paymentId}`;
  }

  #deliver(channel: string, message: string): void {
    const listeners = this.#channels.get(channel);
    if (!listeners) return;
    let update: PaymentUpdate;
    try {
      update = JSON.parse(message) as PaymentUpdate;
    } catch (error) {
      this.#log(`redis hub: unreadable message on ${channel}`, error);
      return;
    }
    for (const listener of [...listeners]) {
      // One failing stream must not keep the others from hearing the change.
      try {
        listener(updateOf(update));
      } catch {
        /* the stream closes itself on its own errors */
      }
    }
  }

  /** After a reconnect: subscribe again, then replay the latest updates missed meanwhile. */
  async #resync(): Promise<void> {
    const channels = [...this.#channels.keys()];
    if (channels.length === 0 || this.#closed) return;
    try {
      await this.#subscriber.subscribe(...channels);
      const ids = channels.map((c) => c.slice(`${this.#prefix}updates:`.length));
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const values = await this.#publisher.mget(...chunk.map((id) => this.#lastKey(id)));
        values.forEach((value, j) => {
          if (value !== null) this.#deliver(this.#channel(chunk[j]), value);
        });
      }
    } catch (error) {
      this.#log('redis hub: resync after reconnect failed', error);
    }
  }

  async publish(payment: PaymentUpdate): Promise<void> {
    const id = payment.paymentId;
    await runScript(
      this.#publisher,
      PUBLISH,
      [this.#lastKey(id)],
      [JSON.stringify(updateOf(payment)), String(this.#ttlMs), this.#channel(id)],
    );
  }

  async subscribe(paymentId: string, listener: HubListener): Promise<() => Promise<void>> {
    const channel = this.#channel(paymentId);
    let listeners = this.#channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#channels.set(channel, listeners);
    }
    // A fresh wrapper per subscription: the same function subscribed twice is two listeners.
    const entry: HubListener = (payment) => listener(payment);
    listeners.add(entry);
    // SUBSCRIBE and UNSUBSCRIBE go out in call order on one connection, so the channel ends
    // subscribed exactly when it has listeners. A second subscriber awaits a SUBSCRIBE too:
    // Redis answers it once the channel is on, which the first one's may not yet be.
    try {
      await this.#subscriber.subscribe(channel);
    } catch (error) {
      await this.#remove(channel, entry);
      throw error;
    }
    return () => this.#remove(channel, entry);
  }

  async #remove(channel: string, entry: HubListener): Promise<void> {
    const set = this.#channels.get(channel);
    if (!set?.delete(entry) || set.size > 0) return;
    this.#channels.delete(channel);
    if (this.#closed) return;
    await this.#subscriber.unsubscribe(channel);
  }

  /** Payments with listeners, and listeners, now (tests check that closed streams leave none). */
  get stats(): { channels: number; listeners: number } {
    let listeners = 0;
    for (const set of this.#channels.values()) listeners += set.size;
    return { channels: this.#channels.size, listeners };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    await Promise.all([
      endConnection(this.#subscriber),
      this.#ownsPublisher ? endConnection(this.#publisher) : undefined,
    ]);
  }
}
