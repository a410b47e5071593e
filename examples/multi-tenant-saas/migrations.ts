import type { MigrationDb, MigrationModule } from '@org/data-layer';
import { tenantPolicySql } from '@org/data-layer';
import { sql } from 'kysely';

/**
 * Row-level security does not apply to superusers, so the service's requests run as a
 * plain role: `appRole`, created here (with `password`) when missing and granted only
 * what requests need. Migrations and seeders keep using the owner's connection.
 */
export interface AppRole {
  name: string;
  password: string;
}

const role = (appRole: AppRole) => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(appRole.name)) throw new Error(`Invalid role name ${appRole.name}`);
  return sql.id(appRole.name);
};

/** The shared schema: tenants, RLS-protected projects, and the application role. */
export function sharedMigrations(appRole: AppRole): Record<string, MigrationModule> {
  return {
    '0001_create_tenants': {
      async up(db: MigrationDb) {
        await db.schema
          .createTable('tenants')
          .addColumn('id', 'text', (column) => column.primaryKey())
          .addColumn('name', 'text', (column) => column.notNull())
          .addColumn('domain', 'text', (column) => column.notNull().unique())
          .addColumn('status', 'text', (column) =>
            column
              .notNull()
              .defaultTo('active')
              .check(sql`status in ('active', 'suspended')`),
          )
          .addColumn('schema_name', 'text', (column) => column.notNull().unique())
          .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
          .execute();
      },
      async down(db: MigrationDb) {
        await db.schema.dropTable('tenants').execute();
      },
    },
    '0002_create_projects': {
      async up(db: MigrationDb) {
        await db.schema
          .createTable('projects')
          .addColumn('id', 'serial', (column) => column.primaryKey())
          .addColumn('tenant_id', 'text', (column) => column.notNull().references('tenants.id'))
          .addColumn('name', 'text', (column) => column.notNull())
          .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
          .addUniqueConstraint('projects_tenant_name_key', ['tenant_id', 'name'])
          .execute();
        // Only rows of the tenant set by tenantFilter({ mode: 'rls' }) are visible or writable.
        await sql.raw(tenantPolicySql({ table: 'projects' })).execute(db);
      },
      async down(db: MigrationDb) {
        await db.schema.dropTable('projects').execute();
      },
    },
    '0003_grant_app_role': {
      async up(db: MigrationDb) {
        const name = role(appRole);
        const exists = await sql`select 1 from pg_roles where rolname = ${appRole.name}`.execute(db);
        if (exists.rows.length === 0)
          await sql`create role ${name} login password ${sql.lit(appRole.password)}`.execute(db);
        await sql`grant usage on schema ${sql.id(await currentSchema(db))} to ${name}`.execute(db);
        await sql`grant select on tenants to ${name}`.execute(db);
        await sql`grant select, insert, update, delete on projects to ${name}`.execute(db);
        await sql`grant usage on sequence projects_id_seq to ${name}`.execute(db);
      },
      async down(db: MigrationDb) {
        await sql`revoke all on tenants, projects from ${role(appRole)}`.execute(db);
        await sql`revoke usage on sequence projects_id_seq from ${role(appRole)}`.execute(db);
      },
    },
  };
}

/** What every tenant schema holds, applied to each by `migrateTenants` with its own ledger. */
export function tenantMigrations(appRole: AppRole): Record<string, MigrationModule> {
  return {
    '0001_create_activity': {
      async up(db: MigrationDb) {
        await db.schema
          .createTable('activity')
          .addColumn('id', 'serial', (column) => column.primaryKey())
          .addColumn('action', 'text', (column) => column.notNull())
          .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
          .execute();
        const name = role(appRole);
        await sql`grant usage on schema ${sql.id(await currentSchema(db))} to ${name}`.execute(db);
        await sql`grant select, insert on activity to ${name}`.execute(db);
        await sql`grant usage on sequence activity_id_seq to ${name}`.execute(db);
      },
      async down(db: MigrationDb) {
        await db.schema.dropTable('activity').execute();
      },
    },
  };
}

/** The schema the migrator runs in (it sets `search_path` to it). */
async function currentSchema(db: MigrationDb): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]!.schema;
}
