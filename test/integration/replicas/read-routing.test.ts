import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, ConfigError, createDatabase, createMigrator, type Database } from '../../../src/index.js';
import {
  startStreamingReplica,
  type StreamingPair,
  streamingReplicaUnavailable,
} from '../../support/streaming-replica.js';
import { createNotesTable, type NotesDB, servedBy, servingPort, until } from './replica-fixture.js';

const unavailable = streamingReplicaUnavailable();
if (unavailable !== undefined) console.info(`[replicas] read routing tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('read routing with a streaming replica', () => {
  let pair: StreamingPair;
  let db: Database<NotesDB>;
  let notes: BaseRepository<NotesDB, 'notes'>;

  beforeAll(async () => {
    pair = await startStreamingReplica();
    db = createDatabase<NotesDB>({
      connectionString: pair.primary.connectionString,
      replicas: [pair.replica.connectionString],
      replicaProbeIntervalMs: 100,
      logger: 'silent',
    });
    await db.connect();
    await createNotesTable(db);
    notes = new BaseRepository<NotesDB, 'notes'>(db, { table: 'notes' });
    await until(
      async () =>
        await db.kysely
          .selectFrom('notes')
          .select('id')
          .execute()
          .then(
            () => true,
            () => false,
          ),
    );
  }, 30_000);
  afterAll(async () => {
    await db?.close();
    await pair?.close();
  });

  it('sends a plain SELECT of db.kysely to the replica, on its port', async () => {
    expect(await servedBy(db.kysely)).toBe('replica');
    expect(await servingPort(db)).toBe(pair.replica.port);
  });

  it('sends repository reads to the replica and writes to the primary', async () => {
    const created = await notes.create({ body: 'routed' });
    await until(async () => (await notes.findById(created.id)) !== undefined);
    const before = db.metrics().replicas![0]!.reads;
    expect(await notes.count()).toBeGreaterThan(0);
    expect((await notes.findMany()).length).toBeGreaterThan(0);
    // findById runs prepared raw SQL: a read operation's statements are reads all the same.
    expect(await notes.findById(created.id)).toMatchObject({ body: 'routed' });
    const streamed: unknown[] = [];
    for await (const row of notes.stream()) streamed.push(row);
    expect(streamed.length).toBeGreaterThan(0);
    expect(db.metrics().replicas![0]!.reads).toBe(before + 4);
    // A write that would fail on a replica succeeds: it ran on the primary.
    await expect(notes.update(created.id, { body: 'edited' })).resolves.toMatchObject({ body: 'edited' });
  });

  it('keeps a { consistency: "strong" } stream on the primary while it is iterated, also when stopped early', async () => {
    await notes.create({ body: 'strong stream 1' });
    await notes.create({ body: 'strong stream 2' });
    const before = db.metrics().replicas![0]!.reads;
    const all: unknown[] = [];
    for await (const row of notes.stream({}, { consistency: 'strong', batchSize: 1 })) all.push(row);
    // On the primary right after the writes: no replica lag can hide them.
    expect(all.length).toBeGreaterThanOrEqual(2);
    for await (const row of notes.stream({}, { consistency: 'strong', batchSize: 1 })) {
      expect(row).toBeDefined();
      break;
    }
    expect(db.metrics().replicas![0]!.reads).toBe(before);
  });

  it('runs everything inside db.transaction() on the primary', async () => {
    const seen = await db.transaction(async () => [await servedBy(db.kysely), await servingPort(db)]);
    expect(seen).toEqual(['primary', pair.primary.port]);
  });

  it('runs raw SQL, non-SELECT statements and locking SELECTs on the primary', async () => {
    const raw = await sql<{ recovery: boolean }>`select pg_is_in_recovery() as recovery`.execute(db.kysely);
    expect(raw.rows[0]!.recovery).toBe(false);
    const inserted = await db.kysely
      .insertInto('notes')
      .values({ body: 'kysely' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(inserted.id).toBeGreaterThan(0);
    const locked = await db.kysely
      .selectFrom('notes')
      .select(sql<boolean>`pg_is_in_recovery()`.as('recovery'))
      .forUpdate()
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(locked.recovery).toBe(false);
    const advisory = await db.kysely
      .selectNoFrom([
        sql<boolean>`pg_try_advisory_lock(4242)`.as('locked'),
        sql<boolean>`pg_is_in_recovery()`.as('recovery'),
      ])
      .executeTakeFirstOrThrow();
    expect(advisory).toEqual({ locked: true, recovery: false });
    await sql`select pg_advisory_unlock(4242)`.execute(db.kysely);
  });

  it("forces the primary with db.primary() and { consistency: 'strong' }", async () => {
    expect(await db.primary(() => servedBy(db.kysely))).toBe('primary');
    const created = await notes.create({ body: 'strong' });
    // Found at once on the primary, whatever the replica has replayed.
    expect(await notes.findById(created.id, { consistency: 'strong' })).toMatchObject({ body: 'strong' });
    const before = db.metrics().replicas![0]!.reads;
    await notes.count(undefined, { consistency: 'strong' });
    expect(db.metrics().replicas![0]!.reads).toBe(before);
  });

  it('runs migrations, ledger reads included, on the primary', async () => {
    const migrator = createMigrator(db, {
      migrations: {
        '0001_tags': {
          up: async (kysely) => void (await kysely.schema.createTable('tags').addColumn('id', 'integer').execute()),
        },
      },
    });
    await migrator.latest();
    // Read on the primary: right after applying, the replica may not have the ledger yet.
    expect(await migrator.summary()).toMatchObject({ latest: '0001_tags', pending: 0 });
  });

  it('reports each replica in metrics() and health()', async () => {
    const health = await db.health();
    expect(health.status).toBe('up');
    expect(health.replicas).toHaveLength(1);
    const reported = health.replicas![0]!;
    expect(reported).toMatchObject({ name: 'replicas[0]', state: 'up' });
    expect(typeof reported.lagMs).toBe('number');
    expect(typeof reported.latencyMs).toBe('number');
    const [replica] = db.metrics().replicas!;
    expect(replica!.pool.max).toBe(10);
    expect(replica!.target).toContain(`:${pair.replica.port}`);
  });

  it('reports a replica URL that is not a replica at connect(), without its password', async () => {
    const url = new URL(pair.primary.connectionString);
    url.password = 'hunter2-secret';
    const misconfigured = createDatabase<NotesDB>({
      connectionString: pair.primary.connectionString,
      replicas: [pair.replica.connectionString, { name: 'reporting', connectionString: url.toString() }],
      logger: 'silent',
    });
    try {
      const error = await misconfigured.connect().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ option: 'replicas.1' });
      expect((error as Error).message).toContain('reporting');
      expect((error as Error).message).toContain('not a replica');
      expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('hunter2-secret');
      // Never used for reads either, connect() or not.
      expect(misconfigured.metrics().replicas![1]!.state).toBe('not-replica');
    } finally {
      await misconfigured.close();
    }
  });

  it('uses pickReplica to choose, and the primary when it returns undefined', async () => {
    const chosen: string[] = [];
    const picky = createDatabase<NotesDB>({
      connectionString: pair.primary.connectionString,
      replicas: [{ name: 'only', connectionString: pair.replica.connectionString }],
      pickReplica: (candidates) => {
        chosen.push(...candidates.map((each) => each.name));
        return chosen.length > 1 ? undefined : candidates[0];
      },
      logger: 'silent',
    });
    try {
      expect(await servedBy(picky.kysely)).toBe('replica');
      expect(await servedBy(picky.kysely)).toBe('primary');
      expect(chosen).toEqual(['only', 'only']);
    } finally {
      await picky.close();
    }
  });
});
