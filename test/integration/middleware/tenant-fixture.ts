import { type ColumnType, type Generated, sql } from 'kysely';
import type { Database } from '../../../src/index.js';

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
