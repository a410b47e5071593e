import { Kysely, type KyselyProps } from 'kysely';
import type pg from 'pg';

import { loadEnvOptions } from './config/load-env-options.js';
import type { DatabaseOptions } from './config/options-schema.js';
import { type ResolvedOptions, resolveOptions } from './config/resolve-options.js';
import { type ConnectOptions, connectWithRetry } from './connection/connect-with-retry.js';
import { createPool, type PoolSnapshot, poolSnapshot } from './connection/create-pool.js';
import type { PoolerReport } from './connection/detect-pooler.js';
import { checkHealth, type HealthOptions, type HealthReport } from './connection/health.js';
import { configuredLocalSettings, PoolerMode } from './connection/pooler-mode.js';
import { kyselyProps } from './driver/kysely-props.js';
import { PgDriver } from './driver/pg-driver.js';
import { PreparedStatements } from './driver/prepared-statements.js';
import { type AcquireMetrics, QueryInstrumentation, type QueryMetrics } from './driver/query-instrumentation.js';
import { EmbeddedPool } from './embedded/embedded-pool.js';
import { DatabaseClosedError } from './errors/connection-errors.js';
import type { RepositoryMiddleware } from './middleware/repository-middleware.js';
import { createMigrator, type Migrator, type MigratorOptions } from './migration/migrator.js';
import { decodeToken, encodeToken } from './replicas/lsn.js';
import type { ReplicaReport } from './replicas/replica-node.js';
import { registerReplicaReadTransactions } from './replicas/replica-read-transactions.js';
import { ReplicaSet } from './replicas/replica-set.js';
import { RoutingConnectionProvider } from './replicas/routing-connection.js';
import { registerRoutedOwner, requiredLsn, runOnPrimary, runWithLsn } from './replicas/routing-context.js';
import { registerCursorSecret } from './repository/cursor-secrets.js';
import { registerStatementProvider } from './repository/run-compiled.js';
import { AmbientConnectionProvider, ScopeConnectionProvider } from './transaction/connection-providers.js';
import { DatabaseTransaction } from './transaction/database-transaction.js';
import type { TransactionOptions } from './transaction/transaction-options.js';
import { type TransactionMetrics, TransactionRunner } from './transaction/transaction-runner.js';
import type { AfterCommitHook, TransactionScope } from './transaction/transaction-scope.js';
import { ambientScope, transactionStorage } from './transaction/transaction-storage.js';

/**
 * What `db.metrics()` returns: pool, statement, acquire and transaction counters, and those of
 * database-wide middleware, for a metrics endpoint or a periodic log line.
 *
 * @example
 * ```ts
 * const metrics: DatabaseMetrics = db.metrics()
 * logger.info({ pool: metrics.pool, p95Ms: metrics.queries.p95Ms, retries: metrics.transactions.retries }, 'db')
 * ```
 */
export interface DatabaseMetrics {
  pool: PoolSnapshot;
  queries: QueryMetrics;
  /** Waiting for a pooled connection. */
  acquire: AcquireMetrics;
  transactions: TransactionMetrics;
  /** Counters of database-wide middleware that reports them (e.g. the cache), by name. */
  middleware: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** With `replicas`: each replica's state, lag, probe latency, reads and pool. */
  replicas?: ReplicaReport[];
}

/**
 * What `db.health()` returns: the primary's report, and with `replicas` each replica's (probed again).
 *
 * @example
 * ```ts
 * const health: DatabaseHealthReport = await db.health({ timeoutMs: 2_000 })
 * const replicasDown = (health.replicas ?? []).filter((replica) => replica.state !== 'up').length
 * res.status(health.status === 'up' ? 200 : 503).json({ ...health, replicasDown })
 * ```
 */
export interface DatabaseHealthReport extends HealthReport {
  replicas?: ReplicaReport[];
  /** What sits in front of the primary: PgBouncer in transaction mode or nothing, configured or detected. */
  pooler: PoolerReport;
}

/**
 * A PostgreSQL database: a pool, a typed query builder, transactions, health and metrics.
 *
 * @example
 * ```ts
 * const db: Database<DB> = createDatabase<DB>({ connectionString: process.env.DATABASE_URL })
 * await db.connect()
 * const user = await db.kysely.selectFrom('users').selectAll().where('id', '=', 1).executeTakeFirst()
 * await db.transaction(async () => users.update(1, { name: 'Ada' }))
 * await db.close()
 * ```
 */
