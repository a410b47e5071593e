import { type ColumnType, type Generated, sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { BaseRepository, type OperationKind, tenantFilter, withTenant } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';

// docs/deployment.md tells Citus users that filter mode keeps every statement on one
// shard when the tenant column is the distribution column. Citus routes a statement to a
// single shard when it pins the distribution column to one value: `tenant_id = $n` in the
// WHERE of every read, update and delete, and the column in every INSERT. Citus itself is
// not installable here; this checks the property on the SQL the repository sends.

interface ShardOrders {
  id: Generated<number>;
  tenant_id: ColumnType<string, string | undefined, never>;
  ref: string;
  amount: number;
  deleted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
interface ShardDB {
  shard_orders: ShardOrders;
}

const spy = statementSpy();
const t = useTestDatabase<ShardDB>('tenant_shard', { ...spy.options, middleware: [tenantFilter()] });
let orders: BaseRepository<ShardDB, 'shard_orders', 'deleted_at'>;

beforeAll(async () => {
  await sql`
    create table shard_orders (
      id bigserial primary key, tenant_id text not null, ref text not null, amount int not null,
      deleted_at timestamptz, unique (tenant_id, ref))
  `.execute(t.db.kysely);
  orders = new BaseRepository(t.db, { table: 'shard_orders', softDelete: 'deleted_at' });
});

/** Each repository operation once, in tenant "acme" (typed: a new operation must be added here). */
const RUN: Record<OperationKind, (ids: { row: number; other: number }) => Promise<unknown>> = {
  findById: ({ row }) => orders.findById(row),
  findByIds: ({ row, other }) => orders.findByIds([row, other]),
  findOne: () => orders.findOne({ ref: 'a-1' }),
  findMany: () => orders.findMany({ where: { amount: { gte: 0 } }, limit: 5 }),
  count: () => orders.count({ amount: { gte: 0 } }),
  exists: () => orders.exists({ ref: 'a-2' }),
  paginate: () => orders.paginate({ page: 1, pageSize: 2 }),
  paginateByCursor: async () => {
    const first = await orders.paginateByCursor({ limit: 1 });
    return orders.paginateByCursor({ limit: 1, after: first.nextCursor! });
  },
  stream: async () => {
    for await (const _ of orders.stream({}, { batchSize: 1 })) void _;
  },
  create: () => orders.create({ ref: 'a-new', amount: 1 }),
  createMany: () =>
    orders.createMany([
      { ref: 'a-m1', amount: 1 },
      { ref: 'a-m2', amount: 2 },
    ]),
  update: ({ row }) => orders.update(row, { amount: 5 }),
  updateMany: () => orders.updateMany({ ref: 'a-2' }, { amount: 6 }),
  upsert: () => orders.upsert({ ref: 'a-1', amount: 7 }, { conflictColumns: ['tenant_id', 'ref'] }),
  delete: ({ other }) => orders.delete(other),
  restore: ({ other }) => orders.restore(other),
  hardDelete: ({ other }) => orders.hardDelete(other),
};

/** Why `statement` could reach more than one shard, or undefined when it pins the tenant. */
function spreadsAcrossShards(statement: string): string | undefined {
  if (!/"shard_orders"/.test(statement)) return undefined;
  if (/^\s*insert\b/i.test(statement)) return /"tenant_id"/.test(statement) ? undefined : 'insert without tenant_id';
  return /"tenant_id"\s*=\s*\$\d+/.test(statement) ? undefined : 'no tenant_id = $n';
}

describe('tenantFilter (filter mode) pins the tenant column in every statement', () => {
  beforeEach(async () => {
    await sql`truncate shard_orders`.execute(t.db.kysely);
  });

  it.each(Object.keys(RUN) as OperationKind[])('%s', async (kind) => {
    await withTenant('globex', () => orders.createMany([{ ref: 'g-1', amount: 1 }]));
    const [row, other] = await withTenant('acme', () =>
      orders.createMany([
        { ref: 'a-1', amount: 1 },
        { ref: 'a-2', amount: 2 },
      ]),
    );
    // restore needs a soft-deleted row
    if (kind === 'restore') await withTenant('acme', () => orders.delete(other!.id));
    spy.clear();
    await withTenant('acme', () => RUN[kind]({ row: row!.id, other: other!.id }));
    const touching = spy.statements.filter((statement) => /"shard_orders"/.test(statement));
    expect(touching.length).toBeGreaterThan(0);
    expect(touching.map((statement) => spreadsAcrossShards(statement)).filter(Boolean)).toEqual([]);
  });

  it('coalesced findById calls of one tenant stay one single-tenant statement', async () => {
    const rows = await withTenant('acme', () =>
      orders.createMany([
        { ref: 'c-1', amount: 1 },
        { ref: 'c-2', amount: 2 },
      ]),
    );
    spy.clear();
    await withTenant('acme', () => Promise.all(rows.map((each) => orders.findById(each.id))));
    const touching = spy.statements.filter((statement) => /"shard_orders"/.test(statement));
    expect(touching).toHaveLength(1);
    expect(spreadsAcrossShards(touching[0]!)).toBeUndefined();
  });
});
