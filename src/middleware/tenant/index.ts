export { withTenant, currentTenant } from './tenant-context.js';
export type { TenantId } from './tenant-context.js';
export { tenantFilter } from './tenant-filter.js';
export type { TenantFilterOptions } from './tenant-filter.js';
export { tenantPolicySql } from './tenant-policy.js';
export type { TenantPolicyOptions } from './tenant-policy.js';
export { tenantTransaction } from './tenant-transaction.js';
