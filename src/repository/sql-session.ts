import { CompiledQuery } from 'kysely';

import type { Database } from '../database.js';
import { TransactionError } from '../errors/application-errors.js';
import type { LocalSetting, SessionControl } from '../middleware/repository-middleware.js';
import { type ReadTransactionHandle, routedReadTransactions } from '../replicas/replica-read-transactions.js';
import { setScopeLocal } from '../transaction/scope-connection.js';
import type { TransactionScope } from '../transaction/transaction-scope.js';
import { ambientScope, begunWithin } from '../transaction/transaction-storage.js';
import { runCompiled } from './run-compiled.js';

/**
 * Session control for middleware of SQL repositories (the tenant filter's RLS mode).
 *
 * A transaction-local setting lives on the connection, not in the async context, so
 * the rule that keeps it from leaking is about scopes: a transaction scope only ever
 * holds the value it was opened for. Work whose value came into force inside the
 * ambient transaction (`withTenant('B', ...)` within a transaction of tenant A) gets a
 * savepoint of its own, which puts A back when it ends (see `LocalSettings`). The
 * common case, the value chosen before the transaction began, costs one `set_config`
 * per transaction, as before.
 */
export function sqlSession<DB>(db: Database<DB>): SessionControl {
  // The scope to join, if any. Only a Database that owns its scopes is recognised; any
  // other (a wrapper) gets a savepoint per operation, which is slower but equally safe.
  const joinable = (setting: LocalSetting): TransactionScope | undefined => {
    const scope = ambientScope(db);
    if (scope === undefined || !scope.active) return undefined;
    return scope.locals.get(setting.name) === setting.value || begunWithin(scope, setting.since) ? scope : undefined;
  };
  return {
    // Inside an ambient transaction the work joins it; otherwise it gets its own.
    inTransaction: (work) => (db.currentTransaction() ? work() : db.transaction(work)),
    setLocal: async (name, value) => {
      const transaction = db.currentTransaction();
      if (transaction === undefined)
        throw new TransactionError(
          'setLocal() needs a transaction: a transaction-local setting would end with its statement',
        );
      await transaction.setLocal(name, value);
    },
    joinsAmbient: (setting) => joinable(setting) !== undefined,
    // Runs where db.kysely would (ambient-aware), so this joins the transaction the caller runs in.
    query: async <R>(text: string, parameters: readonly unknown[] = []) => {
      const { rows } = await runCompiled<R>(db as Database<unknown>, CompiledQuery.raw(text, [...parameters]));
      return { rows: [...rows] };
    },
    withLocalSetting: async (setting, work) => {
      const scope = joinable(setting);
      if (scope !== undefined) {
        if (scope.locals.get(setting.name) !== setting.value) await setScopeLocal(scope, setting.name, setting.value);
        return work();
      }
      const withSetting = async (transaction: ReadTransactionHandle) => {
        await transaction.setLocal(setting.name, setting.value);
        return work();
      };
      // A read outside any transaction runs its short transaction READ ONLY where a plain
      // read would run (a replica, with the same fallback); anything else on the primary.
      const routed = routedReadTransactions(db);
      return routed ? routed.run(withSetting) : db.transaction(withSetting);
    },
  };
}
