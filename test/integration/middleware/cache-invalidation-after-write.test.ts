import { describe, expect, it } from 'vitest';

import { cache, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { redisUnavailable } from '../../support/redis.js';
import { type People, useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_inval_write');
const noRedis = redisUnavailable('cache-invalidation-after-write') !== undefined;

/** Each write, and what a cached read must show right after it. */
const WRITES: Array<[string, (people: People) => Promise<unknown>, (people: People) => Promise<unknown>, unknown]> = [
  ['create', (p) => p.create({ email: 'new@x.io', team: 'red' }), (p) => p.count({ team: 'red' }), 3],
  [
    'createMany',
    (p) =>
      p.createMany([
        { email: 'n1@x.io', team: 'red' },
        { email: 'n2@x.io', team: 'red' },
      ]),
    (p) => p.count({ team: 'red' }),
    4,
  ],
  ['update', (p) => p.update(1, { score: 99 }), async (p) => (await p.findById(1))?.score, 99],
  [
    'updateMany',
    (p) => p.updateMany({ team: 'red' }, { score: 7 }),
    async (p) => (await p.findMany({ where: { team: 'red' } })).map((row) => row.score),
    [7, 7],
  ],
  [
    'upsert',
    (p) => p.upsert({ email: 'r1@x.io', score: 11 }, { conflictColumns: ['email'] }),
    async (p) => (await p.findOne({ email: 'r1@x.io' }))?.score,
    11,
  ],
  ['delete (soft)', (p) => p.delete(1), async (p) => (await p.findById(1)) === undefined, true],
  ['hardDelete', (p) => p.hardDelete(3), async (p) => (await p.paginate()).total, 2],
  [
    'restore',
    async (p) => {
      await p.delete(2);
      await p.findById(2);
      await p.restore(2);
    },
    async (p) => (await p.findById(2))?.email,
    'r2@x.io',
  ],
];

describe.skipIf(noRedis)('invalidation after a write (no transaction)', () => {
  it.each(WRITES)('%s: the next read sees the write', async (_name, write, read, expected) => {
    const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
    const people = f.people([middleware]);
    await read(people); // cached
    await read(people);
    const before = f.selects();
    await write(people);
    expect(await read(people)).toEqual(expected);
    expect(f.selects()).toBeGreaterThan(before);
    expect(middleware.metrics().invalidations).toBeGreaterThanOrEqual(1);
  });

  it('reaches other processes: a second cache on the same Redis and prefix sees the new version', async () => {
    const keyPrefix = f.prefix();
    const here = f.people([cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix })]);
    const elsewhere = f.people([cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix })]);
    await elsewhere.findById(1);
    expect((await elsewhere.findById(1))?.score).toBe(5);
    await here.update(1, { score: 42 });
    expect((await elsewhere.findById(1))?.score).toBe(42);
  });

  it('a failed write (nothing written) keeps the entries', async () => {
    const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
    const people = f.people([middleware]);
    await people.findById(1);
    await expect(people.create({ email: 'r1@x.io' })).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(people.update(404, { score: 1 })).rejects.toMatchObject({ name: 'NotFoundError' });
    const before = f.selects();
    await people.findById(1);
    expect(f.selects()).toBe(before);
    expect(middleware.metrics().invalidations).toBe(0);
  });
});
