import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  BaseRepository,
  currentTenant,
  type Database,
  NotFoundError,
  tenantFilter,
  TenantRequiredError,
  ValidationError,
  withTenant,
} from '../../../src/index.js';
import { sleep } from '../../support/async.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';
import { createTenantTables, type TenantDB, TENANTS } from './tenant-fixture.js';

const spy = statementSpy();
const t = useTestDatabase<TenantDB>('tenant_filter', { ...spy.options, middleware: [tenantFilter()] });

class Orders extends BaseRepository<TenantDB, 'orders'> {
  constructor(db: Database<TenantDB>) {
    super(db, { table: 'orders' });
  }
  bigOnes(min: number) {
    return this.query().where('amount', '>=', min).execute();
  }
}

let orders: Orders;
const ids: Record<string, number[]> = { acme: [], globex: [] };

beforeAll(async () => {
  await createTenantTables(t.db);
  orders = new Orders(t.db);
  for (const tenant of TENANTS) {
    const rows = await withTenant(tenant, () =>
      orders.createMany(Array.from({ length: 30 }, (_, i) => ({ ref: `${tenant}-${i}`, amount: i * 10 }))),
    );
    ids[tenant] = rows.map((row) => row.id);
  }
});

describe('tenantFilter (filter mode)', () => {
  it('fails closed: no tenant in context is a TenantRequiredError and no SQL runs', async () => {
    spy.clear();
    await expect(orders.findMany()).rejects.toBeInstanceOf(TenantRequiredError);
    await expect(orders.create({ ref: 'x', amount: 1, tenant_id: 'acme' })).rejects.toBeInstanceOf(TenantRequiredError);
    expect(() => orders.bigOnes(0)).toThrow(TenantRequiredError);
    expect(spy.statements).toEqual([]);
  });

  it('stamps creates with the tenant and rejects input naming another tenant', async () => {
    await withTenant('acme', async () => {
      const created = await orders.create({ ref: 'stamped', amount: 1 });
      expect(created.tenant_id).toBe('acme');
      await expect(orders.create({ ref: 'foreign', amount: 1, tenant_id: 'globex' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await orders.hardDelete(created.id);
    });
  });

  it('never reveals another tenant row: getById, update and delete say NotFound', async () => {
    await withTenant('acme', async () => {
      const foreign = ids.globex![0]!;
      await expect(orders.getById(foreign)).rejects.toBeInstanceOf(NotFoundError);
      await expect(orders.update(foreign, { amount: 0 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(orders.delete(foreign)).rejects.toBeInstanceOf(NotFoundError);
      expect(await orders.findByIds(ids.globex!)).toEqual([]);
    });
    expect((await withTenant('globex', () => orders.getById(ids.globex![0]!))).amount).toBe(0);
  });

  it('lets a repository opt out explicitly (shared reference tables)', async () => {
    const countries = new BaseRepository<TenantDB, 'countries', undefined, 'code'>(t.db, {
      table: 'countries',
      primaryKey: 'code',
      skipMiddleware: ['tenant'],
    });
    expect(await countries.count()).toBe(2);
  });

  it('keeps two tenants apart under interleaved concurrent requests, by every method', async () => {
    const seen: string[] = [];
    const check = (rows: ReadonlyArray<{ tenant_id: string }>) => {
      for (const row of rows)
        seen.push(row.tenant_id === currentTenant() ? 'ok' : `LEAK ${row.tenant_id} into ${String(currentTenant())}`);
    };
    const operations: Array<() => Promise<void>> = [
      async () => check(await orders.findMany({ where: { amount: [0, 10, 20, 30] } })),
      async () => check((await orders.paginate({ page: 2, pageSize: 7 })).items),
      async () => {
        let page = await orders.paginateByCursor({ limit: 9 });
        check(page.items);
        while (page.nextCursor) {
          await sleep(1);
          page = await orders.paginateByCursor({ limit: 9, after: page.nextCursor });
          check(page.items);
        }
      },
      async () => {
        const rows = [];
        for await (const row of orders.stream({}, { batchSize: 7 })) rows.push(row);
        check(rows);
      },
      async () => check(await orders.bigOnes(150)),
      async () => check([(await orders.findOne({ ref: `${String(currentTenant())}-3` }))!]),
      async () => {
        const total = await orders.count();
        seen.push(total >= 30 ? 'ok' : `LEAK count ${total}`);
      },
      async () => {
        const other = currentTenant() === 'acme' ? 'globex' : 'acme';
        const found = await orders.findOne({ ref: `${other}-1` });
        seen.push(found === undefined ? 'ok' : 'LEAK findOne');
      },
    ];
    let seed = 42;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const tenant = TENANTS[i % 2]!;
        const operation = operations[Math.floor(random() * operations.length)]!;
        await sleep(Math.floor(random() * 5));
        await withTenant(tenant, async () => {
          await sleep(Math.floor(random() * 3));
          await operation();
        });
      }),
    );
    expect(seen.filter((entry) => entry !== 'ok')).toEqual([]);
    expect(seen.length).toBeGreaterThan(500);
  });

  it('keeps the tenant inside transactions and across nested withTenant calls', async () => {
    await withTenant('acme', () =>
      t.db.transaction(async () => {
        expect((await orders.findMany()).every((row) => row.tenant_id === 'acme')).toBe(true);
        await withTenant('globex', async () => {
          expect((await orders.findMany()).every((row) => row.tenant_id === 'globex')).toBe(true);
        });
        expect(currentTenant()).toBe('acme');
      }),
    );
  });

  it('rejects an empty tenant id', () => {
    expect(() => withTenant('', () => 1)).toThrow(TenantRequiredError);
  });

  it('leaves raw SQL on db.kysely alone in filter mode (use rls mode to cover it)', async () => {
    const { rows } = await sql<{ n: number }>`select count(distinct tenant_id)::int as n from orders`.execute(
      t.db.kysely,
    );
    expect(rows[0]!.n).toBe(2);
  });
});
