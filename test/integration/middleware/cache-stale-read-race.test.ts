import { describe, expect, it } from 'vitest';

import type { RepositoryMiddleware } from '../../../src/index.js';
import { cache, type CacheStore, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { gate } from '../../support/async.js';
import { redisUnavailable } from '../../support/redis.js';
import { isRealServer } from '../../support/test-database.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_stale_race');
const noRedis = redisUnavailable('cache-stale-read-race') !== undefined;

// A second session reads while the first holds a transaction: not possible on embedded PGlite.
describe.runIf(isRealServer() && !noRedis)('a reader racing a write', () => {
  it('a reader between a write and its commit caches the old row, which is not served after the commit', async () => {
    const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
    const people = f.people([middleware]);
    await f.t.db.transaction(async () => {
      await people.update(1, { score: 500 });
      // Another request, outside the transaction, reads now: it sees (and caches) the committed row.
      expect((await f.t.db.outsideTransaction(() => people.findById(1)))?.score).toBe(5);
      expect((await f.t.db.outsideTransaction(() => people.findById(1)))?.score).toBe(5); // served from the cache
    });
    expect((await people.findById(1))?.score).toBe(500);
  });

  it('a reader stalled between its query and its fill until after the commit fills an orphaned key', async () => {
    const readerQueried = gate();
    const releaseReader = gate();
    let stallNextRead = false;
    // Runs after the cache: holds the reader once its query returned (old row), before the cache fills.
    const stall: RepositoryMiddleware = {
      name: 'stall',
      async handle(operation, next) {
        const result = await next();
        if (stallNextRead && operation.kind === 'findById') {
          stallNextRead = false;
          readerQueried.open();
          await releaseReader.promise;
        }
        return result;
      },
    };
    const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
    const people = f.people([middleware, stall]);

    let reader: Promise<unknown> | undefined;
    await f.t.db.transaction(async () => {
      await people.update(1, { score: 500 });
      stallNextRead = true;
      reader = f.t.db.outsideTransaction(() => people.findById(1)); // reads the old, committed row
      await readerQueried.promise;
    }); // commits, then bumps the version
    releaseReader.open(); // only now does the reader's fill happen, with the key of the version it read first
    expect(((await reader) as { score: number }).score).toBe(5);
    expect((await people.findById(1))?.score).toBe(500);
    expect((await people.findById(1))?.score).toBe(500);
  });

  it('a fill that reaches Redis only after the commit lands on the old version too', async () => {
    const redisStore = redisCacheStore(f.redis);
    const fillHeld = gate();
    const releaseFill = gate();
    let holdNextFill = false;
    // The real Redis store, except that one fill waits until the test lets it through.
    const store: CacheStore = {
      ...redisStore,
      name: 'redis (delayed fill)',
      set: (key, value, ttlSeconds) => {
        if (!holdNextFill) return redisStore.set(key, value, ttlSeconds);
        holdNextFill = false;
        fillHeld.open();
        return releaseFill.promise.then(() => redisStore.set(key, value, ttlSeconds));
      },
    };
    const people = f.people([cache({ store, ttlSeconds: 60, keyPrefix: f.prefix(), timeoutMs: 5_000 })]);
    await f.t.db.transaction(async () => {
      await people.update(1, { score: 500 });
      holdNextFill = true;
      expect((await f.t.db.outsideTransaction(() => people.findById(1)))?.score).toBe(5);
      await fillHeld.promise;
    });
    releaseFill.open();
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the delayed fill reach Redis
    expect((await people.findById(1))?.score).toBe(500);
  });

  it('a reader racing a write outside any transaction cannot leave the old row behind either', async () => {
    const middleware = cache({ store: redisCacheStore(f.redis), ttlSeconds: 60, keyPrefix: f.prefix() });
    const people = f.people([middleware]);
    for (let round = 0; round < 20; round++) {
      const [, written] = await Promise.all([people.findById(1), people.update(1, { score: round })]);
      expect((await people.findById(1))?.score).toBe(written.score);
    }
  });
});
