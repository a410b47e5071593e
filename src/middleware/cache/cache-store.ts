/**
 * A value or a promise of it: a store that never does I/O (the memory store) answers synchronously.
 *
 * @example
 * ```ts
 * function lookup(store: CacheStore, key: string): MaybePromise<CacheHit | undefined> {
 *   return store.get(key) // a memory store answers at once, Redis with a promise
 * }
 * const hit = await lookup(store, 'app:users:1') // await works for both
 * ```
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A cached entry. Wrapped so that a cached `undefined` (e.g. `findById` of a missing row) is a hit too.
 *
 * @example
 * ```ts
 * const hit: CacheHit | undefined = await store.get('app:users:1')
 * if (hit) console.log('cached', hit.value) // a cached undefined is still a hit
 * ```
 */
export interface CacheHit {
  readonly value: unknown;
}

/**
 * Where `cache()` keeps entries and per-table versions. `memoryCacheStore()` and
 * `redisCacheStore()` implement it; a custom store must keep these rules:
 *
 * - `get` returns an independent copy each time (mutating it must not change the entry);
 * - `set` copies or serializes `value` before it returns or first awaits: the caller hands
 *   the same object to application code right after;
 * - `getVersion` returns the current token for `key`, creating one atomically when there is
 *   none; `bumpVersion` replaces it. A token must never be handed out twice for one key
 *   (not even after the version key was evicted or expired), so an evicted version can
 *   only orphan old entries, never revive them;
 * - entries expire after `ttlSeconds`; versions need not expire.
 *
 * `cache()` bounds every asynchronous call with its `timeoutMs` and treats a rejection or
 * a timeout as "the store is unavailable": the read goes to the database.
 *
 * @example
 * ```ts
 * const entries = new Map<string, CacheHit>()
 * const versions = new Map<string, string>()
 * const bump = (key: string) => {
 *   const token = crypto.randomUUID()
 *   versions.set(key, token)
 *   return token
 * }
 * const store: CacheStore = {
 *   name: 'map',
 *   get: (key) => entries.get(key),
 *   set: (key, value) => void entries.set(key, { value: structuredClone(value) }),
 *   getVersion: (key) => versions.get(key) ?? bump(key),
 *   bumpVersion: (key) => bump(key),
 * }
 * ```
 */
export interface CacheStore {
  /** Shown in log lines, e.g. `'memory'` or `'redis'`. */
  readonly name: string;
  /** The entry under `key`; `undefined` when there is none (never set, expired or evicted). */
  get(key: string): MaybePromise<CacheHit | undefined>;
  /** Stores a copy of `value` under `key` for `ttlSeconds`. */
  set(key: string, value: unknown, ttlSeconds: number): MaybePromise<void>;
  /** The current version token under `key`, created when there is none. */
  getVersion(key: string): MaybePromise<string>;
  /** Replaces the version under `key` with a token never used before, and returns it. */
  bumpVersion(key: string): MaybePromise<string>;
}
