import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, createDatabase, type Database, ValidationError } from '../../../src/index.js';
import {
  startStreamingReplica,
  type StreamingPair,
  streamingReplicaUnavailable,
} from '../../support/streaming-replica.js';
import { createNotesTable, type NotesDB, servedBy, until } from './replica-fixture.js';

const unavailable = streamingReplicaUnavailable();
if (unavailable !== undefined) console.info(`[replicas] read-your-writes tests skipped: ${unavailable}`);

/** The replica replays every commit this long after it was made. */
const APPLY_DELAY_MS = 1_500;

describe.skipIf(unavailable !== undefined)('read-your-writes against a replica that trails by an apply delay', () => {
  let pair: StreamingPair;
  let db: Database<NotesDB>;
  let notes: BaseRepository<NotesDB, 'notes'>;
  const replicaReads = () => db.metrics().replicas![0]!.reads;

  beforeAll(async () => {
    pair = await startStreamingReplica({ applyDelayMs: APPLY_DELAY_MS });
    db = createDatabase<NotesDB>({
      connectionString: pair.primary.connectionString,
      replicas: [pair.replica.connectionString],
      // The delay is expected here: keep the replica in use while it trails.
      maxLagMs: 60_000,
      replicaProbeIntervalMs: 100,
      logger: 'silent',
    });
    await db.connect();
    await createNotesTable(db);
    notes = new BaseRepository<NotesDB, 'notes'>(db, { table: 'notes' });
    await until(() =>
      notes.count().then(
        () => true,
        () => false,
      ),
    );
  }, 30_000);
  afterAll(async () => {
    await db?.close();
    await pair?.close();
  });

  it('makes the lag visible: outside a consistency context a read right after a write is stale', async () => {
    const created = await notes.create({ body: 'eventually' });
    expect(await notes.findById(created.id)).toBeUndefined();
    expect(await servedBy(db.kysely)).toBe('replica');
  });

  it('never serves a stale read after a write in the same context (repository, kysely and transaction writes)', async () => {
    await db.withConsistencyToken(undefined, async () => {
      expect(db.consistencyToken()).toBeUndefined();
      const created = await notes.create({ body: 'mine' });
      expect(db.consistencyToken()).toMatch(/^lsn:[0-9A-F]+\/[0-9A-F]+$/);
      expect(await notes.findById(created.id)).toMatchObject({ body: 'mine' });

      const inserted = await db.kysely
        .insertInto('notes')
        .values({ body: 'kysely' })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(
        await db.kysely.selectFrom('notes').selectAll().where('id', '=', inserted.id).executeTakeFirst(),
      ).toMatchObject({ body: 'kysely' });

      const inTransaction = await db.transaction(() => notes.create({ body: 'transaction' }));
      expect(await notes.findById(inTransaction.id)).toMatchObject({ body: 'transaction' });
      // The replica has not replayed these yet, so all of them came from the primary.
      expect(await servedBy(db.kysely)).toBe('primary');
    });
  });

  it('never lets a same-tick batch (coalescing) carry a call across consistency contexts', async () => {
    // A batch runs in its first caller's context: the plain call comes first each time.
    const [, mine] = await Promise.all([
      notes.create({ body: 'plain' }),
      db.withConsistencyToken(undefined, async () => {
        const row = await notes.create({ body: 'tracked' });
        return { row, token: db.consistencyToken() };
      }),
    ]);
    expect(mine.token).toBeDefined();
    const [outside, inside, strong] = await Promise.all([
      notes.findById(mine.row.id),
      db.withConsistencyToken(mine.token, () => notes.findById(mine.row.id)),
      notes.findById(mine.row.id, { consistency: 'strong' }),
    ]);
    expect(outside).toBeUndefined();
    expect(inside).toMatchObject({ body: 'tracked' });
    expect(strong).toMatchObject({ body: 'tracked' });
  });

  it('carries the token to a later context (another request) and reads from the replica once it replayed it', async () => {
    const { id, token } = await db.withConsistencyToken(undefined, async () => {
      const created = await notes.create({ body: 'carried' });
      return { id: created.id, token: db.consistencyToken() };
    });
    expect(token).toBeDefined();
    // A fresh context without the token may read the stale replica; with it, never.
    expect(await db.withConsistencyToken(undefined, () => notes.findById(id))).toBeUndefined();
    expect(await db.withConsistencyToken(token, () => notes.findById(id))).toMatchObject({ body: 'carried' });

    await until(() => notes.findById(id).then((row) => row !== undefined));
    const before = replicaReads();
    expect(await db.withConsistencyToken(token, () => notes.findById(id))).toMatchObject({ body: 'carried' });
    expect(replicaReads()).toBe(before + 1);
  });

  it('waits up to maxWaitMs for the replica instead of reading from the primary', async () => {
    const waiting = createDatabase<NotesDB>({
      connectionString: pair.primary.connectionString,
      replicas: [pair.replica.connectionString],
      maxLagMs: 60_000,
      maxWaitMs: 10_000,
      logger: 'silent',
    });
    const waitingNotes = new BaseRepository<NotesDB, 'notes'>(waiting, { table: 'notes' });
    try {
      await waiting.withConsistencyToken(undefined, async () => {
        const created = await waitingNotes.create({ body: 'worth the wait' });
        const before = waiting.metrics().replicas![0]!.reads;
        const started = Date.now();
        expect(await waitingNotes.findById(created.id)).toMatchObject({ body: 'worth the wait' });
        expect(waiting.metrics().replicas![0]!.reads).toBe(before + 1);
        expect(Date.now() - started).toBeGreaterThan(APPLY_DELAY_MS / 3);
      });
    } finally {
      await waiting.close();
    }
  });

  it('rejects a token it did not issue', () => {
    expect(() => db.withConsistencyToken('not-a-token', () => 1)).toThrow(ValidationError);
  });

  it('takes a replica lagging beyond maxLagMs out of rotation until it catches up', async () => {
    const strict = createDatabase<NotesDB>({
      connectionString: pair.primary.connectionString,
      replicas: [pair.replica.connectionString],
      maxLagMs: 300,
      replicaProbeIntervalMs: 50,
      logger: 'silent',
    });
    try {
      await strict.connect();
      await strict.kysely.insertInto('notes').values({ body: 'lag' }).execute();
      await until(async () => strict.metrics().replicas![0]!.state === 'lagging');
      expect(await servedBy(strict.kysely)).toBe('primary');
      await until(async () => strict.metrics().replicas![0]!.state === 'up');
      expect(await servedBy(strict.kysely)).toBe('replica');
    } finally {
      await strict.close();
    }
  });
});
