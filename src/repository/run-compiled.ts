import type { CompiledQuery, ConnectionProvider, QueryResult } from 'kysely';

import type { Database } from '../database.js';

// Keyed by the database handle: the connection provider behind its `db.kysely`.
const providers = new WeakMap<object, ConnectionProvider>();

/**
 * Records the connection provider of a database handle's `db.kysely` (called once by
 * `createDatabase`), so repository statements can skip Kysely's executor.
 *
 * ```ts
 * registerStatementProvider(database, ambientProvider)
 * await runCompiled(database, CompiledQuery.raw('select 1')) // on ambientProvider's connection
 * ```
 */
export function registerStatementProvider(database: object, provider: ConnectionProvider): void {
  providers.set(database, provider);
}

/**
 * Runs a statement the repository already compiled: where every compiled repository
 * statement executes. On a database from `createDatabase` it goes straight to the
 * connection `db.kysely` would use (the ambient transaction's, a routed one with
 * replicas, else a pooled one, with strictTransactions checked there), so timing, the
 * slow-query hook, error mapping and prepared statements (all in the driver's
 * connection) apply as before. What it skips is Kysely's executor: three async
 * functions and a plugin loop per statement, for a `db.kysely` that has no plugins.
 * Any other `Database` (a wrapper) runs it through its `kysely` as before.
 */
export function runCompiled<R>(database: Database<unknown>, compiled: CompiledQuery): Promise<QueryResult<R>> {
  const provider = providers.get(database);
  if (provider === undefined) return database.kysely.executeQuery<R>(compiled);
  return provider.provideConnection((connection) => connection.executeQuery<R>(compiled));
}
