import type { AfterCommitHook, AfterRollbackHook } from '../transaction/transaction-scope.js';
import type { TransactionMark } from '../transaction/transaction-storage.js';
import type { OperationDefinition, OperationKind } from './operations.js';

export type { OperationArgument, OperationDefinition, OperationKind } from './operations.js';

/**
 * What a repository tells middleware about itself.
 *
 * @example
 * ```ts
 * const describe = (repository: RepositoryDescriptor) => `${repository.table} (primary key ${repository.primaryKey})`
 * const named: RepositoryMiddleware = {
 *   name: 'named',
 *   handle: (operation, next) => {
 *     logger.info({ repository: describe(operation.repository) }, operation.kind)
 *     return next()
 *   },
 * }
 * ```
 */
export interface RepositoryDescriptor {
  readonly table: string;
  readonly primaryKey: string;
  readonly softDelete: string | undefined;
  readonly tenantColumn: string | undefined;
  /** The optimistic-lock version column, if the repository has one. */
  readonly version?: string | undefined;
}

/**
 * The ambient transaction, as far as middleware needs it (cache invalidation after commit).
 *
 * @example
 * ```ts
 * const afterWrite: RepositoryMiddleware = {
 *   name: 'after-write',
 *   async handle(operation, next) {
 *     const result = await next()
 *     const hooks: TransactionHooks | undefined = operation.transaction
 *     const publish = () => events.publish(`${operation.table}.changed`, operation.kind)
 *     if (hooks) hooks.afterCommit(publish)
 *     else await publish()
 *     return result
 *   },
 * }
 * ```
 */
export interface TransactionHooks {
  afterCommit(hook: AfterCommitHook): void;
  afterRollback(hook: AfterRollbackHook): void;
}

/**
 * SQL session control for middleware that must configure the database session (the
 * tenant filter's RLS mode). Present for SQL repositories, absent for the in-memory fake.
 *
 * @example
 * ```ts
 * // Triggers and audit functions can read the request id with current_setting('app.request_id', true).
 * const requestId: RepositoryMiddleware = {
 *   name: 'request-id',
 *   handle: async (operation, next) => {
 *     const session: SessionControl | undefined = operation.session
 *     if (!session || operation.definition.access !== 'write') return next()
 *     return session.inTransaction(async () => {
 *       await session.setLocal('app.request_id', req.headers['x-request-id'] ?? '')
 *       return next()
 *     })
 *   },
 * }
 * ```
 */
