import { describe, expect, it } from 'vitest';

import { cache, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { redisUnavailable } from '../../support/redis.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_inval_commit');
const noRedis = redisUnavailable('cache-invalidation-after-commit') !== undefined;
const setup = () => {
  const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
  return { middleware, people: f.people([middleware]) };
};

describe.skipIf(noRedis)('invalidation after commit', () => {
  it('a write inside a transaction invalidates only once the transaction committed', async () => {
    const { middleware, people } = setup();
    expect((await people.findById(1))?.score).toBe(5); // cached
    await f.t.db.transaction(async () => {
      await people.update(1, { score: 77 });
      // Inside: reads bypass the cache and see the uncommitted write.
      expect((await people.findById(1))?.score).toBe(77);
      // Outside (another connection): still the committed row, still served from the cache.
      expect((await f.t.db.outsideTransaction(() => people.findById(1)))?.score).toBe(5);
      expect(middleware.metrics().invalidations).toBe(0);
    });
    expect(middleware.metrics().invalidations).toBe(1); // db.transaction() resolved after its hooks ran
    expect((await people.findById(1))?.score).toBe(77);
  });

  it('reads inside a transaction neither use nor fill the cache', async () => {
    const { middleware, people } = setup();
    await f.t.db.transaction(async () => {
      await people.findById(2);
      await people.findById(2);
    });
    expect(f.selects()).toBe(2);
    expect(middleware.metrics()).toEqual({ hits: 0, misses: 0, invalidations: 0, errors: 0 });
    await people.findById(2);
    expect(f.selects()).toBe(3); // nothing was filled from inside the transaction
  });

  it('a write in a released savepoint invalidates when the outer transaction commits, once per table', async () => {
    const { middleware, people } = setup();
    await people.count();
    await f.t.db.transaction(async () => {
      await f.t.db.transaction(async () => {
        await people.create({ email: 'sp@x.io' });
        await people.create({ email: 'sp2@x.io' });
      });
      await people.update(1, { score: 1 });
      expect(middleware.metrics().invalidations).toBe(0);
    });
    expect(await people.count()).toBe(5);
    expect(middleware.metrics().invalidations).toBe(2); // one hook for the savepoint's writes, one for the outer scope's
  });
});
