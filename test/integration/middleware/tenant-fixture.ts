import { type ColumnType, type Generated, sql } from 'kysely';

import type { Database, DatabaseOptions } from '../../../src/index.js';
import { allowThroughPgBouncer, projectConnection } from '../../support/test-database.js';

export interface OrdersTable {
  id: Generated<number>;
  /** Stamped by the tenant filter: optional on insert, never updated. */
  tenant_id: ColumnType<string, string | undefined, never>;
  ref: string;
  amount: number;
}
export interface CountriesTable {
  code: string;
  name: string;
}
export interface TenantDB {
  orders: OrdersTable;
  countries: CountriesTable;
}

export async function createTenantTables(db: Database<TenantDB>): Promise<void> {
  await sql`
    create table orders (id serial primary key, tenant_id text not null, ref text not null, amount int not null, unique (tenant_id, ref));
    create table countries (code text primary key, name text not null);
    insert into countries values ('fr', 'France'), ('jp', 'Japan');
  `.execute(db.kysely);
}

export const TENANTS = ['acme', 'globex'] as const;

export interface AppRole {
  /** Its direct URL. */
  url: string;
  /** How this vitest project connects as it: `url`, or through the shared PgBouncer. */
  options: Pick<DatabaseOptions, 'connectionString' | 'pooler'>;
  drop: () => Promise<void>;
}

/**
 * A login role without superuser or BYPASSRLS, so row-level security applies to it, with
 * read and write rights on `schema`. Returns the connection string to use and a cleanup.
 */
export async function createAppRole<DB>(
  admin: Database<DB>,
  databaseUrl: string,
  schema: string,
  label: string,
): Promise<AppRole> {
  const role = `dl_${label}_${process.pid}_${Date.now() % 100_000}`;
  await sql.raw(`create role ${role} login`).execute(admin.kysely);
  await sql.raw(`grant usage on schema "${schema}" to ${role}`).execute(admin.kysely);
  await sql
    .raw(`grant select, insert, update, delete on all tables in schema "${schema}" to ${role}`)
    .execute(admin.kysely);
  await sql.raw(`grant usage on all sequences in schema "${schema}" to ${role}`).execute(admin.kysely);
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  await allowThroughPgBouncer(role);
  return {
    url: url.toString(),
    // In the pgbouncer project, through the shared PgBouncer as this role.
    options: projectConnection(url.toString()),
    drop: async () => void (await sql.raw(`drop owned by ${role}; drop role if exists ${role}`).execute(admin.kysely)),
  };
}
