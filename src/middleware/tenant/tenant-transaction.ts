import type { Database } from '../../database.js';
import type { DatabaseTransaction } from '../../transaction/database-transaction.js';
import { requireTenant } from './tenant-context.js';

/**
 * `db.transaction(fn)` with the current tenant set for row-level security
 * (`set_config(setting, tenant, true)`), for raw SQL and custom finders in `rls` mode.
 * Throws `TenantRequiredError` outside `withTenant()`. Inside another transaction it is a
 * savepoint, and the enclosing transaction's setting is back in force when it ends.
 *
 * @example
 * ```ts
 * await withTenant('acme', () => tenantTransaction(db, (tx) => sql`select * from orders`.execute(tx)))
 * ```
 */
export async function tenantTransaction<DB, T>(
  db: Database<DB>,
  fn: (tx: DatabaseTransaction<DB>) => Promise<T>,
  options: { setting?: string } = {},
): Promise<T> {
  const tenant = requireTenant('tenantTransaction()');
  // tx.setLocal, not raw set_config: nested, this is a savepoint, and its tenant must
  // not stay in force for the enclosing transaction after it is released.
  return db.transaction(async (tx) => {
    await tx.setLocal(options.setting ?? 'app.tenant_id', String(tenant));
    return fn(tx);
  });
}
