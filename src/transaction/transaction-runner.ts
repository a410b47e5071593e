import { CompiledQuery } from 'kysely';
import pRetry from 'p-retry';

import type { PgConnection } from '../driver/pg-connection.js';
import type { PgDriver } from '../driver/pg-driver.js';
import { DeadlockError, SerializationFailureError } from '../errors/query-errors.js';
import { describeError } from '../logging/describe-error.js';
import type { Logger } from '../logging/logger.js';
import type { DatabaseTransaction } from './database-transaction.js';
import { restoreLocalSettings, type StatementSettings } from './local-settings.js';
import { rejectWith } from './reject-with.js';
import {
  assertNestable,
  parseTransactionOptions,
  type TransactionOptions,
  type TransactionSettings,
} from './transaction-options.js';
import { TransactionScope } from './transaction-scope.js';
import { ambientScope, transactionStorage } from './transaction-storage.js';

/**
 * Transaction counters (`db.metrics().transactions`): open now, committed, rolled back, retried.
 *
 * @example
 * ```ts
 * const { active, retries }: TransactionMetrics = db.metrics().transactions
 * if (retries > 100) logger.warn({ active, retries }, 'many serialization retries: check contention')
 * ```
 */
export interface TransactionMetrics {
  /** Outermost transactions open right now. */
  active: number;
  committed: number;
  rolledBack: number;
  /** Callback re-runs after serialization failures or deadlocks. */
  retries: number;
}

export interface TransactionRunnerOptions<DB> {
  driver: PgDriver;
  owner: object;
  logger: Logger;
  handleFor: (scope: TransactionScope) => DatabaseTransaction<DB>;
  /** Settings every statement of a transaction must run with in its context (middleware). */
  statementSettings?: StatementSettings;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Backoff between attempts of a retried transaction (p-retry, exponential with jitter). */
const RETRY_BACKOFF = { factor: 2, minTimeout: 10, maxTimeout: 1_000, randomize: true } as const;

/**
 * Runs `db.transaction()` callbacks: BEGIN for the outermost call, SAVEPOINT for nested
 * ones (serialized through the parent's lock), retries of the outermost call on 40001
 * and 40P01, after-commit and after-rollback hooks, and the guarantee that the
 * connection goes back to the pool (destroyed if its state is unknown).
 */
export class TransactionRunner<DB> {
  readonly #options: TransactionRunnerOptions<DB>;
  readonly #metrics: TransactionMetrics = { active: 0, committed: 0, rolledBack: 0, retries: 0 };

  constructor(options: TransactionRunnerOptions<DB>) {
    this.#options = options;
  }

