import type { ConnectionProvider, DatabaseConnection, Driver } from 'kysely';

import { TransactionError } from '../errors/application-errors.js';
import { rejectWith } from './reject-with.js';
import type { TransactionScope } from './transaction-scope.js';
import { ambientScope, transactionStorage } from './transaction-storage.js';

export interface AmbientProviderOptions {
  driver: Driver;
  owner: object;
  /** Throw instead of using the pool while another database's transaction is ambient. */
  strict: boolean;
}

/**
 * How `db.kysely` finds its connection: the ambient transaction of this database when
 * there is one (never silently the pool when that transaction has ended), else the pool.
 */
export class AmbientConnectionProvider implements ConnectionProvider {
  readonly #options: AmbientProviderOptions;

  constructor(options: AmbientProviderOptions) {
    this.#options = options;
  }

  // Not async in the transaction case: no extra promise per statement.
  provideConnection<T>(consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    const scope = ambientScope(this.#options.owner);
    if (scope) return consumer(scope.statements);
    return this.#pooled(consumer);
  }

  async #pooled<T>(consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    if (this.#options.strict && transactionStorage.getStore() !== undefined) {
      throw new TransactionError(
        'Query on a pooled connection inside a transaction of another database handle (strictTransactions): it would not see, or could block on, that transaction. Use db.outsideTransaction() if this is intended.',
      );
    }
    const { driver } = this.#options;
    const connection = await driver.acquireConnection();
    try {
      return await consumer(connection);
    } finally {
      await driver.releaseConnection(connection);
    }
  }
}

/** The provider behind a `tx` handle: always its own scope, and an error once it ended. */
export class ScopeConnectionProvider implements ConnectionProvider {
  readonly #scope: TransactionScope;

  constructor(scope: TransactionScope) {
    this.#scope = scope;
  }

  provideConnection<T>(consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    try {
      this.#scope.assertUsable();
    } catch (error) {
      return rejectWith(error);
    }
    return consumer(this.#scope.statements);
  }
}
