import { describe, expect, it } from 'vitest';

import { cache, type CacheStore, memoryCacheStore, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { redisUnavailable } from '../../support/redis.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_copies');
const noRedis = redisUnavailable('cache-returned-copies') !== undefined;

describe.each<[string, () => CacheStore]>([
  ['redis', () => redisCacheStore(f.redis)],
  ['memory', () => memoryCacheStore({ maxEntries: 100 })],
])('returned values are independent copies (%s store)', (name, makeStore) => {
  it.skipIf(name === 'redis' && noRedis)(
    'mutating a returned row, list or page never changes what the next hit returns',
    async () => {
      const people = f.people([cache({ store: makeStore(), ttlSeconds: 60, keyPrefix: f.prefix() })]);
      const original = await people.findById(1); // the miss: the caller gets the database's row
      original!.email = 'mutated@x.io';
      original!.created_at.setUTCFullYear(1999);

      const hit = await people.findById(1);
      expect(hit?.email).toBe('r1@x.io');
      expect(hit?.created_at).toBeInstanceOf(Date);
      expect(hit?.created_at.toISOString()).toBe('2024-01-01T00:00:00.000Z');
      hit!.score = -1;
      expect((await people.findById(1))?.score).toBe(5);

      await people.paginate({ pageSize: 2 });
      const page = await people.paginate({ pageSize: 2 });
      page.items.pop();
      page.items[0]!.team = 'mutated';
      page.total = 0;
      expect(await people.paginate({ pageSize: 2 })).toMatchObject({
        total: 3,
        items: [{ team: 'red' }, { team: 'red' }],
      });
    },
  );
});