  metrics(): TransactionMetrics {
    return { ...this.#metrics };
  }

  // Not async: an async wrapper that returns a promise costs extra ticks per transaction.
  // Synchronous up to the first await: the ambient scope is read at call time.
  run<T>(fn: (tx: DatabaseTransaction<DB>) => Promise<T>, rawOptions?: TransactionOptions): Promise<T> {
    try {
      const options = parseTransactionOptions(rawOptions);
      const parent = ambientScope(this.#options.owner);
      if (parent === undefined) {
        if (!options.retries) return this.#attempt(fn, options);
        return this.#retrying(() => this.#attempt(fn, options), options);
      }
      // Inside a per-test transaction (withRollback) the code under test runs unchanged:
      // options a savepoint cannot honour are accepted, and retries re-run the savepoint.
      if (parent.perTest && options.retries) return this.#retrying(() => this.#nested(parent, fn, options), options);
      if (!parent.perTest) assertNestable(options, parent.settings);
      return this.#nested(parent, fn, options);
    } catch (error) {
      return rejectWith(error);
    }
  }

  /**
   * Runs `fn` as an outermost transaction on a connection of `driver` instead of the
   * primary's: a replica's, for a read-only transaction routed like a plain read
   * (`ReplicaReadTransactions`). The caller checks that no transaction is ambient.
   */
  runOn<T>(
    driver: PgDriver,
    fn: (tx: DatabaseTransaction<DB>) => Promise<T>,
    rawOptions: TransactionOptions,
  ): Promise<T> {
    try {
      return this.#attempt(fn, parseTransactionOptions(rawOptions), driver);
    } catch (error) {
      return rejectWith(error);
    }
  }

  /**
   * Re-runs `attempt` on serialization failures and deadlocks, up to `options.retries`
   * times, with backoff. Whatever the callback threw (even a non-Error, which p-retry
   * would replace with its own TypeError) reaches the caller unchanged.
   */
  async #retrying<T>(attempt: () => Promise<T>, options: TransactionOptions): Promise<T> {
    try {
      return await pRetry(
        () =>
          attempt().catch((error: unknown) => Promise.reject(error instanceof Error ? error : new ThrownValue(error))),
        {
          ...RETRY_BACKOFF,
          retries: options.retries,
          shouldRetry: ({ error }) => isConflict(error) && !options.signal?.aborted,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft === 0 || !isConflict(error)) return;
            this.#metrics.retries++;
            this.#options.logger.warn(
              { attempt: attemptNumber, retriesLeft, code: error.code },
              'transaction failed with a retryable error; re-running it',
            );
          },
        },
      );
    } catch (error) {
      throw error instanceof ThrownValue ? error.value : error;
    }
  }

  async #attempt<T>(
    fn: (tx: DatabaseTransaction<DB>) => Promise<T>,
    options: TransactionOptions,
    driver: PgDriver = this.#options.driver,
  ): Promise<T> {
    const { owner } = this.#options;
    const settings: TransactionSettings =
      options.isolationLevel === undefined && options.accessMode === undefined
        ? DEFAULT_SETTINGS
        : { isolationLevel: options.isolationLevel, accessMode: options.accessMode };
    const connection = await driver.acquireConnection();
    const scope = new TransactionScope({
      connection,
      owner,
      settings,
      enclosing: transactionStorage.getStore(),
      statementSettings: this.#options.statementSettings,
    });
    const stopWatching = watchSignal(scope, options.signal);
    this.#metrics.active++;
    let outcome: Outcome<T>;
    let ended = false;
    try {
      scope.assertUsable();
      await driver.beginTransaction(connection, settings);
      if (options.statementTimeoutMs !== undefined)
        await setLocalStatementTimeout(connection, String(options.statementTimeoutMs));
      const value = await transactionStorage.run(scope, fn, this.#options.handleFor(scope));
      throwIfAborted(scope);
      ended = true;
      const ending = endScope(scope);
      if (ending) await ending;
      await driver.commitTransaction(connection);
      outcome = { ok: true, value };
    } catch (error) {
      if (!ended) {
        ended = true;
        const ending = endScope(scope);
        if (ending) await ending;
      }
      if (scope.active) await this.#quietly(connection, () => driver.rollbackTransaction(connection), 'ROLLBACK');
      outcome = { ok: false, error };
    } finally {
      if (ended) scope.lock.release();
      stopWatching();
      this.#metrics.active--;
      // PgConnection.release() is synchronous: no tick spent awaiting the driver's promise.
      connection.release();
    }
    // Hooks run after the connection is back in the pool, outside this transaction.
    if (outcome.ok) {
      this.#metrics.committed++;
      const hooks = scope.committed();
      if (hooks.length > 0) await this.#runHooks(hooks, [], 'afterCommit');
      return outcome.value;
    }
    this.#metrics.rolledBack++;
    const hooks = scope.rolledBack();
    if (hooks.length > 0) await this.#runHooks(hooks, [outcome.error], 'afterRollback');
    throw outcome.error;
  }

  async #nested<T>(
    parent: TransactionScope,
    fn: (tx: DatabaseTransaction<DB>) => Promise<T>,
    options: TransactionOptions,
  ): Promise<T> {
    parent.assertUsable();
    const { driver, owner } = this.#options;
    const { connection } = parent;
    // Siblings (Promise.all of nested transactions) and the parent's own statements
    // queue here in call order; the savepoint owns the connection until it ends.
    if (!parent.lock.tryAcquire()) await parent.lock.acquire();
    const scope = new TransactionScope({
      connection,
      owner,
      settings: parent.settings,
      parent,
      enclosing: transactionStorage.getStore(),
    });
    const name = scope.savepointName ?? '';
    const stopWatching = watchSignal(scope, options.signal);
    let outcome: Outcome<T>;
    let ended = false;
    try {
      parent.assertUsable();
      scope.assertUsable();
      await driver.savepoint(connection, name);
      const restoreTimeout =
        options.statementTimeoutMs === undefined
          ? undefined
          : await overrideStatementTimeout(connection, options.statementTimeoutMs);
      const value = await transactionStorage.run(scope, fn, this.#options.handleFor(scope));
      throwIfAborted(scope);
      ended = true;
      const ending = endScope(scope);
      if (ending) await ending;
      // Local settings survive RELEASE: put back what this scope changed first, inside the
      // savepoint, so a failed restore is undone by the ROLLBACK TO below (fails closed).
      if (scope.locals.changed) await restoreLocalSettings(connection, scope.locals);
      await driver.releaseSavepoint(connection, name);
      // SET LOCAL outlives RELEASE SAVEPOINT; put the outer scope's timeout back.
      if (restoreTimeout !== undefined) await setLocalStatementTimeout(connection, restoreTimeout);
      scope.released();
      outcome = { ok: true, value };
    } catch (error) {
      if (!ended) {
        ended = true;
        const ending = endScope(scope);
        if (ending) await ending;
      }
      // ROLLBACK TO also undoes this scope's SET LOCAL.
      if (scope.active)
        await this.#quietly(connection, () => driver.rollbackToSavepoint(connection, name), 'ROLLBACK TO SAVEPOINT');
      outcome = { ok: false, error };
    } finally {
      if (ended) scope.lock.release();
      stopWatching();
      parent.lock.release();
    }
    if (outcome.ok) return outcome.value;
    const hooks = scope.rolledBack();
    if (hooks.length > 0) await this.#runHooks(hooks, [outcome.error], 'afterRollback');
    throw outcome.error;
  }

  /** Runs a rollback; if it fails the connection's state is unknown, so it is destroyed on release. */
  async #quietly(connection: PgConnection, rollback: () => Promise<void>, what: string): Promise<void> {
    try {
      await rollback();
    } catch (error) {
      connection.markBroken();
      this.#options.logger.warn({ err: describeError(error) }, `${what} failed; the connection will be discarded`);
    }
  }

  async #runHooks<Args extends unknown[]>(
    hooks: Array<(...args: Args) => void | Promise<void>>,
    args: Args,
    kind: string,
  ): Promise<void> {
    for (const hook of hooks) {
      try {
        await hook(...args);
      } catch (error) {
        this.#options.logger.error(
          { err: describeError(error) },
          `${kind} hook failed; the transaction outcome is unchanged`,
        );
      }
    }
  }
}

