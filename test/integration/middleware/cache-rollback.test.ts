import { describe, expect, it } from 'vitest';

import { cache, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { redisUnavailable } from '../../support/redis.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_rollback');
const noRedis = redisUnavailable('cache-rollback') !== undefined;
const setup = () => {
  const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
  return { middleware, people: f.people([middleware]) };
};

describe.skipIf(noRedis)('no invalidation on rollback', () => {
  it('a rolled-back transaction invalidates nothing: the cached entry is still served', async () => {
    const { middleware, people } = setup();
    await people.findById(1);
    await expect(
      f.t.db.transaction(async () => {
        await people.update(1, { score: 1_000 });
        await people.create({ email: 'ghost@x.io' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const before = f.selects();
    expect((await people.findById(1))?.score).toBe(5);
    expect(f.selects()).toBe(before); // a hit: nothing was invalidated
    expect(middleware.metrics()).toMatchObject({ invalidations: 0, hits: 1 });
  });

  it('a rolled-back savepoint inside a committed transaction invalidates nothing for its writes', async () => {
    const { middleware, people } = setup();
    await people.count();
    await f.t.db.transaction(async () => {
      await f.t.db
        .transaction(async () => {
          await people.create({ email: 'ghost@x.io' });
          throw new Error('undo the savepoint');
        })
        .catch(() => {});
    });
    expect(middleware.metrics().invalidations).toBe(0);
    const before = f.selects();
    expect(await people.count()).toBe(3);
    expect(f.selects()).toBe(before);
  });
});
