import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, ConnectionError, createDatabase, type Database } from '../../../src/index.js';
import {
  startStreamingReplica,
  type StreamingPair,
  streamingReplicaUnavailable,
} from '../../support/streaming-replica.js';
import { createNotesTable, type NotesDB, servedBy, until } from './replica-fixture.js';

const unavailable = streamingReplicaUnavailable();
if (unavailable !== undefined) console.info(`[replicas] failover tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('replica failover, readmission and fail-closed', () => {
  let pair: StreamingPair;
  let open: Database<NotesDB>;
  let closed: Database<NotesDB>;
  const stateOf = (db: Database<NotesDB>) => db.metrics().replicas![0]!.state;

  beforeAll(async () => {
    pair = await startStreamingReplica();
    const options = {
      connectionString: pair.primary.connectionString,
      replicas: [pair.replica.connectionString],
      replicaProbeIntervalMs: 100,
      pool: { connectionTimeoutMs: 2_000 },
      logger: 'silent',
    } as const;
    open = createDatabase<NotesDB>(options);
    closed = createDatabase<NotesDB>({ ...options, replicaFallback: 'error' });
    await Promise.all([open.connect(), closed.connect()]);
    await createNotesTable(open);
    // Both pools hold replica connections when the replica goes away.
    await until(
      async () => (await servedBy(open.kysely)) === 'replica' && (await servedBy(closed.kysely)) === 'replica',
    );
  }, 30_000);
  afterAll(async () => {
    await open?.close();
    await closed?.close();
    await pair?.close();
  });

  it('reads from the primary when the replica stops, fail-closed reads fail with ConnectionError, writes go on', async () => {
    const notes = new BaseRepository<NotesDB, 'notes'>(open, { table: 'notes' });
    await pair.replica.stopServer('fast');
    // The very first read after the stop fails over within the call (no error reaches the caller).
    expect(await servedBy(open.kysely)).toBe('primary');
    expect(await notes.count()).toBeGreaterThanOrEqual(0);
    expect(stateOf(open)).toBe('down');
    expect(open.metrics().replicas![0]!.failures).toBeGreaterThan(0);

    await until(async () => stateOf(closed) === 'down');
    await expect(servedBy(closed.kysely)).rejects.toBeInstanceOf(ConnectionError);
    await expect(closed.kysely.insertInto('notes').values({ body: 'still writable' }).execute()).resolves.toBeDefined();
    await expect(closed.transaction(() => servedBy(closed.kysely))).resolves.toBe('primary');

    const health = await open.health({ timeoutMs: 3_000 });
    expect(health.status).toBe('up');
    expect(health.replicas![0]).toMatchObject({ state: 'down', error: { code: expect.any(String) as string } });
  });

  it('readmits the replica once probes reach it again', async () => {
    await pair.replica.startServer();
    await pair.waitUntilStreaming();
    await until(async () => stateOf(open) === 'up' && stateOf(closed) === 'up');
    expect(await servedBy(open.kysely)).toBe('replica');
    expect(await servedBy(closed.kysely)).toBe('replica');
  });
});
