import { describe, expect, it } from 'vitest';

import { cache, redisCacheStore } from '../../../src/middleware/cache/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { redisUnavailable } from '../../support/redis.js';
import { freePort, startSilentServer } from '../../support/tcp.js';
import { useCacheFixture } from './cache-fixture.js';

const f = useCacheFixture('cache_redis_down');
const noRedis = redisUnavailable('cache-redis-down') !== undefined;

const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
};

describe('Redis unavailable', () => {
  it.skipIf(noRedis)(
    'Redis stopped mid-test: reads and writes go on against the database, errors are counted and logged once',
    async () => {
      const client = f.client();
      await client.connect();
      const logger = captureLogger();
      const middleware = cache({ store: redisCacheStore(client), ttlSeconds: 60, keyPrefix: f.prefix(), logger });
      const people = f.people([middleware]);
      await people.findById(1);
      expect((await people.findById(1))?.score).toBe(5);
      expect(middleware.metrics()).toMatchObject({ hits: 1, misses: 1, errors: 0 });

      client.disconnect(); // our connection is gone; the shared Redis server keeps running
      const write = await timed(() => people.update(1, { score: 8 }));
      expect(write.value.score).toBe(8);
      for (let i = 0; i < 5; i++) {
        const read = await timed(() => people.findById(1));
        expect(read.value?.score).toBe(8); // never the stale cached 5
        expect(read.ms).toBeLessThan(1_000);
      }
      expect(await people.count()).toBe(3);
      expect(middleware.metrics().errors).toBeGreaterThanOrEqual(1);
      const warnings = logger.lines.filter((line) => line.level === 'warn');
      expect(warnings.map((line) => line.message)).toEqual([
        'cache invalidation failed; other processes may read stale entries of this table until they expire',
      ]); // reads while the invalidation is owed do not touch Redis at all
    },
  );

  it('nothing listens on the port: every call fails fast and falls through', async () => {
    const logger = captureLogger();
    const client = f.client({ port: await freePort(), retryStrategy: () => null });
    const middleware = cache({ store: redisCacheStore(client), ttlSeconds: 60, keyPrefix: f.prefix(), logger });
    const people = f.people([middleware]);
    for (let i = 0; i < 5; i++) {
      const read = await timed(() => people.findById(2));
      expect(read.value?.email).toBe('r2@x.io');
      expect(read.ms).toBeLessThan(1_000);
    }
    expect(f.selects()).toBe(5);
    expect(middleware.metrics()).toMatchObject({ hits: 0, misses: 5, errors: 5 });
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1); // once per interval
    expect(logger.lines[0]?.message).toBe('cache store unavailable; reading from the database');
  });

  it('Redis hangs (accepts, never answers): each read falls through within about timeoutMs', async () => {
    const silent = await startSilentServer();
    try {
      // Ready as soon as TCP connects (no ready check, no CLIENT SETINFO): then every command is sent and never answered.
      const client = f.client({
        port: silent.port,
        enableReadyCheck: false,
        disableClientInfo: true,
        retryStrategy: () => null,
      });
      await client.connect();
      const middleware = cache({
        store: redisCacheStore(client),
        ttlSeconds: 60,
        keyPrefix: f.prefix(),
        timeoutMs: 50,
        logger: captureLogger(),
      });
      const people = f.people([middleware]);
      await people.count(); // loads the columns; also bounded by the timeout
      for (let i = 0; i < 3; i++) {
        const read = await timed(() => people.findById(3));
        expect(read.value?.email).toBe('b1@x.io');
        expect(read.ms).toBeGreaterThanOrEqual(45);
        expect(read.ms).toBeLessThan(1_000);
      }
      const write = await timed(() => people.update(3, { score: 1 }));
      expect(write.value.score).toBe(1);
      expect(write.ms).toBeLessThan(1_000);
      expect(middleware.metrics().errors).toBe(5);
      client.disconnect();
    } finally {
      await silent.close();
    }
  });
});
