import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';

import { createDatabase, type Database, DatabaseClosedError, PoolTimeoutError } from '../../src/index.js';
import { useCleanup } from '../support/async.js';
import { freePort, startSilentServer, withPort } from '../support/tcp.js';
import { isRealServer, useTestDatabase } from '../support/test-database.js';

const t = useTestDatabase<Record<string, never>>('pool');
const { track } = useCleanup();

describe.runIf(isRealServer())('pool exhaustion', () => {
  it('fails a waiting query with PoolTimeoutError and counts the failed acquisition', async () => {
    const db = t.open({ pool: { max: 1, connectionTimeoutMs: 200 } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = db.kysely.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await held;
    });
    await expect.poll(() => db.metrics().pool.active).toBe(1);
    const started = Date.now();
    const error = await sql`select 1`.execute(db.kysely).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect(error).toMatchObject({ code: 'POOL_TIMEOUT', statusCode: 503, retryable: true, timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(db.metrics().acquire.failed).toBe(1);
    release();
    await holder;
    expect(db.metrics().pool).toMatchObject({ active: 0, waiting: 0, max: 1 });
  });
});

describe('health()', () => {
  it('reports up with the server version, latency and pool', async () => {
    const report = await t.db.health();
    expect(report.status).toBe('up');
    expect(report.serverVersion).toMatch(/^\d+/);
    expect(report.latencyMs).toBeGreaterThanOrEqual(0);
    expect(report.pool).toEqual(t.db.metrics().pool);
    expect(report.error).toBeUndefined();
  });

  it('reports down within its timeout when the server accepts but never answers', async () => {
    const silent = track(await startSilentServer());
    const db = track(
      createDatabase({
        connectionString: withPort(inject('databaseUrl'), silent.port),
        logger: 'silent',
        pool: { connectionTimeoutMs: 1_000 },
      }),
    );
    const started = Date.now();
    const report = await db.health({ timeoutMs: 200 });
    const elapsed = Date.now() - started;
    expect(report).toMatchObject({ status: 'down', serverVersion: undefined, error: { code: 'HEALTH_TIMEOUT' } });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(900);
  });

  it('reports down (never throws) when nothing listens', async () => {
    const db = track(
      createDatabase({ connectionString: withPort(inject('databaseUrl'), await freePort()), logger: 'silent' }),
    );
    const report = await db.health({ timeoutMs: 2_000 });
    expect(report).toMatchObject({ status: 'down', error: { code: 'CONNECTION_FAILED' } });
  });
});

describe('metrics()', () => {
  it('counts statements, failures and slow ones, with percentiles over a bounded window', async () => {
    const db = t.open({ slowQueryThresholdMs: 50, onSlowQuery: () => {} });
    for (let i = 0; i < 1_500; i++) await sql`select 1`.execute(db.kysely);
    await sql`select pg_sleep(0.06)`.execute(db.kysely);
    await sql`select * from missing_table`.execute(db.kysely).catch(() => {});
    const { queries, acquire, pool } = db.metrics();
    expect(queries).toMatchObject({ total: 1_502, failed: 1, slow: 1 });
    expect(queries.p50Ms).toBeGreaterThan(0);
    expect(queries.p99Ms).toBeGreaterThanOrEqual(queries.p95Ms);
    expect(queries.p95Ms).toBeGreaterThanOrEqual(queries.p50Ms);
    expect(acquire.total).toBe(1_502);
    expect(pool).toMatchObject({ active: 0, waiting: 0 });
  });
});

describe('close()', () => {
  it('drains, is idempotent, and afterwards every call fails with DatabaseClosedError', async () => {
    const db = t.open();
    await sql`select 1`.execute(db.kysely);
    const inFlight = sql`select pg_sleep(0.1)`.execute(db.kysely);
    // Started before close(): it already asked the pool for a connection, so it finishes.
    const racing = sql`select 2 as two`.execute(db.kysely);
    const closing = db.close();
    expect(db.close()).toBe(closing);
    await closing;
    await expect(inFlight).resolves.toBeDefined();
    await expect(racing).resolves.toMatchObject({ rows: [{ two: 2 }] });
    expect(db.metrics().pool.total).toBe(0);
    await expect(sql`select 1`.execute(db.kysely)).rejects.toBeInstanceOf(DatabaseClosedError);
    await expect(db.connect()).rejects.toBeInstanceOf(DatabaseClosedError);
    await expect(db.health()).resolves.toMatchObject({ status: 'down', error: { code: 'DATABASE_CLOSED' } });
    expect(db.closed).toBe(true);
  });

  it('works with await using', async () => {
    let escaped: Database<unknown> | undefined;
    {
      await using db = createDatabase({ ...t.options, logger: 'silent' });
      escaped = db;
      await sql`select 1`.execute(db.kysely);
    }
    expect(escaped.closed).toBe(true);
    await expect(sql`select 1`.execute(escaped.kysely)).rejects.toBeInstanceOf(DatabaseClosedError);
  });
});
