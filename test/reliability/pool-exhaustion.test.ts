import { sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';

import { BaseRepository, DataLayerError, PoolTimeoutError } from '../../src/index.js';
import { createLoadTables, ITEMS_PER_TXN, type LoadDB, sessionsByState } from '../support/mixed-load.js';
import { isRealServer, useTestDatabase } from '../support/test-database.js';

const t = useTestDatabase<LoadDB>('reliability_pool');
const MAX = 3;
const CALLERS = 10 * MAX;
const ACQUIRE_TIMEOUT_MS = 250;
/** How long each of the first MAX callers holds its connection: far longer than the acquire timeout. */
const HOLD_SECONDS = 2;

if (!isRealServer())
  console.info('[reliability] pool exhaustion skipped: the embedded fallback has one shared session');

describe.runIf(isRealServer())('pool exhaustion: 10x callers against pool.max with a short acquire timeout', () => {
  beforeAll(async () => {
    await createLoadTables(t.db);
  });

  it('the excess fails with PoolTimeoutError within the bound, the rest succeed, nothing half-written, a healthy pool after', async () => {
    const applicationName = `reliability-pool-${process.pid}`;
    const db = t.open({ applicationName, pool: { max: MAX, connectionTimeoutMs: ACQUIRE_TIMEOUT_MS } });
    const notes = new BaseRepository(db, { table: 'notes' });
    // Warm the pool so the holders below do not pay for connecting, and load the table's
    // columns: a first repository call shares that one load (and its failure) with every caller.
    await notes.count();
    await Promise.all(Array.from({ length: MAX }, () => sql`select pg_sleep(0.05)`.execute(db.kysely)));
    expect(db.metrics().pool).toMatchObject({ total: MAX, idle: MAX });

    const transaction = (id: string, holdSeconds: number) =>
      db.transaction(async (tx) => {
        await tx
          .insertInto('items')
          .values([0, 1, 2].map((n) => ({ txn_id: id, n })))
          .execute();
        await db.transaction(async (inner) => {
          await inner.insertInto('items').values({ txn_id: id, n: 3 }).execute();
        });
        await sql`select pg_sleep(${holdSeconds})`.execute(tx);
        await tx.insertInto('ledger').values({ txn_id: id, rows: ITEMS_PER_TXN }).execute();
      });
    // The first MAX callers hold every connection; the other kinds queue behind them.
    const callers: Array<() => Promise<unknown>> = [
      () => transaction('holder-0', HOLD_SECONDS),
      () => sql`select pg_sleep(${HOLD_SECONDS})`.execute(db.kysely),
      () => transaction('holder-2', HOLD_SECONDS),
      ...Array.from({ length: CALLERS - MAX }, (_, index): (() => Promise<unknown>) => {
        switch (index % 5) {
          case 0:
            return () => transaction(`excess-${index}`, 0);
          case 1:
            return () => notes.create({ body: `excess-${index}` });
          case 2:
            return () => notes.findMany({ limit: 5 });
          case 3:
            return () => notes.createMany([{ body: `excess-${index}-a` }, { body: `excess-${index}-b` }]);
          default:
            return () => sql`select 1`.execute(db.kysely);
        }
      }),
    ];
    const started = Date.now();
    const outcomes = await Promise.all(
      callers.map(async (call) => {
        const callStarted = Date.now();
        try {
          await call();
          return { ok: true as const, ms: Date.now() - callStarted };
        } catch (error) {
          return { ok: false as const, error, ms: Date.now() - callStarted };
        }
      }),
    );
    const elapsed = Date.now() - started;
    const failures = outcomes.filter((outcome) => !outcome.ok);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(MAX);
    expect(outcomes.slice(0, MAX).every((outcome) => outcome.ok)).toBe(true);
    expect(failures).toHaveLength(CALLERS - MAX);
    for (const failure of failures) {
      expect(failure.error).toBeInstanceOf(PoolTimeoutError);
      expect(failure.error).toMatchObject({ statusCode: 503, retryable: true, timeoutMs: ACQUIRE_TIMEOUT_MS });
      expect(failure.ms).toBeLessThan(HOLD_SECONDS * 1000 - ACQUIRE_TIMEOUT_MS); // never waits for the holders
    }
    expect(elapsed).toBeLessThan(HOLD_SECONDS * 1000 + 3_000);

    // Nothing of a timed-out caller was written; both holder transactions are complete.
    const ledger = await sql<{ txn_id: string }>`select txn_id from ledger order by txn_id`.execute(t.db.kysely);
    expect(ledger.rows.map((row) => row.txn_id)).toEqual(['holder-0', 'holder-2']);
    const items = await sql<{
      txn_id: string;
      n: number;
    }>`select txn_id, count(*)::int as n from items group by txn_id order by txn_id`.execute(t.db.kysely);
    expect(items.rows).toEqual([
      { txn_id: 'holder-0', n: ITEMS_PER_TXN },
      { txn_id: 'holder-2', n: ITEMS_PER_TXN },
    ]);
    expect(await notes.count()).toBe(0);

    // A healthy pool after: health up, nothing checked out or waiting, the failures counted.
    await expect(db.health()).resolves.toMatchObject({ status: 'up' });
    expect(db.metrics().pool).toMatchObject({ active: 0, waiting: 0, max: MAX });
    expect(db.metrics().pool.total).toBeLessThanOrEqual(MAX);
    // The excess creates arrive in one tick, so the repository coalesces them into one
    // INSERT: one failed acquisition for all of them (each caller still got its own error).
    const excessCreates = Array.from({ length: CALLERS - MAX }, (_, index) => index).filter((i) => i % 5 === 1).length;
    expect(db.metrics().acquire.failed).toBe(CALLERS - MAX - (excessCreates - 1));
    expect(db.metrics().transactions).toMatchObject({ active: 0 });
    // The same handle serves CALLERS more calls, in waves of pool.max (so none has to queue
    // behind others on a loaded machine: this checks the pool, not the CPU).
    const rejected: string[] = [];
    for (let wave = 0; wave < CALLERS / MAX; wave++) {
      const calls = Array.from({ length: MAX }, (_, slot) => wave * MAX + slot).map((index) =>
        index % 2 ? notes.create({ body: `after-${index}` }) : notes.findMany({ limit: 1 }),
      );
      for (const each of await Promise.allSettled(calls)) {
        if (each.status === 'rejected')
          rejected.push(each.reason instanceof DataLayerError ? each.reason.name : String(each.reason));
      }
    }
    expect(rejected).toEqual([]);
    expect(await notes.count()).toBe(CALLERS / 2);

    const admin = new pg.Client({ connectionString: inject('databaseUrl'), application_name: 'reliability-admin' });
    await admin.connect();
    try {
      const sessions = await sessionsByState(admin, applicationName);
      expect(
        Object.keys(sessions).filter((state) => state !== 'idle'),
        JSON.stringify(sessions),
      ).toEqual([]);
      expect(sessions.idle ?? 0).toBeLessThanOrEqual(MAX);
    } finally {
      await admin.end();
    }
  });
});
