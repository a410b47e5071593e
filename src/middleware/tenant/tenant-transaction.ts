import { sql } from 'kysely';
import type { Database } from '../../database.js';
import type { DatabaseTransaction } from '../../transaction/database-transaction.js';
import { requireTenant } from './tenant-context.js';

/**
 * `db.transaction(fn)` with the current tenant set for row-level security
 * (`set_config(setting, tenant, true)`), for raw SQL and custom finders in `rls` mode.
 * Throws `TenantRequiredError` outside `withTenant()`.
 *
 * ```ts
 * await withTenant('acme', () => tenantTransaction(db, (tx) => sql`select * from orders`.execute(tx)))
 * ```
 */
export async function tenantTransaction<DB, T>(db: Database<DB>, fn: (tx: DatabaseTransaction<DB>) => Promise<T>, options: { setting?: string } = {}): Promise<T> {
  const tenant = requireTenant('tenantTransaction()');
  return db.transaction(async (tx) => {
    await sql`select set_config(${options.setting ?? 'app.tenant_id'}, ${String(tenant)}, true)`.execute(tx);
    return fn(tx);
  });
}
