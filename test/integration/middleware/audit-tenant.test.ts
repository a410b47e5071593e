import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import {
  auditLog,
  type AuditRow,
  auditTableSql,
  BaseRepository,
  createDatabase,
  type Database,
  NotFoundError,
  QueryError,
  type RepositoryMiddleware,
  tenantFilter,
  tenantPolicySql,
  tenantTransaction,
  withTenant,
} from '../../../src/index.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';
import { type AppRole, createAppRole, createTenantTables, type TenantDB } from './tenant-fixture.js';

type Row = AuditRow & { tenant_id: string | null };
interface DB extends TenantDB {
  audit_log: Row;
}

const t = useTestDatabase<DB>('audit_tenant');
const databases: Array<Database<DB>> = [];
let app: AppRole | undefined;

beforeAll(async () => {
  await createTenantTables(t.db as unknown as Database<TenantDB>);
  await sql.raw(tenantPolicySql({ table: 'orders' })).execute(t.db.kysely);
  await sql.raw(auditTableSql({ tenant: {} })).execute(t.db.kysely);
  if (!isRealServer()) return;
  app = await createAppRole(t.db, inject('databaseUrl'), t.schema, 'audit');
  // The application may append audit rows and read them, never change or remove them.
  await sql.raw(`revoke update, delete, truncate on audit_log from ${new URL(app.url).username}`).execute(t.db.kysely);
});
afterAll(async () => {
  await Promise.all(databases.map((db) => db.close()));
  await app?.drop();
});
beforeEach(async () => {
  await sql`truncate orders, audit_log restart identity`.execute(t.db.kysely);
});

/** As superuser (RLS bypassed): every audit row. */
const allAuditRows = async () => (await sql<Row>`select * from audit_log order by id`.execute(t.db.kysely)).rows;

function connectAsApp(middleware: RepositoryMiddleware[]): Database<DB> {
  const db = createDatabase<DB>({
    ...app!.options,
    searchPath: [t.schema],
    logger: 'silent',
    middleware,
  });
  databases.push(db);
  return db;
}