/** Carries a non-Error thrown by a callback through p-retry, which only accepts Errors. */
class ThrownValue extends Error {
  constructor(readonly value: unknown) {
    super('a transaction callback threw a value that is not an Error');
  }
}

function isConflict(error: unknown): error is SerializationFailureError | DeadlockError {
  return error instanceof SerializationFailureError || error instanceof DeadlockError;
}

/**
 * Waits for nested work still running in the scope (a savepoint the callback did not
 * await), then refuses new statements, so nothing can land after the scope's COMMIT or
 * ROLLBACK (outside the transaction, committed on its own). The caller then holds the
 * scope's lock and releases it when the scope is over. Without nested work in flight
 * (the lock is free) this is synchronous: the caller skips the await.
 */
function endScope(scope: TransactionScope): Promise<void> | undefined {
  if (scope.lock.tryAcquire()) {
    scope.end();
    return undefined;
  }
  return scope.lock.acquire().then(() => scope.end());
}

const DEFAULT_SETTINGS: TransactionSettings = Object.freeze({ isolationLevel: undefined, accessMode: undefined });
const NOTHING_TO_STOP = (): void => {};

function watchSignal(scope: TransactionScope, signal: AbortSignal | undefined): () => void {
  if (!signal) return NOTHING_TO_STOP;
  if (signal.aborted) {
    scope.abort(signal.reason);
    return NOTHING_TO_STOP;
  }
  const onAbort = () => scope.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

function throwIfAborted(scope: TransactionScope): void {
  const error = scope.abortError;
  if (error) throw error;
}

async function setLocalStatementTimeout(connection: PgConnection, value: string): Promise<void> {
  await connection.executeQuery(CompiledQuery.raw(`select set_config('statement_timeout', $1, true)`, [value]));
}

/** Sets a scope's timeout and returns the value to restore when the scope is released. */
async function overrideStatementTimeout(connection: PgConnection, ms: number): Promise<string> {
  const { rows } = await connection.executeQuery<{ previous: string }>(
    CompiledQuery.raw(`select current_setting('statement_timeout') as previous`),
  );
  await setLocalStatementTimeout(connection, String(ms));
  return rows[0]?.previous ?? '0';
}
