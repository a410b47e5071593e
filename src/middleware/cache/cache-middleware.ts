import { ConnectionError } from '../../errors/connection-errors.js';
import { DataLayerError } from '../../errors/data-layer-error.js';
import { describeError } from '../../logging/describe-error.js';
import type {
  RepositoryDescriptor,
  RepositoryMiddleware,
  RepositoryOperation,
  TransactionHooks,
} from '../repository-middleware.js';
import { currentTenant } from '../tenant/tenant-context.js';
import { digestOf, entryKey, stableKeyMaterial, versionKey } from './cache-key.js';
import { type CacheOptions, resolveCacheOptions } from './cache-options.js';
import type { CacheHit, MaybePromise } from './cache-store.js';
import { currentNeed, type ReadNeed, servable, type StoredEntry } from './entry-freshness.js';
import { SingleFlight } from './single-flight.js';
import { boundedCall, isThenable } from './store-call.js';
import { ThrottledWarning } from './throttled-warning.js';
import { cloneCacheValue } from './value-codec.js';
import { VersionHistory } from './version-history.js';

/**
 * Counters of one `cache()` middleware; `db.metrics().middleware.cache` when database-wide.
 *
 * @example
 * ```ts
 * const productsCache = cache({ store, ttlSeconds: 60, keyPrefix: 'app:', tables: ['products'] })
 * const { hits, misses }: CacheMetrics = productsCache.metrics()
 * console.log(`hit ratio ${hits / Math.max(1, hits + misses)}`)
 * ```
 */
export type CacheMetrics = {
  /** Cacheable reads answered without a database query: store hits, and calls that joined an identical read in flight. */
  readonly hits: number;
  /** Cacheable reads answered by the database (including while the store was unavailable). */
  readonly misses: number;
  /** Table versions bumped successfully. */
  readonly invalidations: number;
  /** Store calls that failed or timed out (never surfaced to callers). */
  readonly errors: number;
};

/**
 * What `cache()` returns: a `RepositoryMiddleware` named `'cache'` whose metrics are always there.
 *
 * @example
 * ```ts
 * const productsCache: CacheMiddleware = cache({ store, ttlSeconds: 60, keyPrefix: 'app:', tables: ['products'] })
 * const db = createDatabase<DB>({ middleware: [productsCache] })
 * await sql`update products set price = price * 1.1`.execute(db.kysely)
 * await productsCache.invalidate('products') // raw SQL bypasses the cache: invalidate by hand
 * ```
 */
export interface CacheMiddleware extends RepositoryMiddleware {
  readonly name: 'cache';
  handle(operation: RepositoryOperation, next: () => Promise<unknown>): Promise<unknown>;
  metrics(): CacheMetrics;
  /**
   * Invalidates `table` now, for writes the cache cannot see (raw SQL, `db.kysely`). Never
   * throws; a failure is handled like a failed write invalidation. Inside a transaction,
   * call it after the commit: `await db.afterCommit(() => productsCache.invalidate('products'))`.
   */
  invalidate(table: string): Promise<void>;
}

/** While a table's invalidation is owed, retry it at most this often. */
const RETRY_INVALIDATION_MS = 1_000;

/** A table whose last invalidation failed: its entries may be stale until `until`. */
interface OwedInvalidation {
  until: number;
  retryAt: number;
  retrying: boolean;
  /** Bumped by every failure, so a late success of an older retry cannot clear a newer debt. */
  generation: number;
}

/**
 * Caches repository reads (`findById`, `findByIds`, `findOne`, `findMany`, `count`,
 * `paginate`) per table, and invalidates a table on every write to it by replacing the
 * table's version, which is part of every key. Keys also hold the operation's kind,
 * arguments and scope (the tenant, under `tenantFilter()`), hashed.
 *
 * - Inside a transaction reads bypass the cache, and writes invalidate after the commit
 *   (never after a rollback). Outside one, a write invalidates once it succeeded.
 * - Concurrent identical misses run one query (in process); every caller gets its own copy.
 * - A failing or slow store (`timeoutMs`) is logged (throttled) and counted, never thrown:
 *   reads go to the database. After a failed invalidation this process stops using the
 *   table's entries until the invalidation succeeds or `ttlSeconds` passed.
 *
 * @example
 * ```ts
 * declare const redis: RedisCacheClient
 * const db = createDatabase<DB>({
 *   middleware: [
 *     tenantFilter(),
 *     cache({ store: redisCacheStore(redis), ttlSeconds: 60, keyPrefix: 'orders-api:cache:', tables: ['products'] }),
 *   ],
 * })
 * db.metrics().middleware.cache // { hits, misses, invalidations, errors }
 * ```
 *
 * @throws ConfigError naming the first invalid option.
 */