describe('auditLog under tenantFilter in filter mode', () => {
  it("audit rows carry the scope; another tenant's rows are neither read nor recorded", async () => {
    const orders = new BaseRepository(t.db, {
      table: 'orders',
      middleware: [tenantFilter(), auditLog({ actor: () => 'u1' })],
    });
    const a1 = await withTenant('acme', () => orders.create({ ref: 'a1', amount: 1 }));
    await withTenant('globex', () => orders.create({ ref: 'g1', amount: 2 }));
    await withTenant('acme', () => orders.updateMany({ amount: [1, 2] }, { amount: 10 }));
    await expect(withTenant('globex', () => orders.update(a1.id, { amount: 99 }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await withTenant('acme', () => orders.upsert({ ref: 'a1', amount: 11 }, { conflictColumns: ['tenant_id', 'ref'] }));
    const entries = await allAuditRows();
    expect(entries.map((entry) => [entry.operation, entry.scope, entry.row_id])).toEqual([
      ['create', { tenant_id: 'acme' }, String(a1.id)],
      ['create', { tenant_id: 'globex' }, '2'],
      ['updateMany', { tenant_id: 'acme' }, String(a1.id)],
      ['upsert', { tenant_id: 'acme' }, String(a1.id)],
    ]);
    expect(entries[3]!.changes).toEqual({ amount: { before: 10, after: 11 } });
    expect(entries.every((entry) => entry.tenant_id === null)).toBe(true); // filter mode sets no setting
  });
});

describe.runIf(isRealServer())('auditLog under tenantFilter in rls and both modes, as a non-superuser role', () => {
  it("rls: the targeted rows are read under the policy and the audit insert passes the audit table's policy", async () => {
    const db = connectAsApp([tenantFilter({ mode: 'rls' }), auditLog({ actor: () => 'u1' })]);
    const orders = new BaseRepository(db, { table: 'orders' });
    const a1 = await withTenant('acme', () => orders.create({ ref: 'a1', amount: 1 }));
    await withTenant('acme', () => orders.update(a1.id, { amount: 2 }));
    await withTenant('globex', () => orders.create({ ref: 'g1', amount: 3 }));
    await expect(withTenant('globex', () => orders.delete(a1.id))).rejects.toBeInstanceOf(NotFoundError);
    await withTenant('acme', () => orders.hardDelete(a1.id));
    const entries = await allAuditRows();
    expect(entries.map((entry) => [entry.operation, entry.tenant_id, entry.scope])).toEqual([
      ['create', 'acme', {}],
      ['update', 'acme', {}],
      ['create', 'globex', {}],
      ['hardDelete', 'acme', {}],
    ]);
    expect(entries[1]!.changes).toEqual({ amount: { before: 1, after: 2 } });
    expect(entries[3]!.changes).toMatchObject({ ref: { before: 'a1' }, amount: { before: 2 } });
  });

  it('rls: a tenant reads only its own audit rows, none without a tenant, and cannot change them', async () => {
    const db = connectAsApp([tenantFilter({ mode: 'rls' }), auditLog()]);
    const orders = new BaseRepository(db, { table: 'orders' });
    await withTenant('acme', () => orders.create({ ref: 'a1', amount: 1 }));
    await withTenant('globex', () => orders.create({ ref: 'g1', amount: 1 }));
    const visible = (tenant: string) =>
      withTenant(tenant, () =>
        tenantTransaction(db, async (tx) => (await sql<Row>`select * from audit_log`.execute(tx)).rows),
      );
    expect((await visible('acme')).map((entry) => entry.tenant_id)).toEqual(['acme']);
    expect((await visible('globex')).map((entry) => entry.tenant_id)).toEqual(['globex']);
    expect((await sql`select * from audit_log`.execute(db.kysely)).rows).toEqual([]);
    const forged = await withTenant('acme', () =>
      tenantTransaction(db, (tx) =>
        sql`insert into audit_log (table_name, row_id, operation, changes, tenant_id) values ('orders', '1', 'delete', '{}', 'globex')`.execute(
          tx,
        ),
      ),
    ).catch((caught: unknown) => caught);
    expect(forged).toBeInstanceOf(QueryError);
    const erased = await withTenant('acme', () =>
      tenantTransaction(db, (tx) => sql`delete from audit_log`.execute(tx)),
    ).catch((caught: unknown) => caught);
    expect(erased).toMatchObject({ sqlState: '42501' });
    expect(await allAuditRows()).toHaveLength(2);
  });

  it('rls with auditLog before tenantFilter in the chain works too: every statement of the transaction has the tenant', async () => {
    const db = connectAsApp([auditLog(), tenantFilter({ mode: 'rls' })]);
    const orders = new BaseRepository(db, { table: 'orders' });
    const a1 = await withTenant('acme', () => orders.create({ ref: 'a1', amount: 1 }));
    await withTenant('acme', () => orders.update(a1.id, { amount: 5 }));
    expect((await allAuditRows()).map((entry) => [entry.operation, entry.tenant_id, entry.changes.amount])).toEqual([
      ['create', 'acme', { after: 1 }],
      ['update', 'acme', { before: 1, after: 5 }],
    ]);
  });

  it('both: the scope and the tenant column say the tenant; a rolled-back tenant transaction leaves no audit row', async () => {
    const db = connectAsApp([tenantFilter({ mode: 'both' }), auditLog()]);
    const orders = new BaseRepository(db, { table: 'orders' });
    await withTenant('acme', () =>
      orders.createMany([
        { ref: 'a1', amount: 1 },
        { ref: 'a2', amount: 2 },
      ]),
    );
    await expect(
      withTenant('globex', () =>
        db.transaction(async () => {
          await orders.create({ ref: 'g1', amount: 1 });
          throw new Error('roll back');
        }),
      ),
    ).rejects.toThrow('roll back');
    const entries = await allAuditRows();
    expect(entries.map((entry) => [entry.operation, entry.tenant_id, entry.scope])).toEqual([
      ['createMany', 'acme', { tenant_id: 'acme' }],
      ['createMany', 'acme', { tenant_id: 'acme' }],
    ]);
  });
});
