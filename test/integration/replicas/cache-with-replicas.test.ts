import { AsyncLocalStorage } from 'node:async_hooks';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  BaseRepository,
  cache,
  type CacheMiddleware,
  type CacheStore,
  createDatabase,
  type Database,
  memoryCacheStore,
  redisCacheStore,
} from '../../../src/index.js';
import { redisUnavailable } from '../../support/redis.js';
import {
  startStreamingReplica,
  type StreamingPair,
  streamingReplicaUnavailable,
} from '../../support/streaming-replica.js';
import { BOUNDED_REDIS } from '../middleware/cache-fixture.js';
import { createNotesTable, type NotesDB, until } from './replica-fixture.js';

const unavailable = streamingReplicaUnavailable();
if (unavailable !== undefined) console.info(`[replicas] cache-with-replicas tests skipped: ${unavailable}`);
const noRedis = unavailable === undefined ? redisUnavailable('cache-with-replicas') : undefined;

/** The replica replays every commit this long after it was made. */
const APPLY_DELAY_MS = 1_500;

/** Runs `fn` outside every routing context: another request of the same service. */
const outside = AsyncLocalStorage.snapshot();

type Notes = BaseRepository<NotesDB, 'notes'>;

describe.skipIf(unavailable !== undefined)('the cache against a replica that trails by an apply delay', () => {
  let pair: StreamingPair;
  let db: Database<NotesDB>;
  let plain: Notes;
  let redis: Redis | undefined;
  let sequence = 0;

  beforeAll(async () => {
    pair = await startStreamingReplica({ applyDelayMs: APPLY_DELAY_MS });
    db = createDatabase<NotesDB>({
      connectionString: pair.primary.connectionString,
      replicas: [pair.replica.connectionString],
      maxLagMs: 60_000, // the delay is expected: keep the replica in use while it trails
      replicaProbeIntervalMs: 100,
      logger: 'silent',
    });
    await db.connect();
    await createNotesTable(db);
    plain = new BaseRepository<NotesDB, 'notes'>(db, { table: 'notes' });
    await until(() =>
      plain.count().then(
        () => true,
        () => false,
      ),
    );
    if (noRedis === undefined) {
      const url = new URL(inject('redisUrl'));
      redis = new Redis({ host: url.hostname, port: Number(url.port || 6379), ...BOUNDED_REDIS });
      await redis.connect();
    }
  }, 30_000);
  afterAll(async () => {
    await redis?.quit();
    await db?.close();
    await pair?.close();
  });

  /** A note the replica has replayed, and the token of its creation. */
  const replicatedNote = async (): Promise<{ id: number; token: string }> => {
    const { id, token } = await db.withConsistencyToken(undefined, async () => {
      const created = await plain.create({ body: 'old' });
      return { id: created.id, token: db.consistencyToken()! };
    });
    await until(() => plain.findById(id).then((row) => row !== undefined), 10_000);
    return { id, token };
  };

  describe.each([
    ['memory', () => memoryCacheStore({ maxEntries: 1_000 }), false],
    ['redis', () => redisCacheStore(redis!), true],
  ] as Array<[string, () => CacheStore, boolean]>)('with the %s store', (_name, makeStore, needsRedis) => {
    const cached = (): { notes: Notes; middleware: CacheMiddleware } => {
      const middleware = cache({ store: makeStore(), ttlSeconds: 60, keyPrefix: `cache-replicas:${++sequence}:` });
      return {
        middleware,
        notes: new BaseRepository<NotesDB, 'notes'>(db, { table: 'notes', middleware: [middleware] }),
      };
    };

    it.skipIf(needsRedis && noRedis !== undefined)(
      'a read after a write in the same context is fresh, never the entry a stale replica read cached meanwhile',
      async () => {
        const { id } = await replicatedNote();
        const { notes, middleware } = cached();
        await db.withConsistencyToken(undefined, async () => {
          await notes.update(id, { body: 'new' });
          // Another request, outside any context, reads the trailing replica under the new version.
          expect(await outside(() => notes.findById(id))).toMatchObject({ body: 'old' });
          expect(await outside(() => notes.findById(id))).toMatchObject({ body: 'old' }); // cached
          expect(middleware.metrics().hits).toBe(1);
          expect(await notes.findById(id)).toMatchObject({ body: 'new' });
          expect(middleware.metrics()).toMatchObject({ hits: 1, misses: 2 });
        });
      },
    );

    it.skipIf(needsRedis && noRedis !== undefined)(
      'an entry a stale replica read filled outside a context is not served in a context with a newer token',
      async () => {
        const { id, token: seeded } = await replicatedNote();
        const { notes, middleware } = cached();
        const token = await db.withConsistencyToken(undefined, async () => {
          await notes.update(id, { body: 'new' });
          return db.consistencyToken();
        });
        expect(await notes.findById(id)).toMatchObject({ body: 'old' }); // outside: the replica trails
        expect(await db.withConsistencyToken(token, () => notes.findById(id))).toMatchObject({ body: 'new' });
        // The refill recorded the position its read had to see: it now answers that token,
        // an older one, and reads outside any context.
        const { hits } = middleware.metrics();
        expect(await db.withConsistencyToken(token, () => notes.findById(id))).toMatchObject({ body: 'new' });
        expect(await db.withConsistencyToken(seeded, () => notes.findById(id))).toMatchObject({ body: 'new' });
        expect(await notes.findById(id)).toMatchObject({ body: 'new' });
        expect(middleware.metrics().hits).toBe(hits + 3);
      },
    );

    it.skipIf(needsRedis && noRedis !== undefined)(
      'db.primary() reads never take an entry filled from a replica',
      async () => {
        const { id } = await replicatedNote();
        const { notes } = cached();
        await notes.update(id, { body: 'new' });
        expect(await notes.findById(id)).toMatchObject({ body: 'old' });
        expect(await db.primary(() => notes.findById(id))).toMatchObject({ body: 'new' });
      },
    );

    it.skipIf(needsRedis && noRedis !== undefined)(
      'a read in a context never joins an identical read in flight outside it',
      async () => {
        const { id } = await replicatedNote();
        const { notes } = cached();
        const token = await db.withConsistencyToken(undefined, async () => {
          await notes.update(id, { body: 'new' });
          return db.consistencyToken();
        });
        const [stale, fresh] = await db.withConsistencyToken(token, () =>
          Promise.all([outside(() => notes.findById(id)), notes.findById(id)]),
        );
        expect(stale).toMatchObject({ body: 'old' });
        expect(fresh).toMatchObject({ body: 'new' });
      },
    );
  });
});
