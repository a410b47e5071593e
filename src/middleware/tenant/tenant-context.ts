import { AsyncLocalStorage } from 'node:async_hooks';

import { TenantRequiredError } from '../../errors/application-errors.js';
import { type TransactionMark, transactionMark } from '../../transaction/transaction-storage.js';

/**
 * A tenant identifier: what the tenant column holds.
 *
 * @example
 * ```ts
 * const tenant: TenantId = req.headers['x-tenant'] ?? 'public'
 * await withTenant(tenant, () => orders.findMany())
 * ```
 */
export type TenantId = string | number | bigint;

/** The current tenant, and where in the transaction nesting it came into force. */
export interface TenantFrame {
  readonly tenant: TenantId;
  /**
   * The transaction ambient when this tenant came into force (re-entering the same
   * tenant keeps the outer mark). A transaction that began after it belongs to this
   * tenant; one that was already open serves another tenant's (or no tenant's) code.
   */
  readonly since: TransactionMark;
}

const tenantStorage = new AsyncLocalStorage<TenantFrame>();

/**
 * Runs `fn` with `tenantId` as the current tenant for everything it does, across awaits,
 * timers and `Promise.all` (AsyncLocalStorage). Nested calls switch the tenant for their
 * own callback only. Works inside and around `db.transaction()`.
 *
 * @example
 * ```ts
 * app.use((req, res, next) => withTenant(req.user.tenantId, next))
 * ```
 */
export function withTenant<T>(tenantId: TenantId, fn: () => T): T {
  if (tenantId === '' || tenantId === null || tenantId === undefined) {
    throw new TenantRequiredError('withTenant() needs a non-empty tenant id');
  }
  const outer = tenantStorage.getStore();
  if (outer !== undefined && String(outer.tenant) === String(tenantId) && typeof outer.tenant === typeof tenantId)
    return fn();
  return tenantStorage.run({ tenant: tenantId, since: transactionMark() }, fn);
}

/**
 * The current tenant, or undefined outside `withTenant()`.
 *
 * @example
 * ```ts
 * await withTenant('acme', async () => {
 *   console.log(currentTenant()) // 'acme'
 * })
 * console.log(currentTenant()) // undefined
 * ```
 */
export function currentTenant(): TenantId | undefined {
  return tenantStorage.getStore()?.tenant;
}

/** The current tenant frame, or a `TenantRequiredError`: tenant-scoped work fails closed. */
export function requireTenantFrame(what: string): TenantFrame {
  const frame = tenantStorage.getStore();
  if (frame === undefined) {
    throw new TenantRequiredError(
      `${what} is tenant-scoped and no tenant is set: wrap the work in withTenant(tenantId, ...)`,
    );
  }
  return frame;
}

/** The current tenant, or a `TenantRequiredError`: tenant-scoped work fails closed. */
export function requireTenant(what: string): TenantId {
  return requireTenantFrame(what).tenant;
}
