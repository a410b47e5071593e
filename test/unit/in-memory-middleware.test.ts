import { describe, expect, it } from 'vitest';

import {
  cache,
  memoryCacheStore,
  NotFoundError,
  tenantFilter,
  TenantRequiredError,
  withTenant,
} from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';

interface Order {
  id: number;
  tenant_id: string;
  ref: string;
}

/** The production chain, over the fake: what a host's unit tests get. */
function orders(mode: 'filter' | 'rls' | 'both') {
  const cached = cache({ store: memoryCacheStore({ maxEntries: 100 }), ttlSeconds: 60, keyPrefix: `fake:${mode}:` });
  const repo = new InMemoryRepository<Order>({
    table: 'orders',
    columns: ['id', 'tenant_id', 'ref'],
    middleware: [tenantFilter({ mode }), cached],
  });
  return { repo, cached };
}

describe.each(['filter', 'rls', 'both'] as const)(
  'tenantFilter and cache over InMemoryRepository (%s mode)',
  (mode) => {
    it('isolates tenants, stamps creates and fails closed, as in production', async () => {
      const { repo } = orders(mode);
      const a = await withTenant('acme', () => repo.create({ ref: 'a1' }));
      await withTenant('globex', () => repo.create({ ref: 'g1' }));
      expect(a.tenant_id).toBe('acme');
      expect((await withTenant('acme', () => repo.findMany())).map((row) => row.ref)).toEqual(['a1']);
      await expect(withTenant('globex', () => repo.getById(a.id))).rejects.toBeInstanceOf(NotFoundError);
      await expect(repo.findMany()).rejects.toBeInstanceOf(TenantRequiredError);
    });

    it('serves repeated reads from the cache and invalidates on writes', async () => {
      const { repo, cached } = orders(mode);
      await withTenant('acme', async () => {
        const created = await repo.create({ ref: 'a1' });
        await repo.findById(created.id);
        await repo.findById(created.id);
        expect(cached.metrics()).toMatchObject({ hits: 1, misses: 1 });
        await repo.update(created.id, { ref: 'a2' });
        expect((await repo.findById(created.id))?.ref).toBe('a2');
      });
    });
  },
);
