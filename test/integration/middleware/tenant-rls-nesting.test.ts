import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import {
  BaseRepository,
  createDatabase,
  type Database,
  type DatabaseOptions,
  NotFoundError,
  SerializationFailureError,
  tenantFilter,
  tenantPolicySql,
  tenantTransaction,
  TransactionError,
  withTenant,
} from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';
import { type AppRole, createAppRole, createTenantTables, type TenantDB } from './tenant-fixture.js';

// Issue 8, defect 2: a tenant set inside a nested scope must never stay in force for the
// outer scope (PostgreSQL keeps a local setting after RELEASE SAVEPOINT). The role is not
// a superuser, so row-level security applies.
const t = useTestDatabase<TenantDB>('tenant_nesting');
let app: AppRole | undefined;
const databases: Array<Database<TenantDB>> = [];
let globexId = 0;

function connect(
  mode: 'rls' | 'both',
  extra: DatabaseOptions = {},
): { db: Database<TenantDB>; orders: BaseRepository<TenantDB, 'orders'> } {
  const db = createDatabase<TenantDB>({
    ...app!.options,
    searchPath: [t.schema],
    logger: 'silent',
    middleware: [tenantFilter({ mode })],
    ...extra,
  });
  databases.push(db);
  return { db, orders: new BaseRepository(db, { table: 'orders' }) };
}

const refs = (rows: ReadonlyArray<{ ref: string }>) => rows.map((row) => row.ref).sort();
/** Raw SQL on the ambient transaction: only row-level security stands between it and other tenants. */
const rawRefs = async (db: Database<TenantDB>) =>
  refs((await sql<{ ref: string }>`select ref from orders`.execute(db.kysely)).rows);
const amountOf = async (id: number) =>
  (await t.db.kysely.selectFrom('orders').select('amount').where('id', '=', id).executeTakeFirstOrThrow()).amount;
const settle = (promise: Promise<unknown>): Promise<unknown> => promise.catch((error: unknown) => error);
async function consume(rows: AsyncIterable<{ ref: string }>): Promise<string[]> {
  const seen: Array<{ ref: string }> = [];
  for await (const row of rows) seen.push(row);
  return refs(seen);
}

