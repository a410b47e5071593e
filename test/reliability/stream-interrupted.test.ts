import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { BaseRepository, ConnectionError, createDatabase, type Database } from '../../src/index.js';
import { sleep } from '../support/async.js';
import { adminClient, createLoadTables, type LoadDB, sessionsByState } from '../support/mixed-load.js';
import { type PrivateCluster, privateClusterUnavailable, startPrivateCluster } from '../support/private-cluster.js';

const unavailable = privateClusterUnavailable();
if (unavailable !== undefined) console.info(`[reliability] interrupted-stream tests skipped: ${unavailable}`);

const APPLICATION_NAME = 'reliability-stream';
const BOUND_MS = 5_000;
const ROWS = 5_000;

type Settled<T> = { value: T } | { error: unknown } | 'hung';

/** `work`'s outcome, or 'hung' when it has not settled within the bound (then it is abandoned). */
async function bounded<T>(work: Promise<T>): Promise<Settled<T>> {
  return Promise.race([
    work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    sleep(BOUND_MS).then(() => 'hung' as const),
  ]);
}

/** Reads every row; after the first 50 it runs `fault` (the cursor is then between two reads). */
async function drain(
  rows: AsyncIterable<unknown>,
  fault: () => Promise<void>,
  options: { stopAfterFault?: boolean } = {},
): Promise<number> {
  let seen = 0;
  for await (const _row of rows) {
    if (++seen === 50) {
      await fault();
      if (options.stopAfterFault) break; // return() on the iterator: the stream closes its cursor
    }
  }
  return seen;
}

describe.skipIf(unavailable !== undefined)('a stream whose connection dies (private cluster)', () => {
  let cluster: PrivateCluster | undefined;
  let db: Database<LoadDB> | undefined;
  let admin: pg.Client | undefined;
  let notes: BaseRepository<LoadDB, 'notes'>;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    const setup = createDatabase<LoadDB>({ connectionString: cluster.connectionString, logger: 'silent' });
    await createLoadTables(setup);
    await sql`insert into notes (body) select 'n' || i from generate_series(1, ${ROWS}) as i`.execute(setup.kysely);
    await setup.close();
    admin = await adminClient(cluster.connectionString);
  });
  // A fresh handle per test, so a test that hangs holds no connection the next one needs.
  beforeEach(() => {
    db = createDatabase<LoadDB>({
      connectionString: cluster!.connectionString,
      applicationName: APPLICATION_NAME,
      logger: 'silent',
      pool: { max: 2 },
    });
    notes = new BaseRepository(db, { table: 'notes' });
  });
  afterEach(async () => {
    await bounded(db!.close()); // abandoned if it hangs: the assertions already failed
  });
  afterAll(async () => {
    await admin?.end();
    await cluster?.close();
  });

  const terminateBackend = async () => {
    await admin!.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      APPLICATION_NAME,
    ]);
    await sleep(100); // the socket is closed before the next read
  };
  const restartServer = async () => {
    await cluster!.stopServer('fast');
    await cluster!.startServer();
    await admin!.end();
    admin = await adminClient(cluster!.connectionString);
  };

  const expectHealthyAfter = async () => {
    await expect.poll(() => db!.metrics().pool, { timeout: 2_000 }).toMatchObject({ active: 0, waiting: 0 });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from notes`.execute(db!.kysely);
    expect(rows[0]?.n).toBe(ROWS);
    expect(Object.keys(await sessionsByState(admin!, APPLICATION_NAME)).filter((state) => state !== 'idle')).toEqual(
      [],
    );
    await expect(bounded(db!.close().then(() => 'closed'))).resolves.toEqual({ value: 'closed' });
  };

  it('backend terminated mid-stream on the pool: the consumer gets a ConnectionError within the bound', async () => {
    const outcome = await bounded(drain(notes.stream(undefined, { batchSize: 20 }), terminateBackend));
    expect(outcome).toMatchObject({ error: expect.any(ConnectionError) as unknown });
    await expectHealthyAfter();
  });

  it('backend terminated mid-stream inside db.transaction(): the transaction rejects with a ConnectionError', async () => {
    const outcome = await bounded(
      db!.transaction(() => drain(notes.stream(undefined, { batchSize: 20 }), terminateBackend)),
    );
    expect(outcome).toMatchObject({ error: expect.any(ConnectionError) as unknown });
    await expectHealthyAfter();
  });

  it('the consumer stops early after its backend was terminated: the stream ends, the connection is discarded', async () => {
    const outcome = await bounded(
      drain(notes.stream(undefined, { batchSize: 20 }), terminateBackend, { stopAfterFault: true }),
    );
    expect(outcome).toEqual({ value: 50 });
    await expectHealthyAfter();
  });

  it('server restarted mid-stream: a ConnectionError within the bound, the same handle works after', async () => {
    const outcome = await bounded(drain(notes.stream(undefined, { batchSize: 20 }), restartServer));
    expect(outcome).toMatchObject({ error: expect.any(ConnectionError) as unknown });
    await expectHealthyAfter();
  }, 20_000);
});
