import { describe, expect, it } from 'vitest';

import { cache, memoryCacheStore, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { redisUnavailable } from '../../support/redis.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_single_flight');
const noRedis = redisUnavailable('cache-single-flight') !== undefined;

describe('single flight', () => {
  describe.each([
    ['redis', () => redisCacheStore(f.redis)],
    ['memory', () => memoryCacheStore({ maxEntries: 100 })],
  ])('%s store', (name, makeStore) => {
    it.skipIf(name === 'redis' && noRedis)('N concurrent misses for the same key run one SQL statement', async () => {
      const middleware = cache({ store: makeStore(), ttlSeconds: 60, keyPrefix: f.prefix() });
      const people = f.people([middleware]);
      await people.count(); // loads the table's columns, so only the reads below run statements
      f.clearStatements();

      const rows = await Promise.all(Array.from({ length: 25 }, () => people.findById(2)));
      expect(f.selects()).toBe(1);
      expect(rows.every((row) => row?.email === 'r2@x.io')).toBe(true);
      expect(new Set(rows).size).toBe(25); // and each caller got its own copy
      expect(middleware.metrics()).toMatchObject({ misses: 2, hits: 24 });

      const pages = await Promise.all(
        Array.from({ length: 10 }, () =>
          people.findMany({ where: { team: 'red' }, orderBy: { column: 'id', direction: 'asc' } }),
        ),
      );
      expect(f.selects()).toBe(2);
      expect(pages.every((page) => page.length === 2)).toBe(true);
    });
  });

  it.skipIf(noRedis)('different keys are not coalesced', async () => {
    // Without the repository's own coalescing, which would batch the misses that reach SQL in one tick.
    const people = f.people([cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() })], {
      coalesce: false,
    });
    await people.count();
    f.clearStatements();
    await Promise.all([people.findById(1), people.findById(2), people.findById(3)]);
    expect(f.selects()).toBe(3);
  });
});