export function cache(options: CacheOptions): CacheMiddleware {
  const settings = resolveCacheOptions(options);
  const { store, keyPrefix, ttlSeconds, timeoutMs, tables, varyBy } = settings;
  const ttlMs = ttlSeconds * 1000;
  const counters = { hits: 0, misses: 0, invalidations: 0, errors: 0 };
  const flights = new SingleFlight();
  const warnings = new ThrottledWarning(settings.logger, settings.logIntervalMs);
  const owed = new Map<string, OwedInvalidation>();
  const versions = new VersionHistory();
  /** Tables with an after-commit invalidation registered, per transaction scope: one hook per table is enough. */
  const registered = new WeakMap<TransactionHooks, Set<string>>();

  const storeFailed = (category: 'read' | 'write', error: unknown, operation: RepositoryOperation): void => {
    counters.errors++;
    const message =
      category === 'read'
        ? 'cache store unavailable; reading from the database'
        : 'cache store unavailable; result not cached';
    warnings.warn(
      category,
      { err: describeError(error), store: store.name, table: operation.table, kind: operation.kind },
      message,
    );
  };

  /** Replaces the table's version. Never throws: a failure is logged and the table marked. */
  const invalidate = async (table: string): Promise<void> => {
    const debt = owed.get(table);
    const generation = debt?.generation;
    try {
      versions.observe(table, await boundedCall(() => store.bumpVersion(versionKey(keyPrefix, table)), timeoutMs));
      counters.invalidations++;
      if (owed.get(table)?.generation === generation) owed.delete(table);
    } catch (error) {
      counters.errors++;
      const now = Date.now();
      const current = owed.get(table);
      if (current === undefined)
        owed.set(table, { until: now + ttlMs, retryAt: now + RETRY_INVALIDATION_MS, retrying: false, generation: 0 });
      else
        Object.assign(current, {
          until: now + ttlMs,
          retryAt: now + RETRY_INVALIDATION_MS,
          generation: current.generation + 1,
        });
      warnings.warn(
        'invalidate',
        { err: describeError(error), store: store.name, table, staleForAtMostSeconds: ttlSeconds },
        'cache invalidation failed; other processes may read stale entries of this table until they expire',
      );
    }
  };

  /** True while this table's entries may be stale; retries the owed invalidation now and then. */
  const invalidationOwed = (table: string): boolean => {
    const debt = owed.get(table);
    if (debt === undefined) return false;
    const now = Date.now();
    if (now >= debt.until) {
      owed.delete(table); // every entry written before the failed invalidation has expired
      return false;
    }
    if (!debt.retrying && now >= debt.retryAt) {
      debt.retrying = true;
      void invalidate(table).finally(() => {
        debt.retrying = false;
        debt.retryAt = Date.now() + RETRY_INVALIDATION_MS;
      });
    }
    return true;
  };

  const fill = (operation: RepositoryOperation, key: string, value: unknown, need: ReadNeed): void => {
    if (invalidationOwed(operation.table)) return; // the value may predate a write we failed to announce
    const entry: StoredEntry = { seen: need.seen, value };
    try {
      const stored = boundedCall(() => store.set(key, entry, ttlSeconds), timeoutMs);
      if (isThenable(stored)) stored.catch((error: unknown) => storeFailed('write', error, operation));
    } catch (error) {
      storeFailed('write', error, operation);
    }
  };

  const read = async (operation: RepositoryOperation, next: () => Promise<unknown>): Promise<unknown> => {
    const { table, kind } = operation;
    const material = keyMaterial(operation, varyBy);
    if (material === undefined) return next(); // arguments we cannot key reliably: not cached
    if (invalidationOwed(table)) {
      counters.misses++;
      return next();
    }
    let version: string;
    try {
      // Read BEFORE the database: a reader that races a write can only fill an old version's key.
      version = await boundedCall(() => store.getVersion(versionKey(keyPrefix, table)), timeoutMs);
    } catch (error) {
      storeFailed('read', error, operation);
      counters.misses++;
      return next();
    }
    if (versions.observe(table, version) === 'rewound') {
      // The store lost later versions and kept older entries: replace the version first.
      counters.misses++;
      await invalidate(table);
      return next();
    }
    const key = entryKey(keyPrefix, table, version, kind, digestOf(material));
    // With replicas, an entry only answers reads that need no more than its read saw.
    const need = currentNeed();
    const flight = key + need.tag;
    const joined = flights.join(flight, cloneCacheValue);
    if (joined !== undefined) {
      counters.hits++;
      return joined;
    }
    const answer = boundedCall(() => store.get(key), timeoutMs);
    if (!isThenable(answer) && answer !== undefined && servable(answer.value, need)) {
      counters.hits++; // a synchronous store's hit: no flight needed
      return answer.value.value;
    }
    return flights.run(flight, () => lookup(operation, answer, key, need, next), cloneCacheValue).result;
  };

  /** The rest of a read once the store was asked: a hit, or the database and a fill. */
  const lookup = async (
    operation: RepositoryOperation,
    answer: MaybePromise<CacheHit | undefined>,
    key: string,
    need: ReadNeed,
    next: () => Promise<unknown>,
  ): Promise<unknown> => {
    let storeAnswered = true;
    try {
      const hit = await answer;
      if (hit !== undefined && servable(hit.value, need)) {
        counters.hits++;
        return hit.value.value;
      }
    } catch (error) {
      storeAnswered = false;
      storeFailed('read', error, operation);
    }
    counters.misses++;
    const value = await next();
    if (storeAnswered) fill(operation, key, value, need); // replaces an entry too old for this read
    return value;
  };

  const write = async (operation: RepositoryOperation, next: () => Promise<unknown>): Promise<unknown> => {
    const { table, transaction } = operation;
    if (transaction !== undefined) {
      // A failed statement changed nothing (statement atomicity), so only success registers.
      const result = await next();
      const tablesOfScope = registered.get(transaction) ?? new Set<string>();
      if (tablesOfScope.has(table)) return result;
      try {
        transaction.afterCommit(() => invalidate(table));
        tablesOfScope.add(table);
        registered.set(transaction, tablesOfScope);
      } catch {
        await invalidate(table); // the scope cannot take hooks any more; invalidating now is harmless
      }
      return result;
    }
    let result: unknown;
    try {
      result = await next();
    } catch (error) {
      if (mayHaveWritten(error)) await invalidate(table);
      throw error;
    }
    await invalidate(table);
    return result;
  };

  return {
    name: 'cache',
    handle(operation, next) {
      if (tables !== undefined && !tables.has(operation.table)) return next();
      // The operation table says which reads are cacheable; every write invalidates.
      const { definition } = operation;
      if (definition.cacheable === true) return operation.transaction === undefined ? read(operation, next) : next();
      if (definition.access === 'write') return write(operation, next);
      return next();
    },
    metrics: () => ({ ...counters }),
    invalidate: (table) => invalidate(table),
  };
}

