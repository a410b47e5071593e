import { describe, expect, it } from 'vitest';

import { cache, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { redisUnavailable } from '../../support/redis.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_miss');
const noRedis = redisUnavailable('cache-miss') !== undefined;
const makeCache = (tables?: string[]) =>
  cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix(), tables });

describe.skipIf(noRedis)('a cache miss', () => {
  it('reads the database once, then serves the stored result', async () => {
    const middleware = makeCache();
    const people = f.people([middleware]);
    expect((await people.findById(2))?.email).toBe('r2@x.io');
    expect(f.selects()).toBe(1);
    expect(middleware.metrics()).toMatchObject({ hits: 0, misses: 1 });
    expect((await people.findById(2))?.email).toBe('r2@x.io');
    expect(f.selects()).toBe(1);
  });

  it('happens for each distinct argument list: entries are per call, not per table', async () => {
    const people = f.people([makeCache()]);
    await people.findById(1);
    await people.findById(2);
    await people.findById(1, { withDeleted: true });
    await people.findMany({ where: { team: 'red' } });
    await people.findMany({ where: { team: 'red' }, limit: 1 });
    expect(f.selects()).toBe(5);
  });

  it('is every call for tables outside `tables`, and for reads that are never cached', async () => {
    const people = f.people([makeCache(['orders'])]);
    await people.findById(1);
    await people.findById(1);
    expect(f.selects()).toBe(2);
    const cachedPeople = f.people([makeCache()]);
    f.clearStatements();
    await cachedPeople.exists({ team: 'red' });
    await cachedPeople.exists({ team: 'red' });
    await cachedPeople.paginateByCursor({ limit: 2 });
    await cachedPeople.paginateByCursor({ limit: 2 });
    expect(f.selects()).toBe(4);
  });
});
