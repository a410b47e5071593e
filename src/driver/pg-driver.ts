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
  /**
   * `set local ...` for every transaction (PgBouncer in transaction mode, see
   * `localSettingsSql`); undefined when the settings are startup parameters or unset.
   */
  localSettings?: string | undefined;
}

/**
 * Kysely driver over a `pg.Pool`: the one choke point every statement passes through.
 * Written instead of wrapping kysely's PostgresDriver because that one hides the pg
 * client, so it can neither time acquisition nor destroy a broken connection.
 */
export class PgDriver implements Driver {
  readonly #options: PgDriverOptions;
  /** Acquisitions started and not yet granted or failed (a count: no Set work per acquire). */
  #acquiring = 0;
  /** Who waits in settleAcquisitions() for #acquiring to reach 0. */
  #onSettled: Array<() => void> = [];
  /** `begin; set local ...` (see `PgDriverOptions.localSettings`), or undefined. */
  #beginWithSettings: string | undefined;
  #begin: CompiledQuery = BEGIN;

  constructor(options: PgDriverOptions) {
    this.#options = options;
    this.moveSettingsIntoTransactions(options.localSettings);
  }

  /**
   * From now on every transaction this driver begins (and every autocommit statement, in a
   * transaction of its own) runs with `localSettings` (`set local ...`), sent with BEGIN in
   * one round trip. Connections already checked out keep what they had.
   */
  moveSettingsIntoTransactions(localSettings: string | undefined): void {
    this.#options.localSettings = localSettings;
    this.#beginWithSettings = localSettings === undefined ? undefined : `begin; ${localSettings}`;
    this.#begin = this.#beginWithSettings === undefined ? BEGIN : CompiledQuery.raw(this.#beginWithSettings);
  }

  async init(): Promise<void> {
    // The pool connects lazily on first use; nothing to do.
  }

  // Not async: one `.then` on the pool's promise for both outcomes (every pooled
  // statement and every transaction acquires once).
  acquireConnection(): Promise<PgConnection> {
    const options = this.#options;
    if (options.isClosed()) return rejected(new DatabaseClosedError('run a query'));
    const started = performance.now();
    let pending: Promise<PoolClient>;
    try {
      pending = options.pool.connect();
    } catch (error) {
      pending = rejected(error);
    }
    this.#acquiring++;
    return pending.then(
      (client) => {
        this.#acquisitionSettled();
        options.instrumentation.connectionAcquired(performance.now() - started);
        return new PgConnection(client, options.instrumentation, options.preparedStatements, this.#beginWithSettings);
      },
      (error: unknown) => {
        this.#acquisitionSettled();
        options.instrumentation.acquireFailed();
        if (options.isClosed()) throw new DatabaseClosedError('run a query');
        throw mapPostgresError(error, { connectionTimeoutMs: options.connectionTimeoutMs });
      },
    );
  }

  /**
   * Resolves once every acquisition already started has been granted or has failed.
   * pg-pool's end() orphans a connect() racing with it (the promise never settles),
   * so the database waits for these before ending the pool. Called once closed: no
   * acquisition starts any more, so waiting for none to be pending waits for exactly
   * those started before.
   */
  settleAcquisitions(): Promise<void> {
    if (this.#acquiring === 0) return Promise.resolve();
    return new Promise((resolve) => this.#onSettled.push(resolve));
  }

  #acquisitionSettled(): void {
    if (--this.#acquiring > 0 || this.#onSettled.length === 0) return;
    const waiting = this.#onSettled;
    this.#onSettled = [];
    for (const resolve of waiting) resolve();
  }

  // Transaction control runs several times per transaction: the statements are compiled
  // once (a CompiledQuery is immutable), and the methods return the connection's promise
  // (the tag is read inside it) instead of wrapping it in another async function or `.then`.
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
    // With transaction-local settings BEGIN carries them: one simple query, one round trip.
    // Savepoints need nothing: they inherit the transaction's settings.
    const local = this.#options.localSettings;
    const statement =
      settings.isolationLevel === undefined && settings.accessMode === undefined
        ? this.#begin
        : CompiledQuery.raw(local === undefined ? beginStatement(settings) : `${beginStatement(settings)}; ${local}`);
    return connection.begin(statement);
  }

  // BEGIN and SAVEPOINT go out with the next statement (PgConnection's DeferredControl).
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PgConnection).commit(COMMIT, rejectRolledBackCommit);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PgConnection).rollback(ROLLBACK);
  }

  savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return (connection as PgConnection).savepoint(name, savepointStatements(name).savepoint);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return (connection as PgConnection).rollbackToSavepoint(name, savepointStatements(name).rollbackTo);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return (connection as PgConnection).releaseSavepoint(name, savepointStatements(name).release);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PgConnection).release();
    return RESOLVED;
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

/** One settled promise for every release: awaiting a settled promise never changes it. */
const RESOLVED = Promise.resolve();

const BEGIN = CompiledQuery.raw('begin');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

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

/** A rejected promise, for the paths that are not async functions but must not throw synchronously. */
function rejected<T>(error: unknown): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows what was thrown, unchanged
  return Promise.reject(error);
}
