import type { RowOf } from '@org/data-layer';
import type { Generated } from 'kysely';

/** Shared tables (in the main schema), and `activity`, which lives in each tenant's own schema. */
export interface SaasDB {
  tenants: {
    id: string;
    name: string;
    domain: string;
    status: 'active' | 'suspended';
    /** The tenant's own schema, migrated by `migrateTenants`. */
    schema_name: string;
    created_at: Generated<Date>;
  };
  /** Shared by every tenant, isolated by row-level security on `tenant_id`. */
  projects: {
    id: Generated<number>;
    tenant_id: string;
    name: string;
    created_at: Generated<Date>;
  };
  activity: {
    id: Generated<number>;
    action: string;
    at: Generated<Date>;
  };
}

export type Tenant = RowOf<SaasDB, 'tenants'>;
export type Project = RowOf<SaasDB, 'projects'>;
