export type { TenantId } from './tenant-context.js';
export { currentTenant, withTenant } from './tenant-context.js';
export type { TenantFilterOptions } from './tenant-filter.js';
export { tenantFilter } from './tenant-filter.js';
export type { TenantPolicyOptions } from './tenant-policy.js';
export { tenantPolicySql } from './tenant-policy.js';
export { tenantTransaction } from './tenant-transaction.js';