describe.runIf(isRealServer())('tenant isolation across nested scopes (rls and both modes)', () => {
  beforeAll(async () => {
    await createTenantTables(t.db);
    await sql.raw(tenantPolicySql({ table: 'orders' })).execute(t.db.kysely);
    app = await createAppRole(t.db, inject('databaseUrl'), t.schema, 'nesting');
  });
  beforeEach(async () => {
    await sql`truncate orders restart identity`.execute(t.db.kysely);
    await sql`insert into orders (tenant_id, ref, amount) values ('acme', 'a1', 1), ('acme', 'a2', 2), ('globex', 'g1', 3)`.execute(
      t.db.kysely,
    );
    globexId = (await t.db.kysely.selectFrom('orders').select('id').where('ref', '=', 'g1').executeTakeFirstOrThrow())
      .id;
  });
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.close()));
    await app?.drop();
  });

  describe.each(['rls', 'both'] as const)('%s mode', (mode) => {
    it('after a released savepoint of another tenant, the outer transaction sees and writes only its own rows', async () => {
      const { db, orders } = connect(mode);
      const seen = await withTenant('acme', () =>
        db.transaction(async () => {
          const before = refs(await orders.findMany());
          const inner = refs(await withTenant('globex', () => db.transaction(async () => orders.findMany())));
          const after = refs(await orders.findMany());
          const raw = await rawRefs(db);
          const update = await settle(orders.update(globexId, { amount: 999 }));
          return { before, inner, after, raw, update };
        }),
      );
      expect(seen).toMatchObject({ before: ['a1', 'a2'], inner: ['g1'], after: ['a1', 'a2'], raw: ['a1', 'a2'] });
      expect(seen.update).toBeInstanceOf(NotFoundError);
      expect(await amountOf(globexId)).toBe(3); // committed, and globex's row untouched
    });

    it('a tenant switched inside an open transaction without a transaction of its own is isolated to that call', async () => {
      const { db, orders } = connect(mode);
      const seen = await withTenant('acme', () =>
        db.transaction(async () => {
          const first = await orders.count();
          const other = refs(await withTenant('globex', () => orders.findMany()));
          const raw = await rawRefs(db);
          await withTenant('globex', () => orders.update(globexId, { amount: 30 }));
          const update = await settle(orders.update(globexId, { amount: 999 }));
          return { first, other, raw, after: refs(await orders.findMany()), update };
        }),
      );
      expect(seen).toMatchObject({ first: 2, other: ['g1'], raw: ['a1', 'a2'], after: ['a1', 'a2'] });
      expect(seen.update).toBeInstanceOf(NotFoundError);
      expect(await amountOf(globexId)).toBe(30); // globex's own write committed, acme's refused
    });

    it('raw SQL after a first call of another tenant sees its own tenant, not that one', async () => {
      const { db, orders } = connect(mode);
      const seen = await withTenant('acme', () =>
        db.transaction(async () => ({
          other: refs(await withTenant('globex', () => orders.findMany())),
          raw: await rawRefs(db),
          own: refs(await orders.findMany()),
        })),
      );
      expect(seen).toEqual({ other: ['g1'], raw: ['a1', 'a2'], own: ['a1', 'a2'] });
    });

    it('raw SQL in a transaction sees the tenant of its own context, and nothing with none', async () => {
      const { db, orders } = connect(mode);
      const seen = await db.transaction(async () => {
        const own = refs(await withTenant('acme', () => orders.findMany()));
        return { own, untenanted: await rawRefs(db), otherTenant: await withTenant('globex', () => rawRefs(db)) };
      });
      expect(seen).toEqual({ own: ['a1', 'a2'], untenanted: [], otherTenant: ['g1'] });
    });

    it('a rolled-back savepoint of another tenant leaves the outer tenant in force', async () => {
      const { db, orders } = connect(mode);
      const seen = await withTenant('acme', () =>
        db.transaction(async () => {
          await orders.count();
          const failed = await settle(
            withTenant('globex', () =>
              db.transaction(async () => {
                await orders.findMany();
                throw new Error('inner fails');
              }),
            ),
          );
          return { failed: (failed as Error).message, after: refs(await orders.findMany()), raw: await rawRefs(db) };
        }),
      );
      expect(seen).toEqual({ failed: 'inner fails', after: ['a1', 'a2'], raw: ['a1', 'a2'] });
    });

    it('a nested tenantTransaction of another tenant puts the outer tenant back when it ends', async () => {
      const { db, orders } = connect(mode);
      const seen = await withTenant('acme', () =>
        db.transaction(async () => {
          await orders.count();
          const inner = await withTenant('globex', () =>
            tenantTransaction(db, async (tx) =>
              refs((await sql<{ ref: string }>`select ref from orders`.execute(tx)).rows),
            ),
          );
          return { inner, raw: await rawRefs(db), after: refs(await orders.findMany()) };
        }),
      );
      expect(seen).toEqual({ inner: ['g1'], raw: ['a1', 'a2'], after: ['a1', 'a2'] });
    });

    it('streams only in a transaction of their own tenant, and leave nothing of it behind', async () => {
      const { db, orders } = connect(mode);
      const seen = await withTenant('acme', () =>
        db.transaction(async () => {
          const switched = await settle(withTenant('globex', () => consume(orders.stream())));
          const nested = await withTenant('globex', () => db.transaction(() => consume(orders.stream())));
          return { switched, nested, own: await consume(orders.stream()), raw: await rawRefs(db) };
        }),
      );
      expect(seen.switched).toBeInstanceOf(TransactionError);
      expect(seen).toMatchObject({ nested: ['g1'], own: ['a1', 'a2'], raw: ['a1', 'a2'] });
    });

    it('a retried transaction carries nothing of a failed attempt: each attempt is a new transaction', async () => {
      const { db, orders } = connect(mode);
      let attempts = 0;
      const seen = await withTenant('acme', () =>
        db.transaction(
          async () => {
            attempts++;
            const raw = await rawRefs(db);
            const own = refs(await orders.findMany());
            if (attempts === 1) {
              await withTenant('globex', () => db.transaction(() => orders.findMany()));
              throw new SerializationFailureError('forced retry', { sqlState: '40001' });
            }
            return { raw, own };
          },
          { retries: 1 },
        ),
      );
      expect(attempts).toBe(2);
      expect(seen).toEqual({ raw: ['a1', 'a2'], own: ['a1', 'a2'] });
    });
  });

  it('costs one set_config per transaction opened under the tenant; a switch inside it costs a savepoint', async () => {
    const spy = statementSpy();
    const { db, orders } = connect('rls', spy.options);
    await withTenant('acme', () => orders.count()); // loads the column catalog once
    spy.clear();
    const shape = () =>
      spy.statements.map((statement) =>
        statement.includes('set_config')
          ? 'set'
          : statement.startsWith('select count')
            ? 'count'
            : statement.replace(/"dl_sp_\d+"/, '').trim(),
      );
    await withTenant('acme', () =>
      db.transaction(async () => {
        await orders.count();
        await orders.count();
        await db.transaction(() => orders.count()); // same tenant, inherited: nothing to send or restore
      }),
    );
    expect(shape()).toEqual(['begin', 'set', 'count', 'count', 'savepoint', 'count', 'release savepoint', 'commit']);
    spy.clear();
    await withTenant('acme', () =>
      db.transaction(async () => {
        await orders.count();
        await withTenant('globex', () => orders.count());
        await orders.count();
      }),
    );
    expect(shape()).toEqual([
      'begin',
      'set',
      'count',
      'savepoint',
      'set',
      'count',
      'set',
      'release savepoint',
      'count',
      'commit',
    ]);
  });
});
