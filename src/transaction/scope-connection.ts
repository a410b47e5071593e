import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';

import { queueSetLocal, queueStatementSettings } from './local-settings.js';
import { rejectWith } from './reject-with.js';
import type { TransactionScope } from './transaction-scope.js';
import { ambientScope } from './transaction-storage.js';

/**
 * The connection a scope's statements run on. Each statement first waits for the
 * scope's lock, so while a nested savepoint is open, statements of the outer scope
 * queue behind it instead of landing inside the savepoint (and vanishing if it rolls
 * back). Work nested under the lock holder skips the wait: it is part of that work.
 */
export class ScopeConnection implements DatabaseConnection {
  readonly scope: TransactionScope;

  constructor(scope: TransactionScope) {
    this.scope = scope;
  }

  // Not async, and no closure: this runs for every statement of every transaction, and
  // each extra promise also pays for the AsyncLocalStorage hooks.
  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      if (this.#mayQueueNow()) return this.#queue<R>(compiledQuery);
    } catch (error) {
      return rejectWith(error);
    }
    return this.#inTurnWaiting(() => this.#queue<R>(compiledQuery));
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    let settings: Promise<void> | undefined;
    let rows: AsyncIterableIterator<QueryResult<R>> | undefined;
    const head = await this.inTurn(() => {
      settings = queueStatementSettings(this.scope);
      rows = this.scope.connection.streamQuery<R>(compiledQuery, chunkSize);
      const first = rows.next();
      return settings === undefined ? first : afterSettings(settings, first);
    });
    if (head.done || rows === undefined) return;
    yield head.value;
    yield* rows;
  }

  /**
   * Runs `enqueue` (which must queue its statements synchronously) in this scope's turn.
   * executeQuery queues the statement on the pg client synchronously, so the lock is
   * only needed until then: order is fixed by pg's own queue. When nobody holds the
   * lock (no open savepoint, no waiter), or the caller runs nested under its holder,
   * the turn is now: `enqueue` runs synchronously, exactly where taking and releasing
   * the lock would have put it, without a tick of waiting.
   */
  inTurn<T>(enqueue: () => Promise<T>): Promise<T> {
    try {
      if (this.#mayQueueNow()) return enqueue();
    } catch (error) {
      return rejectWith(error);
    }
    return this.#inTurnWaiting(enqueue);
  }

  /** Queues the settings the current context needs, then the statement (the caller has the turn). */
  #queue<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    // Raw SQL and repository statements alike run with the settings the current context
    // needs (the tenant, in rls mode): a statement of another tenant's context, run on
    // this transaction, gets its own set_config first. Queued together, in one turn.
    const settings = queueStatementSettings(this.scope);
    const result = this.scope.connection.executeQuery<R>(compiledQuery);
    return settings === undefined ? result : afterSettings(settings, result);
  }

  /** Throws unless the scope is usable; true when a statement may be queued right now. */
  #mayQueueNow(): boolean {
    const { scope } = this;
    scope.assertUsable();
    return !scope.lock.held || scope.encloses(ambientScope(scope.owner));
  }

  async #inTurnWaiting<T>(enqueue: () => Promise<T>): Promise<T> {
    const { scope } = this;
    await scope.lock.acquire();
    try {
      scope.assertUsable();
      return enqueue();
    } finally {
      scope.lock.release();
    }
  }
}

/** The statement's outcome once the settings queued before it are in: a failed setting wins. */
async function afterSettings<T>(settings: Promise<void>, statement: Promise<T>): Promise<T> {
  const [set, result] = await Promise.allSettled([settings, statement]);
  if (set.status === 'rejected') throw set.reason;
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/**
 * `set_config(name, value, true)` in `scope`, skipped when the value is already in
 * force there. Runs in the scope's turn like any statement of the scope.
 */
export async function setScopeLocal(scope: TransactionScope, name: string, value: string): Promise<void> {
  if (scope.locals.get(name) === value) return;
  await scope.statements.inTurn(() => queueSetLocal(scope, name, value));
}
