import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  BaseRepository,
  cache,
  memoryCacheStore,
  type RepositoryMiddleware,
  tenantFilter,
  withTenant,
} from '../../../src/index.js';
import { hasConcurrentSessions, useTestDatabase } from '../../support/test-database.js';
import { createTenantTables, type TenantDB } from './tenant-fixture.js';

// In rls/both mode the tenant filter opens a transaction around next(); a cache placed
// after it must still invalidate only once that transaction committed, and entries must
// never cross tenants, in either order.
const t = useTestDatabase<TenantDB>('tenant_cache');

beforeAll(async () => {
  await createTenantTables(t.db);
});
beforeEach(async () => {
  await sql`truncate orders restart identity; insert into orders (tenant_id, ref, amount) values ('acme', 'a1', 1), ('globex', 'g1', 2)`.execute(
    t.db.kysely,
  );
});

const setups: Array<[string, (tenant: RepositoryMiddleware, cached: RepositoryMiddleware) => RepositoryMiddleware[]]> =
  [
    ['tenant before cache', (tenant, cached) => [tenant, cached]],
    ['cache before tenant', (tenant, cached) => [cached, tenant]],
  ];

describe.each(setups)('tenantFilter with cache, %s', (_label, order) => {
  for (const mode of ['filter', 'both'] as const) {
    it(`${mode} mode: a write invalidates after its commit, so the next read is fresh`, async () => {
      const store = memoryCacheStore({ maxEntries: 100 });
      const cached = cache({ store, ttlSeconds: 60, keyPrefix: `tc:${mode}:` });
      const orders = new BaseRepository(t.db, { table: 'orders', middleware: order(tenantFilter({ mode }), cached) });
      await withTenant('acme', async () => {
        expect((await orders.getById(1)).amount).toBe(1);
        expect((await orders.getById(1)).amount).toBe(1); // served by the cache or the database: same
        await orders.update(1, { amount: 999 });
        expect((await orders.getById(1)).amount).toBe(999);
      });
    });

    it(`${mode} mode: two tenants asking the same question never share an entry`, async () => {
      const store = memoryCacheStore({ maxEntries: 100 });
      const cached = cache({ store, ttlSeconds: 60, keyPrefix: `tx:${mode}:` });
      const orders = new BaseRepository(t.db, { table: 'orders', middleware: order(tenantFilter({ mode }), cached) });
      const acme = await withTenant('acme', () => orders.findMany());
      const globex = await withTenant('globex', () => orders.findMany());
      expect(acme.map((row) => row.ref)).toEqual(['a1']);
      expect(globex.map((row) => row.ref)).toEqual(['g1']);
    });
  }
});

describe.runIf(hasConcurrentSessions())(
  'the window between a write and the COMMIT of the transaction the tenant filter opened',
  () => {
    it('a reader inside it cannot leave a stale entry behind (tenant before cache, both mode)', async () => {
      const store = memoryCacheStore({ maxEntries: 100 });
      const cached = cache({ store, ttlSeconds: 60, keyPrefix: 'window:' });
      const ref: { orders?: BaseRepository<TenantDB, 'orders'> } = {};
      // Sits between the tenant filter and the cache: after the cache finished the update
      // but before the tenant filter commits, another request reads the row.
      const reader: RepositoryMiddleware = {
        name: 'reader-in-the-window',
        async handle(operation, next) {
          const result = await next();
          if (operation.kind === 'update') {
            const seen = await t.db.outsideTransaction(() => ref.orders!.getById(1));
            expect(seen.amount).toBe(1); // not committed yet
          }
          return result;
        },
      };
      const orders = new BaseRepository(t.db, {
        table: 'orders',
        middleware: [tenantFilter({ mode: 'both' }), reader, cached],
      });
      ref.orders = orders;
      await withTenant('acme', async () => {
        expect((await orders.getById(1)).amount).toBe(1); // cached
        await orders.update(1, { amount: 999 });
        expect((await orders.getById(1)).amount).toBe(999);
      });
    });
  },
);
