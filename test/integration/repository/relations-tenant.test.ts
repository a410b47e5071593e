import { type ColumnType, type Generated, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  BaseRepository,
  belongsTo,
  createDatabase,
  type Database,
  hasMany,
  tenantFilter,
  tenantPolicySql,
  TenantRequiredError,
  withTenant,
} from '../../../src/index.js';
import { isRealServer, projectConnection, useTestDatabase } from '../../support/test-database.js';
import { type AppRole, createAppRole } from '../middleware/tenant-fixture.js';

// Included rows are reads of the related repository, so its tenant scope applies to them
// exactly as to a direct read: a child row of another tenant that points at this tenant's
// parent (a bad foreign key, or a guessed id) must never come back, in any mode and on
// every loading path (= ANY, LATERAL top-N, counts, belongsTo).
interface RelDB {
  customers: { id: Generated<number>; tenant_id: ColumnType<string, string | undefined, never>; name: string };
  invoices: {
    id: Generated<number>;
    tenant_id: ColumnType<string, string | undefined, never>;
    customer_id: number;
    amount: number;
  };
}

const t = useTestDatabase<RelDB>('relations_tenant');
let app: AppRole | undefined;
const opened: Array<Database<RelDB>> = [];

beforeAll(async () => {
  await sql`
    create table customers (id serial primary key, tenant_id text not null, name text not null);
    create table invoices (id serial primary key, tenant_id text not null, customer_id int not null, amount int not null);
    insert into customers (id, tenant_id, name) values (1, 'acme', 'acme-1'), (2, 'globex', 'globex-2');
    -- invoice 3 belongs to globex but points at acme's customer 1; invoice 4 is acme's, pointing at globex's customer 2
    insert into invoices (id, tenant_id, customer_id, amount) values
      (1, 'acme', 1, 10), (2, 'acme', 1, 20), (3, 'globex', 1, 999), (4, 'acme', 2, 5);
  `.execute(t.db.kysely);
  await sql.raw(tenantPolicySql({ table: 'customers' })).execute(t.db.kysely);
  await sql.raw(tenantPolicySql({ table: 'invoices' })).execute(t.db.kysely);
  if (isRealServer()) app = await createAppRole(t.db, inject('databaseUrl'), t.schema, 'rel');
});
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  await app?.drop();
});

function repositories(db: Database<RelDB>) {
  const customers: BaseRepository<RelDB, 'customers'> = new BaseRepository(db, { table: 'customers' });
  const invoices = new BaseRepository(db, {
    table: 'invoices',
    relations: { customer: belongsTo(() => customers, { foreignKey: 'customer_id' }) },
  });
  const withInvoices = new BaseRepository(db, {
    table: 'customers',
    relations: { invoices: hasMany(() => invoices, { foreignKey: 'customer_id' }) },
  });
  return { customers: withInvoices, invoices };
}

function connect(mode: 'filter' | 'rls' | 'both'): Database<RelDB> {
  // Superusers bypass RLS: rls/both connect as a plain role.
  const db = createDatabase<RelDB>({
    ...(mode === 'filter' ? projectConnection(inject('databaseUrl')) : app!.options),
    searchPath: [t.schema],
    logger: 'silent',
    middleware: [tenantFilter({ mode })],
  });
  opened.push(db);
  return db;
}

describe.runIf(isRealServer()).each(['filter', 'rls', 'both'] as const)(
  'include under tenantFilter (%s mode)',
  (mode) => {
    it('hasMany (= ANY and LATERAL) and withCount never return another tenant’s children', async () => {
      const { customers } = repositories(connect(mode));
      await withTenant('acme', async () => {
        const plain = await customers.getById(1, { include: { invoices: true }, withCount: ['invoices'] });
        expect(plain.invoices.map((invoice) => invoice.id).sort()).toEqual([1, 2]);
        expect(plain.invoicesCount).toBe(2);
        const top = await customers.getById(1, {
          include: { invoices: { orderBy: { column: 'amount', direction: 'desc' }, limit: 5 } },
        });
        expect(top.invoices.map((invoice) => invoice.amount)).toEqual([20, 10]);
      });
    });

    it('belongsTo to another tenant’s row is null, not the row', async () => {
      const { invoices } = repositories(connect(mode));
      const rows = await withTenant('acme', () =>
        invoices.findMany({ include: { customer: true }, orderBy: { column: 'id', direction: 'asc' } }),
      );
      expect(rows.map((row) => [row.id, row.customer?.name ?? null])).toEqual([
        [1, 'acme-1'],
        [2, 'acme-1'],
        [4, null],
      ]);
    });

    it('the other tenant sees only its own rows through the same relations', async () => {
      const { customers, invoices } = repositories(connect(mode));
      await withTenant('globex', async () => {
        expect(await customers.findById(1, { include: { invoices: true } })).toBeUndefined();
        const [invoice] = await invoices.findMany({ include: { customer: true } });
        expect(invoice).toMatchObject({ id: 3, customer: null });
      });
    });

    it('with no tenant the read fails closed before any query', async () => {
      const { customers } = repositories(connect(mode));
      await expect(customers.findMany({ include: { invoices: true } })).rejects.toBeInstanceOf(TenantRequiredError);
    });
  },
);
