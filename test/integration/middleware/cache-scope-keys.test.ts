import { describe, expect, it } from 'vitest';

import { BaseRepository, type RepositoryMiddleware, tenantFilter, withTenant } from '../../../src/index.js';
import { cache, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { redisUnavailable } from '../../support/redis.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_scope_keys');
const noRedis = redisUnavailable('cache-scope-keys') !== undefined;

describe.skipIf(noRedis)('keys include the scope', () => {
  it('two scopes never share entries, though the calls are identical', async () => {
    let team = 'red';
    const teamScope: RepositoryMiddleware = { name: 'team', scope: () => ({ team }) };
    const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
    const people = f.people([teamScope, middleware]);
    const emails = async () =>
      (await people.findMany({ orderBy: { column: 'id', direction: 'asc' } })).map((row) => row.email);

    expect(await emails()).toEqual(['r1@x.io', 'r2@x.io']);
    team = 'blue';
    expect(await emails()).toEqual(['b1@x.io']);
    expect(await people.count()).toBe(1);
    expect(await people.findById(1)).toBeUndefined(); // red's row, invisible to blue, even though red read it before
    team = 'red';
    expect(await people.count()).toBe(2);
    expect((await people.findById(1))?.email).toBe('r1@x.io');
    expect(middleware.metrics()).toMatchObject({ hits: 0 });
    expect(await emails()).toEqual(['r1@x.io', 'r2@x.io']);
    expect(middleware.metrics()).toMatchObject({ hits: 1 });
  });

  it('with tenantFilter before the cache, each tenant has its own entries', async () => {
    const db = f.t.open({
      middleware: [
        tenantFilter({ column: 'team' }),
        cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() }),
      ],
    });
    const people = new BaseRepository(db, { table: 'people', softDelete: 'deleted_at' });
    const red = await withTenant('red', () => people.findMany());
    const blue = await withTenant('blue', () => people.findMany());
    expect(red.map((row) => row.team)).toEqual(['red', 'red']);
    expect(blue.map((row) => row.team)).toEqual(['blue']);
    expect(await withTenant('blue', () => people.count())).toBe(1);
    expect(await withTenant('red', () => people.count())).toBe(2);
    expect(db.metrics().middleware.cache).toMatchObject({ hits: 0, misses: 4 });
  });
});
