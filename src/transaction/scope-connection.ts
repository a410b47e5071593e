import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { ambientScope } from './transaction-storage.js';
import type { TransactionScope } from './transaction-scope.js';

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

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const release = await this.#turn();
    let pending: Promise<QueryResult<R>>;
    try {
      // executeQuery queues the statement on the pg client synchronously, so the
      // lock is only needed until then: order is fixed by pg's own queue.
      pending = this.scope.connection.executeQuery<R>(compiledQuery);
    } finally {
      release();
    }
    return pending;
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const release = await this.#turn();
    const rows = this.scope.connection.streamQuery<R>(compiledQuery, chunkSize);
    let first: Promise<IteratorResult<QueryResult<R>>>;
    try {
      first = rows.next();
    } finally {
      release();
    }
    const head = await first;
    if (head.done) return;
    yield head.value;
    yield* rows;
  }

  async #turn(): Promise<() => void> {
    this.scope.assertUsable();
    if (this.scope.encloses(ambientScope(this.scope.owner))) return () => {};
    await this.scope.lock.acquire();
    try {
      this.scope.assertUsable();
    } catch (error) {
      this.scope.lock.release();
      throw error;
    }
    return () => this.scope.lock.release();
  }
}
