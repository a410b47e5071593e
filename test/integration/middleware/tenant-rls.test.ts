import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  BaseRepository,
  createDatabase,
  type Database,
  QueryError,
  tenantFilter,
  tenantPolicySql,
  TenantRequiredError,
  tenantTransaction,
  TransactionError,
  withTenant,
} from '../../../src/index.js';
import {
  allowThroughPgBouncer,
  isRealServer,
  projectConnection,
  useTestDatabase,
} from '../../support/test-database.js';
import { createTenantTables, type TenantDB } from './tenant-fixture.js';

// Superusers bypass row-level security, so the application connects as a plain role.
const t = useTestDatabase<TenantDB>('tenant_rls');
const role = `dl_app_${process.pid}_${Date.now() % 100_000}`;
const databases: Array<Database<TenantDB>> = [];

function connectAsApp(mode: 'rls' | 'both'): Database<TenantDB> {
  const url = new URL(inject('databaseUrl'));
  url.username = role;
  url.password = '';
  const db = createDatabase<TenantDB>({
    ...projectConnection(url.toString()),
    searchPath: [t.schema],
    logger: 'silent',
    middleware: [tenantFilter({ mode })],
  });
  databases.push(db);
  return db;
}

describe.runIf(isRealServer())('tenantFilter in rls mode, with a non-superuser role', () => {
  beforeAll(async () => {
    await createTenantTables(t.db);
    await sql.raw(tenantPolicySql({ table: 'orders' })).execute(t.db.kysely);
    await sql`insert into orders (tenant_id, ref, amount) values ('acme', 'a1', 1), ('acme', 'a2', 2), ('globex', 'g1', 3)`.execute(
      t.db.kysely,
    );
    await sql.raw(`create role ${role} login`).execute(t.db.kysely);
    await sql.raw(`grant usage on schema "${t.schema}" to ${role}`).execute(t.db.kysely);
    await sql
      .raw(`grant select, insert, update, delete on all tables in schema "${t.schema}" to ${role}`)
      .execute(t.db.kysely);
    await sql.raw(`grant usage on all sequences in schema "${t.schema}" to ${role}`).execute(t.db.kysely);
    await allowThroughPgBouncer(role);
  });
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.close()));
    await sql.raw(`drop owned by ${role}; drop role if exists ${role}`).execute(t.db.kysely);
  });

  it('repositories see only the current tenant, enforced by PostgreSQL (no WHERE added)', async () => {
    const db = connectAsApp('rls');
    const orders = new BaseRepository(db, { table: 'orders' });
    expect((await withTenant('acme', () => orders.findMany())).map((row) => row.ref)).toEqual(['a1', 'a2']);
    expect(await withTenant('globex', () => orders.count())).toBe(1);
    const created = await withTenant('globex', () => orders.create({ ref: 'g2', amount: 4 }));
    expect(created.tenant_id).toBe('globex');
  });

  it('covers raw SQL too, inside tenantTransaction; without a tenant setting nothing is visible', async () => {
    const db = connectAsApp('rls');
    const raw = await withTenant('acme', () =>
      tenantTransaction(db, (tx) => sql<{ ref: string }>`select ref from orders order by ref`.execute(tx)),
    );
    expect(raw.rows.map((row) => row.ref)).toEqual(['a1', 'a2']);
    const unscoped = await sql<{ n: number }>`select count(*)::int as n from orders`.execute(db.kysely);
    expect(unscoped.rows[0]!.n).toBe(0); // fails closed
    await expect(tenantTransaction(db, async () => 1)).rejects.toBeInstanceOf(TenantRequiredError);
  });

  it('refuses writes into another tenant even through raw SQL (WITH CHECK)', async () => {
    const db = connectAsApp('rls');
    const error = await withTenant('acme', () =>
      tenantTransaction(db, (tx) =>
        sql`insert into orders (tenant_id, ref, amount) values ('globex', 'sneaky', 1)`.execute(tx),
      ),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ sqlState: '42501' });
  });

  it('sets the tenant once per transaction and keeps it across repository calls in it', async () => {
    const db = connectAsApp('both');
    const orders = new BaseRepository(db, { table: 'orders' });
    await withTenant('acme', () =>
      db.transaction(async () => {
        expect(await orders.count()).toBe(2);
        const rows: string[] = [];
        for await (const row of orders.stream()) rows.push(row.ref);
        expect(rows).toEqual(['a1', 'a2']);
      }),
    );
  });

  it('asks for a transaction around stream(), where the tenant setting lives', async () => {
    const db = connectAsApp('rls');
    const orders = new BaseRepository(db, { table: 'orders' });
    const consume = async () => {
      for await (const _row of orders.stream()) void _row;
    };
    await expect(withTenant('acme', consume)).rejects.toBeInstanceOf(TransactionError);
  });

  it('still fails closed without a tenant', async () => {
    const db = connectAsApp('rls');
    const orders = new BaseRepository(db, { table: 'orders' });
    await expect(orders.findMany()).rejects.toBeInstanceOf(TenantRequiredError);
  });
});
