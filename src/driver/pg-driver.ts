import { CompiledQuery, type DatabaseConnection, type Driver, type TransactionSettings } from 'kysely';
import type { PoolClient } from 'pg';

import { TransactionError } from '../errors/application-errors.js';
import { DatabaseClosedError } from '../errors/connection-errors.js';
import { mapPostgresError } from '../errors/map-postgres-error.js';
import { PgConnection } from './pg-connection.js';
import type { PreparedStatements } from './prepared-statements.js';
import type { QueryInstrumentation } from './query-instrumentation.js';

/** What the driver needs of a pool: a `pg.Pool`, or the embedded server's pool. */
export interface ConnectionSource {
  connect(): Promise<PoolClient>;
}

export interface PgDriverOptions {
  pool: ConnectionSource;
  instrumentation: QueryInstrumentation;
  connectionTimeoutMs: number;
  isClosed: () => boolean;
  /** Named prepared statements for parameterised statements; undefined sends them unnamed. */
  preparedStatements?: PreparedStatements | undefined;
}

/**
 * Kysely driver over a `pg.Pool`: the one choke point every statement passes through.
 * Written instead of wrapping kysely's PostgresDriver because that one hides the pg
 * client, so it can neither time acquisition nor destroy a broken connection.
 */
export class PgDriver implements Driver {
  readonly #options: PgDriverOptions;
  readonly #pendingAcquisitions = new Set<Promise<unknown>>();

  constructor(options: PgDriverOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    // The pool connects lazily on first use; nothing to do.
  }

  async acquireConnection(): Promise<PgConnection> {
    if (this.#options.isClosed()) throw new DatabaseClosedError('run a query');
    const started = performance.now();
    const pending = this.#options.pool.connect();
    this.#pendingAcquisitions.add(pending);
    try {
      const client = await pending;
      this.#options.instrumentation.connectionAcquired(performance.now() - started);
      return new PgConnection(client, this.#options.instrumentation, this.#options.preparedStatements);
    } catch (error) {
      this.#options.instrumentation.acquireFailed();
      if (this.#options.isClosed()) throw new DatabaseClosedError('run a query');
      throw mapPostgresError(error, { connectionTimeoutMs: this.#options.connectionTimeoutMs });
    } finally {
      this.#pendingAcquisitions.delete(pending);
    }
  }

  /**
   * Resolves once every acquisition already started has been granted or has failed.
   * pg-pool's end() orphans a connect() racing with it (the promise never settles),
   * so the database waits for these before ending the pool.
   */
  async settleAcquisitions(): Promise<void> {
    await Promise.allSettled([...this.#pendingAcquisitions]);
  }

  // Transaction control runs several times per transaction: the statements are compiled
  // once (a CompiledQuery is immutable), and the methods return the connection's promise
  // instead of wrapping it in another async function.
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (!(connection instanceof PgConnection)) {
      // Kysely's own db.kysely.transaction() inside db.transaction() would send a second
      // BEGIN, and its COMMIT would commit the outer transaction early.
      return Promise.reject(
        new TransactionError(
          'db.kysely.transaction() cannot start inside db.transaction(): call db.transaction() to nest (savepoint)',
        ),
      );
    }
    const statement =
      settings.isolationLevel === undefined && settings.accessMode === undefined
        ? BEGIN
        : CompiledQuery.raw(beginStatement(settings));
    return connection.executeCommand(statement).then(ignore);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PgConnection).executeCommand(COMMIT).then(rejectRolledBackCommit);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PgConnection).executeCommand(ROLLBACK).then(ignore);
  }

  savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return (connection as PgConnection).executeCommand(savepointStatements(name).savepoint).then(ignore);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return (connection as PgConnection).executeCommand(savepointStatements(name).rollbackTo).then(ignore);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return (connection as PgConnection).executeCommand(savepointStatements(name).release).then(ignore);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PgConnection).release();
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    // The Database owns the pool's lifetime (close() is idempotent there).
  }
}

/** `begin` or `start transaction isolation level ... read only`, from validated settings. */
export function beginStatement(settings: TransactionSettings): string {
  const parts = ['start transaction'];
  if (settings.isolationLevel) parts.push(`isolation level ${settings.isolationLevel}`);
  if (settings.accessMode) parts.push(settings.accessMode);
  return parts.length === 1 ? 'begin' : parts.join(' ');
}

const BEGIN = CompiledQuery.raw('begin');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

function ignore(): void {}

function rejectRolledBackCommit(tag: string): void {
  if (tag === 'ROLLBACK') {
    throw new TransactionError(
      'COMMIT rolled back: an earlier statement failed and its error was caught; nothing was committed',
    );
  }
}

interface SavepointStatements {
  savepoint: CompiledQuery;
  rollbackTo: CompiledQuery;
  release: CompiledQuery;
}

/** Savepoint names repeat (`dl_sp_1`, `dl_sp_2`, ... per transaction): a small bounded cache. */
const savepointCache = new Map<string, SavepointStatements>();
const SAVEPOINT_CACHE_LIMIT = 64;

function savepointStatements(name: string): SavepointStatements {
  let statements = savepointCache.get(name);
  if (statements === undefined) {
    const quoted = quoteIdentifier(name);
    statements = {
      savepoint: CompiledQuery.raw(`savepoint ${quoted}`),
      rollbackTo: CompiledQuery.raw(`rollback to savepoint ${quoted}`),
      release: CompiledQuery.raw(`release savepoint ${quoted}`),
    };
    if (savepointCache.size < SAVEPOINT_CACHE_LIMIT) savepointCache.set(name, statements);
  }
  return statements;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