export interface Database<DB> extends AsyncDisposable {
  /**
   * Kysely query builder typed by your `DB` interface. Inside `db.transaction()` it runs
   * on the transaction's connection (ambient), elsewhere on the pool. Every statement
   * runs through the instrumented driver (timing, metrics, slow-query hook, typed errors).
   */
  readonly kysely: Kysely<DB>;
  /**
   * Runs `fn` in a transaction and returns what it returns. Nested calls become
   * savepoints; the transaction is ambient for everything `fn` awaits.
   *
   * ```ts
   * const order = await db.transaction(async (tx) => {
   *   const order = await tx.insertInto('orders').values(input).returningAll().executeTakeFirstOrThrow()
   *   tx.afterCommit(() => events.publish('order.created', order))
   *   return order
   * }, { isolationLevel: 'serializable', retries: 3 })
   * ```
   */
  transaction<T>(fn: (tx: DatabaseTransaction<DB>) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** The ambient transaction of this database, if `fn` of a `db.transaction()` is running. */
  currentTransaction(): DatabaseTransaction<DB> | undefined;
  /**
   * Runs `hook` after the ambient transaction commits (dropped if it rolls back), or
   * at once when there is none. Resolves when the hook ran or was registered.
   */
  afterCommit(hook: AfterCommitHook): Promise<void>;
  /**
   * Runs `fn` with no ambient transaction: its queries use the pool and commit on their
   * own, even if the surrounding transaction rolls back (audit logs, outbox writes).
   */
  outsideTransaction<T>(fn: () => T): T;
  /**
   * Runs `fn` with every statement of this database on the primary, reads included
   * (with `replicas`; without them everything runs there anyway).
   *
   * ```ts
   * const fresh = await db.primary(() => users.findById(req.user.id))
   * ```
   */
  primary<T>(fn: () => T): T;
  /**
   * Runs `fn` in a consistency context (read-your-writes with `replicas`): reads inside
   * go to a replica only once it has replayed `token` and every commit made inside, else
   * to the primary (or wait up to `maxWaitMs`). `token` comes from `consistencyToken()`,
   * e.g. of an earlier request (a cookie or header); undefined starts empty.
   *
   * ```ts
   * await db.withConsistencyToken(req.headers['x-consistency'], async () => {
   *   await users.update(req.user.id, { name: 'Ada' })
   *   res.setHeader('x-consistency', db.consistencyToken() ?? '') // the next request reads its write
   *   res.json(await users.findById(req.user.id)) // a replica only if it has replayed the update
   * })
   * ```
   *
   * @throws ValidationError when `token` is not one `consistencyToken()` returned.
   */
  withConsistencyToken<T>(token: string | undefined, fn: () => T): T;
  /**
   * The opaque token of the current consistency context: the WAL position of its latest
   * commit (or the token it started with). Undefined outside a context, before any commit,
   * or without `replicas`.
   */
  consistencyToken(): string | undefined;
  /** Repository middleware from `createDatabase({ middleware })`, run by every repository, in order. */
  readonly middleware: readonly RepositoryMiddleware[];
  /** Opens a connection now, retrying while the failure can heal; fails fast at start-up. */
  connect(options?: ConnectOptions): Promise<void>;
  /** Never throws; bounded by `timeoutMs`. */
  health(options?: HealthOptions): Promise<DatabaseHealthReport>;
  metrics(): DatabaseMetrics;
  /** Drains the pool. Idempotent; afterwards every call fails with `DatabaseClosedError`. */
  close(): Promise<void>;
  readonly closed: boolean;
}

/**
 * Creates a database handle. With no options it reads the environment (`DATABASE_URL`
 * or `DB_HOST`, `DB_PORT`, ...; see `loadEnvOptions`). Nothing connects until the first
 * query or `connect()`.
 *
 * @example
 * ```ts
 * interface DB { users: { id: Generated<number>; email: string } }
 * const db = createDatabase<DB>({ connectionString: process.env.DATABASE_URL })
 * await db.connect()
 * const user = await db.kysely.selectFrom('users').selectAll().where('id', '=', 1).executeTakeFirst()
 * ```
 *
 * @throws ConfigError naming the first invalid option.
 */
export function createDatabase<DB>(options?: DatabaseOptions): Database<DB> {
  return new PostgresDatabase<DB>(resolveOptions(options ?? loadEnvOptions()));
}

class PostgresDatabase<DB> implements Database<DB> {
  readonly kysely: Kysely<DB>;
  readonly middleware: readonly RepositoryMiddleware[];
  readonly #options: ResolvedOptions;
  readonly #pool: pg.Pool | EmbeddedPool;
  readonly #instrumentation: QueryInstrumentation;
  readonly #driver: PgDriver;
  readonly #props: KyselyProps;
  readonly #transactions: TransactionRunner<DB>;
  #closing: Promise<void> | undefined;
  #migrator: Migrator | undefined;
  /** Set with `replicas`: where reads outside transactions may go. */
  readonly #replicas: ReplicaSet | undefined;
  readonly #pooler: PoolerMode;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.middleware = Object.freeze([...options.middleware]);
    registerCursorSecret(this, options.cursorSecret);
    this.#pool = options.embedded ? new EmbeddedPool({ ...options, embedded: options.embedded }) : createPool(options);
    this.#instrumentation = new QueryInstrumentation(options);
    const prepared = options.preparedStatements
      ? new PreparedStatements(options.preparedStatements, options.logger)
      : undefined;
    this.#driver = new PgDriver({
      pool: this.#pool,
      instrumentation: this.#instrumentation,
      connectionTimeoutMs: options.pool.connectionTimeoutMs,
      isClosed: () => this.closed,
      preparedStatements: prepared,
      localSettings: configuredLocalSettings(options, options.connection),
    });
    this.#pooler = new PoolerMode({
      owner: this,
      options,
      driver: this.#driver,
      pool: this.#pool instanceof EmbeddedPool ? undefined : this.#pool,
      prepared,
    });
    const ambient = new AmbientConnectionProvider({
      driver: this.#driver,
      owner: this,
      strict: options.strictTransactions,
    });
    this.#replicas = options.replication && this.#replicaSet(options);
    const provider = this.#replicas
      ? new RoutingConnectionProvider(ambient, { replicas: this.#replicas, primary: this.#driver, owner: this })
      : ambient;
    this.#props = kyselyProps(this.#driver, provider);
    // Repository statements run on the same provider, without Kysely's executor (no plugins here).
    registerStatementProvider(this, provider);
    this.kysely = new Kysely<DB>(this.#props);
    this.#transactions = new TransactionRunner<DB>({
      driver: this.#driver,
      owner: this,
      logger: options.logger,
      handleFor: (scope) => this.#handleFor(scope),
      statementSettings: statementSettingsOf(this.middleware),
    });
    // Tenant RLS reads outside a transaction: their own READ ONLY transaction on a replica.
    const replicas = this.#replicas;
    if (replicas)
      registerReplicaReadTransactions(this, { replicas, primary: this.#driver, runner: this.#transactions });
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  transaction<T>(fn: (tx: DatabaseTransaction<DB>) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const replicas = this.#replicas;
    // Read-your-writes: the outermost commit raises the consistency context's token.
    if (replicas === undefined || ambientScope(this) !== undefined || !replicas.tracksCommits())
      return this.#transactions.run(fn, options);
    return this.#transactions.run(fn, options).then(async (result) => {
      if (options?.accessMode !== 'read only') await replicas.recordCommit();
      return result;
    });
  }

  currentTransaction(): DatabaseTransaction<DB> | undefined {
    const scope = ambientScope(this);
    return scope?.active ? this.#handleFor(scope) : undefined;
  }

  async afterCommit(hook: AfterCommitHook): Promise<void> {
    const scope = ambientScope(this);
    if (scope) scope.addAfterCommit(hook);
    else await hook();
  }

  outsideTransaction<T>(fn: () => T): T {
    return transactionStorage.exit(fn);
  }

  primary<T>(fn: () => T): T {
    return runOnPrimary(this, fn);
  }

  withConsistencyToken<T>(token: string | undefined, fn: () => T): T {
    return runWithLsn(this, decodeToken(token), fn);
  }

  consistencyToken(): string | undefined {
    const lsn = this.#replicas && requiredLsn(this);
    return lsn === undefined ? undefined : encodeToken(lsn);
  }

  async connect(options?: ConnectOptions): Promise<void> {
    if (this.closed) throw new DatabaseClosedError('connect');
    // Start failures of the embedded server (missing package, ...) surface as they are.
    if (this.#pool instanceof EmbeddedPool) await this.#pool.start();
    const serverVersion = await connectWithRetry(this.#driver, this.#options, options);
    this.#options.logger.info({ target: this.#options.connection.target, serverVersion }, 'connected to database');
    await this.#pooler.detect();
    await this.#replicas?.connect();
  }

  async health(options?: HealthOptions): Promise<DatabaseHealthReport> {
    const replicas = this.#replicas;
    if (replicas === undefined || this.closed)
      return { ...(await this.#primaryHealth(options)), pooler: this.#pooler.report() };
    const [report, replicaReports] = await Promise.all([
      this.#primaryHealth(options),
      replicas.health(options?.timeoutMs ?? 5_000),
    ]);
    return { ...report, pooler: this.#pooler.report(), replicas: replicaReports };
  }

  async #primaryHealth(options?: HealthOptions): Promise<HealthReport> {
    if (this.closed) {
      const error = new DatabaseClosedError('check health');
      return {
        status: 'down',
        latencyMs: 0,
        serverVersion: undefined,
        pool: this.#poolSnapshot(),
        error: { code: error.code, message: error.message },
      };
    }
    // With createDatabase({ migrations }), the report includes where the schema stands.
    const configured = this.#options.migrations;
    if (options?.migrator === undefined && configured !== undefined) {
      this.#migrator ??= createMigrator(this, configured as MigratorOptions);
      return checkHealth(this.#driver, () => this.#poolSnapshot(), { ...options, migrator: this.#migrator });
    }
    return checkHealth(this.#driver, () => this.#poolSnapshot(), options);
  }

  metrics(): DatabaseMetrics {
    return {
      pool: this.#poolSnapshot(),
      queries: this.#instrumentation.queryMetrics(),
      acquire: this.#instrumentation.acquireMetrics(),
      transactions: this.#transactions.metrics(),
      middleware: Object.fromEntries(
        this.middleware.flatMap((each) => (each.metrics ? [[each.name, each.metrics()]] : [])),
      ),
      ...(this.#replicas && { replicas: this.#replicas.metrics() }),
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // New acquisitions already fail (closed); let started ones finish, then drain.
      await this.#driver.settleAcquisitions();
      await Promise.all([this.#pool.end(), this.#replicas?.close()]);
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #handleFor(scope: TransactionScope): DatabaseTransaction<DB> {
    // One handle per scope (`currentTransaction()` is called by every repository operation
    // with middleware), kept on the scope: a WeakMap entry per transaction kept each
    // transaction's objects alive through a scavenge.
    let handle = scope.handle as DatabaseTransaction<DB> | undefined;
    if (handle === undefined) {
      const executor = this.#props.executor.withConnectionProvider(new ScopeConnectionProvider(scope));
      handle = new DatabaseTransaction<DB>({ ...this.#props, executor }, scope);
      scope.handle = handle;
    }
    return handle;
  }

  #replicaSet(options: ResolvedOptions): ReplicaSet | undefined {
    if (options.replication === undefined) return undefined;
    registerRoutedOwner(this);
    return new ReplicaSet({
      replication: options.replication,
      base: options,
      instrumentation: this.#instrumentation,
      primary: this.#driver,
      owner: this,
      isClosed: () => this.closed,
    });
  }

  #poolSnapshot(): PoolSnapshot {
    return poolSnapshot(this.#pool, this.#options.pool.max);
  }
}

/** The middleware's per-statement settings as one function, or none (no cost per statement). */
function statementSettingsOf(
  middleware: readonly RepositoryMiddleware[],
): (() => Array<{ name: string; value: string }>) | undefined {
  const providers = middleware.flatMap((each) => (each.statementSetting ? [each.statementSetting.bind(each)] : []));
  if (providers.length === 0) return undefined;
  return () => providers.flatMap((provider) => provider() ?? []);
}
