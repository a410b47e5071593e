import { LRUCache } from 'lru-cache';

import { optionError } from '../../errors/option-error.js';
import type { CacheHit, CacheStore } from './cache-store.js';
import { cloneCacheValue } from './value-codec.js';

/**
 * Options of `memoryCacheStore()`: how many entries it keeps before evicting the least
 * recently used.
 *
 * @example
 * ```ts
 * const options: MemoryCacheStoreOptions = { maxEntries: 10_000 }
 * const store = memoryCacheStore(options)
 * ```
 */
export interface MemoryCacheStoreOptions {
  /** Most entries kept; the least recently used go first. Versions do not count. */
  readonly maxEntries: number;
}

/**
 * A `CacheStore` that answers synchronously and reports its size, for tests and dashboards.
 *
 * @example
 * ```ts
 * const memory: MemoryCacheStore = memoryCacheStore({ maxEntries: 1_000 })
 * const db = createDatabase<DB>({ middleware: [cache({ store: memory, ttlSeconds: 60, keyPrefix: 'test:' })] })
 * await users.findById(1)
 * console.log(memory.size) // entries held now
 * ```
 */
export interface MemoryCacheStore extends CacheStore {
  /** Entries held now (expired ones may linger until touched). */
  readonly size: number;
  get(key: string): CacheHit | undefined;
  set(key: string, value: unknown, ttlSeconds: number): void;
  getVersion(key: string): string;
  bumpVersion(key: string): string;
}

interface Entry {
  value: unknown;
}

/**
 * An in-process `CacheStore` over `lru-cache`: at most `maxEntries` entries, each expiring
 * after the middleware's `ttlSeconds`. Every call answers synchronously. Values are stored
 * and returned as deep copies (`cloneCacheValue`: Dates stay Dates). Table versions live
 * beside the entries and are never evicted. Each process has its own: use
 * `redisCacheStore()` when several processes write the same tables.
 *
 * @example
 * ```ts
 * const db = createDatabase<DB>({
 *   middleware: [cache({ store: memoryCacheStore({ maxEntries: 10_000 }), ttlSeconds: 30, keyPrefix: 'app:' })],
 * })
 * ```
 *
 * @throws ConfigError when `maxEntries` is not a positive integer.
 */
export function memoryCacheStore(options: MemoryCacheStoreOptions): MemoryCacheStore {
  const maxEntries = (options as Partial<MemoryCacheStoreOptions> | undefined)?.maxEntries;
  if (typeof maxEntries !== 'number' || !Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw optionError('maxEntries', 'expected an integer >= 1', { factory: 'memoryCacheStore()' });
  }
  const entries = new LRUCache<string, Entry>({ max: maxEntries });
  const versions = new Map<string, string>();
  let sequence = 0;
  const bump = (key: string): string => {
    const token = (++sequence).toString(36);
    versions.set(key, token);
    return token;
  };

  return {
    name: 'memory',
    get size() {
      return entries.size;
    },
    get(key: string): CacheHit | undefined {
      const entry = entries.get(key);
      return entry === undefined ? undefined : { value: cloneCacheValue(entry.value) };
    },
    set(key: string, value: unknown, ttlSeconds: number): void {
      entries.set(key, { value: cloneCacheValue(value) }, { ttl: Math.max(1, Math.round(ttlSeconds * 1000)) });
    },
    getVersion(key: string): string {
      return versions.get(key) ?? bump(key);
    },
    bumpVersion: bump,
  };
}
