import { optionError } from '../../errors/option-error.js';
import { resolveLogger } from '../../logging/logger.js';
import type { RepositoryOperation } from '../repository-middleware.js';
import type { CacheStore } from './cache-store.js';

/**
 * Where the cache reports an unavailable store. A pino logger satisfies it.
 *
 * @example
 * ```ts
 * const cacheLogger: CacheLogger = { warn: (fields, message) => logger.warn(fields, message) }
 * const products = cache({ store, ttlSeconds: 60, keyPrefix: 'app:', logger: cacheLogger })
 * ```
 */
export interface CacheLogger {
  warn(fields: object, message?: string): void;
}

/**
 * Options of `cache()`: the store, how long entries live, the key prefix, and which tables
 * to cache.
 *
 * @example
 * ```ts
 * const options: CacheOptions = { store: memoryCacheStore({ maxEntries: 10_000 }), ttlSeconds: 30, keyPrefix: 'orders-api:cache:', tables: ['products'] }
 * const db = createDatabase<DB>({ middleware: [cache(options)] })
 * ```
 */
export interface CacheOptions {
  /** `memoryCacheStore({ maxEntries })`, `redisCacheStore(client)` or your own `CacheStore`. */
  readonly store: CacheStore;
  /** How long an entry lives. Also the bound on staleness after a failed invalidation. */
  readonly ttlSeconds: number;
  /**
   * Starts every key (taken as given, so end it with a separator: `'orders-api:cache:'`).
   * Give each application, database and schema its own: keys name tables, not databases.
   */
  readonly keyPrefix: string;
  /** Cache only these tables. @default every table */
  readonly tables?: readonly string[] | undefined;
  /** Bound on every asynchronous store call; slower means "unavailable". @default 50 */
  readonly timeoutMs?: number | undefined;
  /** Receives store failures, at most one line per kind of failure per `logIntervalMs`. @default pino at `warn` */
  readonly logger?: CacheLogger | undefined;
  /** @default 60000 */
  readonly logIntervalMs?: number | undefined;
  /**
   * Extra key material for context that changes a read's result but is neither in the
   * operation's `scope` nor the current tenant (both are always in the key), e.g. a
   * feature flag: `varyBy: () => flags.pricingV2`. Return plain data (strings, numbers,
   * arrays, plain objects); anything else makes the call uncached.
   */
  readonly varyBy?: ((operation: RepositoryOperation) => unknown) | undefined;
}

export interface ResolvedCacheOptions {
  readonly store: CacheStore;
  readonly ttlSeconds: number;
  readonly keyPrefix: string;
  readonly tables: ReadonlySet<string> | undefined;
  readonly timeoutMs: number;
  /** Created on first use: the default pino logger costs nothing until a store fails. */
  readonly logger: () => CacheLogger;
  readonly logIntervalMs: number;
  readonly varyBy: ((operation: RepositoryOperation) => unknown) | undefined;
}

/**
 * Checks `cache()` options, naming the first bad one in a `ConfigError`, and fills in defaults.
 *
 * ```ts
 * const { timeoutMs } = resolveCacheOptions({ store, ttlSeconds: 60, keyPrefix: 'app:' }) // 50
 * ```
 */
export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  const given = (options ?? {}) as Partial<Record<keyof CacheOptions, unknown>>;
  const store = given.store as Partial<CacheStore> | undefined;
  const methods = ['get', 'set', 'getVersion', 'bumpVersion'] as const;
  if (typeof store !== 'object' || store === null || methods.some((method) => typeof store[method] !== 'function')) {
    fail(
      'store',
      'expected a CacheStore (memoryCacheStore(), redisCacheStore() or an object with get, set, getVersion and bumpVersion)',
    );
  }
  const ttlSeconds = positive(given.ttlSeconds, 'ttlSeconds');
  if (typeof given.keyPrefix !== 'string' || given.keyPrefix === '')
    fail('keyPrefix', 'expected a non-empty string, e.g. "my-app:cache:"');
  const tables = given.tables;
  if (
    tables !== undefined &&
    (!Array.isArray(tables) || tables.some((table) => typeof table !== 'string' || table === ''))
  ) {
    fail('tables', 'expected an array of table names');
  }
  const logger = given.logger as Partial<CacheLogger> | undefined;
  if (logger !== undefined && (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function'))
    fail('logger', 'expected an object with a warn() method');
  if (given.varyBy !== undefined && typeof given.varyBy !== 'function') fail('varyBy', 'expected a function');
  let fallback: CacheLogger | undefined;
  return {
    store: store as CacheStore,
    ttlSeconds,
    keyPrefix: given.keyPrefix,
    tables: tables === undefined ? undefined : new Set(tables as string[]),
    timeoutMs: given.timeoutMs === undefined ? 50 : positive(given.timeoutMs, 'timeoutMs'),
    logger: logger === undefined ? () => (fallback ??= resolveLogger('warn')) : () => logger as CacheLogger,
    logIntervalMs: given.logIntervalMs === undefined ? 60_000 : nonNegative(given.logIntervalMs, 'logIntervalMs'),
    varyBy: given.varyBy as ResolvedCacheOptions['varyBy'],
  };
}

function positive(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(option, 'expected a positive number');
  return value;
}

function nonNegative(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(option, 'expected a number >= 0');
  return value;
}

function fail(option: string, expected: string): never {
  throw optionError(option, expected, { factory: 'cache()' });
}