/** Per repository: its settings that change what a read returns, serialized once. */
const descriptorMaterial = new WeakMap<RepositoryDescriptor, string>();

/**
 * Everything besides table, version and kind that decides a read's result: the arguments,
 * the scope, the repository's settings and `varyBy`. Each part is a self-delimiting term
 * (array, object), so joining them cannot make two different inputs look alike.
 */
function keyMaterial(
  operation: RepositoryOperation,
  varyBy: ((operation: RepositoryOperation) => unknown) | undefined,
): string | undefined {
  const { repository } = operation;
  let descriptor = descriptorMaterial.get(repository);
  if (descriptor === undefined) {
    descriptor = stableKeyMaterial([repository.primaryKey, repository.softDelete, repository.tenantColumn]) ?? '';
    descriptorMaterial.set(repository, descriptor);
  }
  const args = stableKeyMaterial(operation.args);
  const scope = stableKeyMaterial(operation.scope);
  // The tenant is always part of the key, whatever the tenant filter's mode (rls mode
  // adds no scope) or position in the chain: entries can never cross tenants.
  const vary = stableKeyMaterial([currentTenant(), varyBy === undefined ? null : varyBy(operation)]);
  if (args === undefined || scope === undefined || vary === undefined) return undefined;
  return `${args}|${scope}|${descriptor}|${vary}`;
}

/**
 * Whether a write that threw may still have changed rows: a lost connection (the server
 * may have committed) or an error from outside this library. The library's own errors
 * (validation, not found, constraint violations, timeouts) mean the statement was undone.
 */
function mayHaveWritten(error: unknown): boolean {
  return !(error instanceof DataLayerError) || error instanceof ConnectionError;
}
