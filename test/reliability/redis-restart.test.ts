import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { BaseRepository, cache, type CacheMetrics, redisCacheStore } from '../../src/index.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from '../integration/repository/repository-fixture.js';
import { sleep } from '../support/async.js';
import { captureLogger } from '../support/capture-logger.js';
import { type PrivateRedis, privateRedisUnavailable, startPrivateRedis } from '../support/private-redis.js';
import { useTestDatabase } from '../support/test-database.js';

const unavailable = privateRedisUnavailable();
if (unavailable !== undefined) console.info(`[reliability] Redis restart tests skipped: ${unavailable}`);

const t = useTestDatabase<PeopleDB>('reliability_redis');
const WORKERS = 4;
const SEED_ROWS = 8;

interface LoadResult {
  reads: number;
  writes: number;
  /** A read that returned less than a value whose write had completed before the read began. */
  staleReads: string[];
  callerErrors: string[];
}

/**
 * Each worker owns one row and writes ever larger scores to it (update, and now and then
 * a create); every worker reads random rows through the cache (findById, findOne,
 * findMany, count). A read must reflect every write that completed before it started.
 */
async function runCachedLoad(
  people: BaseRepository<PeopleDB, 'people', 'deleted_at'>,
  stop: () => boolean,
): Promise<LoadResult> {
  const result: LoadResult = { reads: 0, writes: 0, staleReads: [], callerErrors: [] };
  const written = new Map<number, number>(); // row id -> score whose update has resolved
  let rowsCreated = 0;
  const check = (what: string, seen: number | undefined, atLeast: number) => {
    result.reads++;
    if (seen === undefined || seen < atLeast) result.staleReads.push(`${what}: saw ${seen}, expected >= ${atLeast}`);
  };
  const worker = async (index: number) => {
    const own = index + 1;
    for (let step = 1; !stop(); step++) {
      try {
        const score = step * 10 + index;
        await people.update(own, { score });
        written.set(own, score);
        result.writes++;
        if (step % 7 === 0) {
          await people.create({ email: `w${index}-${step}@x.io`, team: 'new' });
          rowsCreated++;
          result.writes++;
        }
        for (let read = 0; read < 4; read++) {
          const id = 1 + Math.floor(Math.random() * WORKERS);
          const floor = written.get(id) ?? 0;
          const created = rowsCreated;
          switch (read) {
            case 0:
              check(`findById(${id})`, (await people.findById(id))?.score, floor);
              break;
            case 1:
              check(`findOne(${id})`, (await people.findOne({ email: `seed${id}@x.io` }))?.score, floor);
              break;
            case 2:
              check(`findMany(${id})`, (await people.findMany({ where: { id } }))[0]?.score, floor);
              break;
            default:
              check('count()', await people.count(), SEED_ROWS + created);
          }
        }
      } catch (error) {
        result.callerErrors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
  return result;
}

const cases = [
  { label: 'no persistence, killed (SIGKILL): every key lost', persistence: false, signal: 'SIGKILL' },
  { label: 'append-only file, clean shutdown (SIGTERM): every key restored', persistence: true, signal: 'SIGTERM' },
  {
    label: 'append-only file, killed (SIGKILL): every acknowledged key restored',
    persistence: true,
    signal: 'SIGKILL',
  },
] as const;

describe.skipIf(unavailable !== undefined)(
  'Redis stopped and restarted during cached reads and writes (private redis-server)',
  () => {
    const servers: PrivateRedis[] = [];
    const clients: Redis[] = [];

    beforeAll(async () => {
      await createPeopleTable(t.db);
    });
    beforeEach(async () => {
      await sql`truncate people restart identity`.execute(t.db.kysely);
      await sql`insert into people (email, team, score) select 'seed' || i || '@x.io', 'seed', 0 from generate_series(1, ${SEED_ROWS}) as i`.execute(
        t.db.kysely,
      );
    });
    afterAll(async () => {
      for (const client of clients) client.disconnect();
      await Promise.all(servers.map((server) => server.close()));
    });

    it.each(cases)(
      '$label: no caller error and no stale read, while it is down and after it returns',
      async ({ persistence, signal }) => {
        const redis = await startPrivateRedis({ persistence });
        servers.push(redis);
        // Bounded failure while Redis is away; reconnects quickly once it is back.
        const client = new Redis({
          port: redis.port,
          host: '127.0.0.1',
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          retryStrategy: () => 50,
        });
        client.on('error', () => {});
        clients.push(client);
        const middleware = cache({
          store: redisCacheStore(client),
          ttlSeconds: 60,
          keyPrefix: 'reliability:',
          timeoutMs: 100,
          logger: captureLogger(),
        });
        const people = new BaseRepository(t.db, { ...peopleOptions, middleware: [middleware] });
        await people.count(); // columns loaded, cache warm

        let stopping = false;
        const load = runCachedLoad(people, () => stopping);
        const snapshots: Record<'beforeStop' | 'whileDown' | 'end', CacheMetrics> = {
          beforeStop: middleware.metrics(),
          whileDown: middleware.metrics(),
          end: middleware.metrics(),
        };
        try {
          await sleep(1_200);
          snapshots.beforeStop = middleware.metrics();
          await redis.stop(signal);
          await sleep(1_500);
          snapshots.whileDown = middleware.metrics();
          await redis.start();
          await sleep(2_500);
          snapshots.end = middleware.metrics();
        } finally {
          stopping = true;
        }
        const result = await load;
        console.info(
          `[reliability] redis ${signal} persistence=${persistence}: ${JSON.stringify({ reads: result.reads, writes: result.writes, stale: result.staleReads.length, errors: result.callerErrors.length, ...snapshots })}`,
        );

        expect(result.callerErrors).toEqual([]);
        expect(result.staleReads).toEqual([]);
        expect(result.reads).toBeGreaterThan(100);
        const { beforeStop, whileDown, end } = snapshots;
        expect(beforeStop.hits, 'the cache served reads before the fault').toBeGreaterThan(0);
        expect(whileDown.errors, 'store failures while Redis was down').toBeGreaterThan(beforeStop.errors);
        expect(end.hits, 'the cache serves reads again after Redis returned').toBeGreaterThan(whileDown.hits);
        expect(end.invalidations, 'invalidations succeed again after Redis returned').toBeGreaterThan(
          whileDown.invalidations,
        );
      },
      30_000,
    );

    it('restored from an older snapshot (RDB) after a later write: the old entries are not served', async () => {
      const redis = await startPrivateRedis();
      servers.push(redis);
      const client = new Redis({
        port: redis.port,
        host: '127.0.0.1',
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        retryStrategy: () => 50,
      });
      client.on('error', () => {});
      clients.push(client);
      if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
      const middleware = cache({
        store: redisCacheStore(client),
        ttlSeconds: 60,
        keyPrefix: 'reliability:',
        timeoutMs: 500,
        logger: captureLogger(),
      });
      const people = new BaseRepository(t.db, { ...peopleOptions, middleware: [middleware] });

      expect((await people.findById(1))?.score).toBe(0); // cached under the first version
      await expect.poll(() => client.keys('reliability:e2:*')).toHaveLength(1);
      expect(await client.save()).toBe('OK'); // the snapshot holds that version and entry
      await people.update(1, { score: 5 }); // bumps the version: succeeded, nothing owed
      expect((await people.findById(1))?.score).toBe(5);
      await redis.stop('SIGKILL');
      await redis.start(); // loads the snapshot: the old version is current again
      await expect.poll(() => client.status, { timeout: 3_000 }).toBe('ready');

      for (let i = 0; i < 3; i++) expect((await people.findById(1))?.score).toBe(5);
      expect(await people.count()).toBe(SEED_ROWS);
      expect(middleware.metrics().hits, 'served from the cache again, under a fresh version').toBeGreaterThan(0);
    });
  },
);
