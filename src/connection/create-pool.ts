import pg from 'pg';

import type { ResolvedOptions } from '../config/resolve-options.js';
import { describeError } from '../logging/describe-error.js';
import { poolTypes } from './pool-types.js';

/**
 * The pool's connections right now, as `db.health()` and `db.metrics()` report them.
 *
 * @example
 * ```ts
 * const pool: PoolSnapshot = db.metrics().pool
 * if (pool.waiting > 0) logger.warn({ ...pool }, 'callers are waiting for a connection')
 * ```
 */
export interface PoolSnapshot {
  /** Open connections (idle + checked out). */
  total: number;
  idle: number;
  /** Checked out by a query or transaction right now. */
  active: number;
  /** Callers waiting for a connection. */
  waiting: number;
  max: number;
}

/** A `pg.Pool` from resolved options. Errors of idle clients are logged, never crash the process. */
export function createPool(options: ResolvedOptions): pg.Pool {
  const { connection, pool: poolOptions } = options;
  const config: pg.PoolConfig = {
    max: poolOptions.max,
    min: poolOptions.min,
    idleTimeoutMillis: poolOptions.idleTimeoutMs,
    connectionTimeoutMillis: poolOptions.connectionTimeoutMs,
    maxLifetimeSeconds: Math.ceil(poolOptions.maxLifetimeMs / 1000),
    application_name: connection.applicationName,
    allowExitOnIdle: true,
    // Per pool, never the global pg.types: a faster timestamp parser, same values.
    types: poolTypes,
  };
  if (connection.connectionString !== undefined) config.connectionString = connection.connectionString;
  if (connection.host !== undefined) config.host = connection.host;
  if (connection.port !== undefined) config.port = connection.port;
  if (connection.database !== undefined) config.database = connection.database;
  if (connection.user !== undefined) config.user = connection.user;
  if (connection.password !== undefined) config.password = connection.password;
  if (connection.ssl !== undefined) config.ssl = connection.ssl;
  // Behind PgBouncer in transaction mode these are SET LOCAL in every transaction instead
  // (PgBouncer refuses or drops unknown startup parameters; see localSettingsSql).
  if (options.pooler !== 'pgbouncer-transaction') {
    if (options.statementTimeoutMs !== undefined) config.statement_timeout = options.statementTimeoutMs;
    if (connection.searchPath !== undefined) config.options = `-c search_path=${connection.searchPath.join(',')}`;
  }

  const pool = new pg.Pool(config);
  // An idle client whose server connection dies emits 'error' on the pool; unhandled,
  // that would crash the host process. pg-pool already discards the client.
  pool.on('error', (error) => {
    options.logger.warn(
      { err: describeError(error), target: connection.target },
      'idle database connection failed and was discarded',
    );
  });
  return pool;
}

/**
 * After `connect()` detected PgBouncer in transaction mode: connections opened from now on
 * send no `statement_timeout` / `options` startup parameters (the settings travel with
 * each transaction). The pool reads its options for every new client.
 */
export function dropStartupSettings(pool: pg.Pool): void {
  delete pool.options.statement_timeout;
  delete pool.options.options;
}

export function poolSnapshot(
  pool: Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount'>,
  max: number,
): PoolSnapshot {
  const total = pool.totalCount;
  const idle = pool.idleCount;
  return { total, idle, active: total - idle, waiting: pool.waitingCount, max };
}
