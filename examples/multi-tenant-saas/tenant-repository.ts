import { BaseRepository, type Database } from '@org/data-layer';

import type { SaasDB, Tenant } from './schema.js';

/**
 * The tenants table is shared reference data, read before any tenant is known, so it opts
 * out of the database-wide tenant middleware, explicitly (`skipMiddleware: ['tenant']`).
 */
export class TenantRepository extends BaseRepository<SaasDB, 'tenants'> {
  constructor(db: Database<SaasDB>) {
    super(db, { table: 'tenants', skipMiddleware: ['tenant'] });
  }

  /** The tenant serving `host` (a Host header, with or without its port). */
  findByDomain(host: string): Promise<Tenant | undefined> {
    return this.findOne({ domain: host.replace(/:\d+$/, '').toLowerCase() });
  }

  isActive(tenant: Tenant): boolean {
    return tenant.status === 'active';
  }
}
