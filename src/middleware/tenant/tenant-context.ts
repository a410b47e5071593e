import { AsyncLocalStorage } from 'node:async_hooks';
import { TenantRequiredError } from '../../errors/application-errors.js';

/** A tenant identifier: what the tenant column holds. */
export type TenantId = string | number | bigint;

const tenantStorage = new AsyncLocalStorage<TenantId>();

/**
 * Runs `fn` with `tenantId` as the current tenant for everything it does, across awaits,
 * timers and `Promise.all` (AsyncLocalStorage). Nested calls switch the tenant for their
 * own callback only. Works inside and around `db.transaction()`.
 *
 * ```ts
 * app.use((req, res, next) => withTenant(req.auth.tenantId, next))
 * ```
 */
export function withTenant<T>(tenantId: TenantId, fn: () => T): T {
  if (tenantId === '' || tenantId === null || tenantId === undefined) {
    throw new TenantRequiredError('withTenant() needs a non-empty tenant id');
  }
  return tenantStorage.run(tenantId, fn);
}

/** The current tenant, or undefined outside `withTenant()`. */
export function currentTenant(): TenantId | undefined {
  return tenantStorage.getStore();
}

/** The current tenant, or a `TenantRequiredError`: tenant-scoped work fails closed. */
export function requireTenant(what: string): TenantId {
  const tenant = tenantStorage.getStore();
  if (tenant === undefined) {
    throw new TenantRequiredError(`${what} is tenant-scoped and no tenant is set: wrap the work in withTenant(tenantId, ...)`);
  }
  return tenant;
}