export interface SessionControl {
  /** Runs `work` in the ambient transaction, or in a new one when there is none. */
  inTransaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * `set_config(name, value, true)` in the ambient transaction (`tx.setLocal`): a
   * transaction-local setting (safe behind PgBouncer) that a savepoint puts back when
   * it ends. Outside a transaction it is a `TransactionError` (it would end at once).
   */
  setLocal(name: string, value: string): Promise<void>;
  /**
   * Runs `work` with the transaction-local setting in force for its statements and for
   * no statement outside it. The ambient transaction is joined (and the setting sent
   * once) when it began after `setting.since`, or already has the value; otherwise
   * `work` runs in a transaction of its own: a savepoint that puts the outer value back
   * when it ends, so the value never stays behind for the outer transaction's later
   * statements (raw SQL included).
   */
  withLocalSetting<T>(setting: LocalSetting, work: () => Promise<T>): Promise<T>;
  /** Whether `withLocalSetting(setting, ...)` would join the ambient transaction. */
  joinsAmbient(setting: LocalSetting): boolean;
  /**
   * Runs one statement in the ambient transaction (none: on the pool, committing on its
   * own), through the instrumented driver. Values go in `parameters` (`$1`, `$2`, ...),
   * never into `sql`; identifiers in `sql` must be quoted by the caller.
   */
  query<R = Record<string, unknown>>(sql: string, parameters?: readonly unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Row access for middleware that must see what a write changes (`auditLog`). Present on
 * write operations (create, createMany, update, updateMany, upsert, delete, hardDelete,
 * restore) of `BaseRepository` and of the in-memory fake, absent on reads. Every read runs
 * in the ambient transaction (with none, on its own) with the operation's scope applied,
 * so call these inside `session.inTransaction(...)` around `next()`.
 *
 * @example
 * ```ts
 * const trail: RepositoryMiddleware = {
 *   name: 'trail',
 *   handle: async (operation, next) => {
 *     if (!operation.rows || !operation.session) return next()
 *     const rows = operation.rows
 *     return operation.session.inTransaction(async () => {
 *       const before = await rows.targeted() // locked until the transaction ends
 *       const result = await next()
 *       const after = await rows.byKeys(before.map((row) => row[operation.repository.primaryKey]))
 *       console.log(before, after)
 *       return result
 *     })
 *   },
 * }
 * ```
 */
export interface OperationRows {
  /**
   * The rows this write will touch, as they are now: by id (update, delete, hardDelete,
   * restore), by `where` (updateMany), by the input's conflict columns (upsert); none for
   * create and createMany. Selected as the write selects them: scope (tenant) applied,
   * soft-deleted rows only where the write reaches them (hardDelete, restore). On SQL they
   * are locked `FOR UPDATE` in primary-key order, so in a transaction nothing changes them
   * before the write, and the write touches exactly these rows: updateMany is pinned to
   * them (a row another transaction made match in between is left alone, as if it had
   * arrived after the write). Invalid arguments throw the `ValidationError` the write would.
   */
  targeted(): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>>;
  /** The rows with these primary keys as they are now: scope applied, soft-deleted rows included, no lock. */
  byKeys(keys: readonly unknown[]): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>>;
  /** The table's column names (the catalog's, read once; the fake's declared `columns`). */
  columns(): Promise<ReadonlySet<string>>;
}

/**
 * A transaction-local setting some work needs, and since when its value applies.
 *
 * @example
 * ```ts
 * const setting: LocalSetting = { name: 'app.region', value: 'eu', since: undefined }
 * const regional: RepositoryMiddleware = {
 *   name: 'region',
 *   handle: (operation, next) => (operation.session ? operation.session.withLocalSetting(setting, next) : next()),
 * }
 * ```
 */
export interface LocalSetting {
  readonly name: string;
  readonly value: string;
  /** Where the value came into force (e.g. the tenant frame's `since`). */
  readonly since: TransactionMark;
}

/**
 * What `scope()` is told about the operation it scopes.
 *
 * @example
 * ```ts
 * const onlyActive: RepositoryMiddleware = {
 *   name: 'only-active',
 *   scope: (context: ScopeContext) => (context.repository.table === 'plans' ? { active: true } : undefined),
 * }
 * ```
 */
export interface ScopeContext {
  readonly kind: OperationKind | 'query';
  readonly repository: RepositoryDescriptor;
  /** True for repositories that run SQL; false for the in-memory fake. */
  readonly database: boolean;
}

/**
 * One call of a repository method, as it travels through the middleware chain.
 *
 * @example
 * ```ts
 * const trace: RepositoryMiddleware = {
 *   name: 'trace',
 *   async handle(operation: RepositoryOperation, next) {
 *     const started = performance.now()
 *     try {
 *       return await next()
 *     } finally {
 *       logger.info({ table: operation.table, kind: operation.kind, ms: performance.now() - started }, 'repository call')
 *     }
 *   },
 * }
 * ```
 */
export interface RepositoryOperation {
  readonly kind: OperationKind;
  /** What the operation is (read or write, its arguments, whether it takes input): see `OPERATIONS`. */
  readonly definition: OperationDefinition;
  readonly table: string;
  /** The method's arguments; a middleware may replace them before calling `next()`. */
  args: unknown[];
  readonly repository: RepositoryDescriptor;
  /**
   * Column equalities every statement of this operation is restricted to (reads,
   * updates, deletes) and that creates are stamped with. Contributed by `scope()`.
   */
  readonly scope: Readonly<Record<string, unknown>>;
  /** Set when the operation runs inside a transaction. */
  readonly transaction: TransactionHooks | undefined;
  /** Set for SQL repositories (see `SessionControl`). */
  readonly session: SessionControl | undefined;
  /** Set for writes: the rows they touch, before and after (see `OperationRows`). Optional, so hand-built operations in tests still type-check. */
  readonly rows?: OperationRows | undefined;
}

/**
 * A repository middleware. `handle` wraps operations (change args, short-circuit with a
 * result, act on the result); `scope` contributes column equalities that restrict every
 * statement, including `this.query()` in custom finders. Both are optional.
 *
 * @example
 * ```ts
 * const audit: RepositoryMiddleware = {
 *   name: 'audit',
 *   async handle(operation, next) {
 *     const result = await next()
 *     if (operation.kind === 'delete') logger.info({ table: operation.table, id: operation.args[0] }, 'deleted')
 *     return result
 *   },
 * }
 * ```
 */
export interface RepositoryMiddleware {
  readonly name: string;
  handle?(operation: RepositoryOperation, next: () => Promise<unknown>): Promise<unknown>;
  /** Counters reported under `db.metrics().middleware[name]` for database-wide middleware. */
  metrics?(): Readonly<Record<string, number>>;
  /** Throwing here (e.g. `TenantRequiredError`) stops the operation before any query. */
  scope?(context: ScopeContext): Readonly<Record<string, unknown>> | undefined;
  /**
   * Database-wide middleware only: the transaction-local setting every statement run in
   * a transaction of this database must see in the current async context, raw SQL on
   * `db.kysely` included (the tenant filter's rls mode: the current tenant, or '' with
   * none). A statement whose transaction holds another value gets a `set_config` first.
   * Asked before every statement in a transaction: keep it cheap.
   */
  statementSetting?(): { readonly name: string; readonly value: string } | undefined;
  /**
   * Columns every table this middleware runs on must have (the tenant filter: its tenant
   * column). Checked once per repository when it first reads its table's columns; a
   * missing one is a `ConfigError` saying to set `tenantColumn` or skip the middleware.
   */
  requiredColumns?(repository: RepositoryDescriptor): readonly string[];
}
