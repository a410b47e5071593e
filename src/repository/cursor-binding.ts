import { currentTenant } from '../middleware/tenant/tenant-context.js';
import { canonicalJson } from './cursor-signing.js';

/**
 * What a cursor is bound to: the table, the `where` filter, the middleware scope (a
 * tenant filter's column, ...) and the current tenant, which rls mode enforces without
 * a scope. A cursor used with any other of them is refused. As canonical JSON (computed
 * once per page: decoding the cursor and encoding the next both digest it).
 *
 * ```ts
 * cursorBinding('orders', { status: 'open' }, op.scope) // '{"scope":{},"table":"orders","tenant":"acme","where":{"status":"open"}}'
 * ```
 */
export function cursorBinding(table: string, where: unknown, scope: Readonly<Record<string, unknown>>): string {
  const tenant = currentTenant();
  return canonicalJson({ table, where: where ?? null, scope, tenant: tenant === undefined ? null : String(tenant) });
}
