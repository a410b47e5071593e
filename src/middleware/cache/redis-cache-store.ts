import { randomBytes } from 'node:crypto';

import { optionError } from '../../errors/option-error.js';
import type { CacheHit, CacheStore } from './cache-store.js';
import { type CacheValueCodec, jsonCacheCodec } from './value-codec.js';

/**
 * The part of the ioredis API the Redis store uses: an ioredis `Redis` (or `Cluster`)
 * satisfies it, and so does any client with these methods. ioredis itself is only an
 * optional peer dependency; this library never imports it at run time.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const client: RedisCacheClient = new Redis('redis://127.0.0.1:6379', { enableOfflineQueue: false })
 * const store = redisCacheStore(client)
 * ```
 */
export interface RedisCacheClient {
  get(key: string): Promise<string | null>;
  /** `SET key value`: resolves `'OK'`. */
  set(key: string, value: string): Promise<unknown>;
  /** `SET key value NX`: resolves `'OK'` when it set the key, `null` when the key existed. */
  set(key: string, value: string, nx: 'NX'): Promise<unknown>;
  /** `SET key value PX milliseconds`. */
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number): Promise<unknown>;
}

/**
 * Options of `redisCacheStore()`: how values become the strings Redis holds.
 *
 * @example
 * ```ts
 * declare const redis: RedisCacheClient
 * const options: RedisCacheStoreOptions = { codec: jsonCacheCodec }
 * const store = redisCacheStore(redis, options)
 * ```
 */
export interface RedisCacheStoreOptions {
  /** How values become the strings Redis holds. @default JSON that keeps Date, bigint, Buffer and undefined */
  readonly codec?: CacheValueCodec | undefined;
}

/**
 * A `CacheStore` over Redis, shared by every process that uses the same Redis and
 * `keyPrefix`. Entries are `SET ... PX <ttl>`; a table's version is a random token under
 * its own key (`GET`, created with `SET NX`, replaced with `SET` on invalidation): no key
 * scans, no `DEL` of entries; orphaned entries simply expire. Because tokens are random, a
 * version key lost to eviction or a Redis restart invalidates that table instead of
 * reviving old entries.
 *
 * Create the client for bounded failure: without an offline queue a command fails at once
 * while Redis is unreachable (the middleware's `timeoutMs` covers a Redis that hangs).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, enableOfflineQueue: false })
 * const db = createDatabase<DB>({
 *   middleware: [cache({ store: redisCacheStore(redis), ttlSeconds: 60, keyPrefix: 'orders-api:cache:' })],
 * })
 * ```
 *
 * @throws ConfigError when `client` lacks `get` or `set`.
 */
export function redisCacheStore(client: RedisCacheClient, options: RedisCacheStoreOptions = {}): CacheStore {
  const candidate = client as Partial<RedisCacheClient> | null | undefined;
  if (typeof candidate?.get !== 'function' || typeof candidate.set !== 'function') {
    throw optionError('client', 'expected an ioredis client (an object with get and set)', {
      factory: 'redisCacheStore()',
    });
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw optionError('options', 'expected an object such as { codec }', { factory: 'redisCacheStore()' });
  }
  const codec = (options as RedisCacheStoreOptions | undefined)?.codec ?? jsonCacheCodec;
  if (
    typeof codec !== 'object' ||
    codec === null ||
    typeof codec.encode !== 'function' ||
    typeof codec.decode !== 'function'
  ) {
    throw optionError('codec', 'expected an object with encode() and decode()', { factory: 'redisCacheStore()' });
  }

  return {
    name: 'redis',
    async get(key: string): Promise<CacheHit | undefined> {
      const text = await client.get(key);
      if (text === null) return undefined;
      try {
        return { value: codec.decode(text) };
      } catch (error) {
        // Parse errors quote the text, i.e. cached values: keep them out of log lines.
        throw new Error(`cache entry "${key}" could not be decoded`, { cause: error });
      }
    },
    async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
      // Serialized before the first await: the caller hands `value` out right after.
      const text = codec.encode(value);
      await client.set(key, text, 'PX', Math.max(1, Math.round(ttlSeconds * 1000)));
    },
    async getVersion(key: string): Promise<string> {
      const current = await client.get(key);
      if (current !== null) return current;
      const token = newToken();
      if ((await client.set(key, token, 'NX')) === 'OK') return token;
      const winner = await client.get(key); // another process created it first
      if (winner === null) throw new Error(`cache version key "${key}" disappeared while it was being created`);
      return winner;
    },
    async bumpVersion(key: string): Promise<string> {
      const token = newToken();
      await client.set(key, token);
      return token;
    },
  };
}

/** 72 random bits: never repeats in practice, and holds no `:`. */
function newToken(): string {
  return randomBytes(9).toString('base64url');
}
