import { currentTenant } from '../middleware/tenant/tenant-context.js';

/**
 * What a cursor is bound to: the table, the `where` filter, the middleware scope (a
 * tenant filter's column, ...) and the current tenant, which rls mode enforces without
 * a scope. A cursor used with any other of them is refused.
 *
 * ```ts
 * cursorBinding('orders', { status: 'open' }, op.scope) // { table: 'orders', where: ..., scope: ..., tenant: 'acme' }
 * ```
 */
export function cursorBinding(
  table: string,
  where: unknown,
  scope: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const tenant = currentTenant();
  return { table, where: where ?? null, scope, tenant: tenant === undefined ? null : String(tenant) };
}
