import { describe, expect, it } from 'vitest';

import { BaseRepository } from '../../../src/index.js';
import { cache, type CacheStore, memoryCacheStore, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { redisUnavailable } from '../../support/redis.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_hit');
const noRedis = redisUnavailable('cache-hit') !== undefined;

const stores: Array<[string, () => CacheStore]> = [
  ['redis', () => redisCacheStore(f.redis)],
  ['memory', () => memoryCacheStore({ maxEntries: 100 })],
];

describe.each(stores)('a cache hit (%s store)', (name, makeStore) => {
  it.skipIf(name === 'redis' && noRedis)(
    'answers every cached read kind a second time without SQL, with equal values and Dates intact',
    async () => {
      const people = f.people([cache({ store: makeStore(), ttlSeconds: 60, keyPrefix: f.prefix() })]);
      const reads = [
        () => people.findById(1),
        () => people.findById(999), // a miss that is cached as "not found"
        () => people.findByIds([1, 3]),
        () => people.findOne({ email: 'r2@x.io' }),
        () => people.findMany({ where: { team: 'red' }, orderBy: { column: 'score', direction: 'desc' } }),
        () => people.count({ team: 'red' }),
        () => people.paginate({ page: 1, pageSize: 2 }),
      ];
      const first: unknown[] = [];
      for (const read of reads) first.push(await read());
      const selectsAfterMisses = f.selects();
      expect(selectsAfterMisses).toBeGreaterThanOrEqual(reads.length);

      const second: unknown[] = [];
      for (const read of reads) second.push(await read());
      expect(f.selects()).toBe(selectsAfterMisses);
      expect(second).toEqual(first);
      const row = second[0] as { created_at: Date; updated_at: Date; deleted_at: Date | null };
      expect(row.created_at).toBeInstanceOf(Date);
      expect(row.created_at.toISOString()).toBe('2024-01-01T00:00:00.000Z');
      expect(row.deleted_at).toBeNull();
      expect(second[1]).toBeUndefined();
    },
  );
});

describe.skipIf(noRedis)('metrics', () => {
  it('shows hits under db.metrics().middleware.cache when the cache is database-wide', async () => {
    const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
    const db = f.t.open({ middleware: [middleware] });
    const people = new BaseRepository(db, { table: 'people', softDelete: 'deleted_at' });
    await people.findById(1);
    await people.findById(1);
    await people.findById(1);
    expect(db.metrics().middleware.cache).toEqual({ hits: 2, misses: 1, invalidations: 0, errors: 0 });
    expect(middleware.metrics()).toEqual(db.metrics().middleware.cache);
  });
});
