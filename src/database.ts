import {
  type ConnectionProvider,
  DefaultQueryExecutor,
  type Dialect,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import type pg from 'pg';
import { loadEnvOptions } from './config/load-env-options.js';
import type { DatabaseOptions } from './config/options-schema.js';
import { type ResolvedOptions, resolveOptions } from './config/resolve-options.js';
import { type ConnectOptions, connectWithRetry } from './connection/connect-with-retry.js';
import { createPool, type PoolSnapshot, poolSnapshot } from './connection/create-pool.js';
import { checkHealth, type HealthOptions, type HealthReport } from './connection/health.js';
import { PoolConnectionProvider } from './connection/pool-connection-provider.js';
import { PgDriver } from './driver/pg-driver.js';
import { type AcquireMetrics, QueryInstrumentation, type QueryMetrics } from './driver/query-instrumentation.js';
import { DatabaseClosedError } from './errors/connection-errors.js';

export interface DatabaseMetrics {
  pool: PoolSnapshot;
  queries: QueryMetrics;
  /** Waiting for a pooled connection. */
  acquire: AcquireMetrics;
}

/** A PostgreSQL database: a pool, a typed query builder, health and metrics. */
export interface Database<DB> extends AsyncDisposable {
  /**
   * Kysely query builder typed by your `DB` interface. Every statement runs through the
   * instrumented driver (timing, metrics, slow-query hook, typed errors).
   */
  readonly kysely: Kysely<DB>;
  /** Opens a connection now, retrying while the failure can heal; fails fast at start-up. */
  connect(options?: ConnectOptions): Promise<void>;
  /** Never throws; bounded by `timeoutMs`. */
  health(options?: HealthOptions): Promise<HealthReport>;
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
  readonly #options: ResolvedOptions;
  readonly #pool: pg.Pool;
  readonly #instrumentation: QueryInstrumentation;
  readonly #driver: PgDriver;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#pool = createPool(options);
    this.#instrumentation = new QueryInstrumentation(options);
    this.#driver = new PgDriver({
      pool: this.#pool,
      instrumentation: this.#instrumentation,
      connectionTimeoutMs: options.pool.connectionTimeoutMs,
      isClosed: () => this.closed,
    });
    this.kysely = createKysely<DB>(this.#driver, new PoolConnectionProvider(this.#driver));
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  async connect(options?: ConnectOptions): Promise<void> {
    if (this.closed) throw new DatabaseClosedError('connect');
    const serverVersion = await connectWithRetry(this.#driver, this.#options, options);
    this.#options.logger.info({ target: this.#options.connection.target, serverVersion }, 'connected to database');
  }

  async health(options?: HealthOptions): Promise<HealthReport> {
    if (this.closed) {
      const error = new DatabaseClosedError('check health');
      return { status: 'down', latencyMs: 0, serverVersion: undefined, pool: this.#poolSnapshot(), error: { code: error.code, message: error.message } };
    }
    return checkHealth(this.#driver, () => this.#poolSnapshot(), options);
  }

  metrics(): DatabaseMetrics {
    return {
      pool: this.#poolSnapshot(),
      queries: this.#instrumentation.queryMetrics(),
      acquire: this.#instrumentation.acquireMetrics(),
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // New acquisitions already fail (closed); let started ones finish, then drain.
      await this.#driver.settleAcquisitions();
      await this.#pool.end();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #poolSnapshot(): PoolSnapshot {
    return poolSnapshot(this.#pool, this.#options.pool.max);
  }
}

function createKysely<DB>(driver: PgDriver, connectionProvider: ConnectionProvider): Kysely<DB> {
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  };
  const executor = new DefaultQueryExecutor(dialect.createQueryCompiler(), dialect.createAdapter(), connectionProvider, []);
  return new Kysely<DB>({ config: { dialect }, driver, dialect, executor });
}
