import { defineSeeder } from '@org/data-layer';
import { sql } from 'kysely';

import type { SaasDB } from './schema.js';

/** Tenant schemas are named after the main schema, so several copies of the app can share a server. */
export const tenantSchemaName = (mainSchema: string, tenantId: string) =>
  mainSchema === 'public' ? `tenant_${tenantId}` : `${mainSchema}_${tenantId}`;

/** The tenants and their domains; one of them suspended. */
export function tenantsSeeder(mainSchema: string) {
  return defineSeeder<SaasDB>({
    name: 'saas:tenants',
    run: async ({ db }) => {
      await db
        .insertInto('tenants')
        .values([
          {
            id: 'acme',
            name: 'Acme Corp',
            domain: 'acme.localhost',
            status: 'active',
            schema_name: tenantSchemaName(mainSchema, 'acme'),
          },
          {
            id: 'globex',
            name: 'Globex',
            domain: 'globex.localhost',
            status: 'active',
            schema_name: tenantSchemaName(mainSchema, 'globex'),
          },
          {
            id: 'initech',
            name: 'Initech',
            domain: 'initech.localhost',
            status: 'suspended',
            schema_name: tenantSchemaName(mainSchema, 'initech'),
          },
        ])
        .execute();
    },
  });
}

/** A `TenantSeeder`: each tenant's base data, run once per tenant inside `withTenant`. */
export const tenantBaseSeeder = defineSeeder<SaasDB>({
  name: 'saas:tenant-base',
  tenant: true,
  dependsOn: ['saas:tenants'],
  run: async ({ db, tenant }) => {
    // The owner bypasses RLS only as a superuser; setting the tenant works for any owner (FORCE RLS).
    await sql`select set_config('app.tenant_id', ${String(tenant)}, true)`.execute(db);
    await db
      .insertInto('projects')
      .values({ tenant_id: String(tenant), name: 'Getting started' })
      .execute();
  },
});

/** The `DatabaseSeeder`: a seeder that only depends on the others, so running it runs them all. */
export const databaseSeeder = defineSeeder<SaasDB>({
  name: 'saas:database',
  dependsOn: ['saas:tenants', 'saas:tenant-base'],
  run: async () => {},
});
