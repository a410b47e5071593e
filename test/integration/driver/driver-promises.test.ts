import { createHook } from 'node:async_hooks';

import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { PgConnection } from '../../../src/driver/pg-connection.js';
import { type ConnectionSource, PgDriver } from '../../../src/driver/pg-driver.js';
import { PreparedStatements } from '../../../src/driver/prepared-statements.js';
import { QueryInstrumentation } from '../../../src/driver/query-instrumentation.js';
import { PoolTimeoutError, QueryError } from '../../../src/index.js';
import { createTestSchema, type TestSchema } from '../../../src/testing/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { isRealServer } from '../../support/test-database.js';

const unavailable = isRealServer() ? undefined : 'needs a real PostgreSQL server (PGlite shares one session)';
if (unavailable) console.info(`[driver-promises] skipped: ${unavailable}`);

/** Promises created while `call` runs synchronously (the driver queues everything synchronously). */
function promisesCreatedBy<T>(call: () => T): { count: number; value: T } {
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') count++;
    },
  });
  hook.enable();
  let value: T;
  try {
    value = call();
  } finally {
    hook.disable();
  }
  return { count, value };
}

describe.skipIf(unavailable !== undefined)('the driver adds one promise per statement and per acquire', () => {
  let schema: TestSchema;
  let pool: pg.Pool;
  let closed = false;
  const setup = (options: { prepared?: boolean; timeoutMs?: number; source?: ConnectionSource } = {}) => {
    const logger = captureLogger();
    const instrumentation = new QueryInstrumentation({
      logger,
      slowQueryThresholdMs: 60_000,
      onSlowQuery: undefined,
      logParameters: false,
    });
    const driver = new PgDriver({
      pool: options.source ?? pool,
      instrumentation,
      connectionTimeoutMs: options.timeoutMs ?? 5_000,
      isClosed: () => closed,
      preparedStatements: options.prepared ? new PreparedStatements({ max: 10 }, logger) : undefined,
    });
    return { driver, instrumentation, logger };
  };
  const driverFor = (options: { prepared?: boolean; timeoutMs?: number } = {}) => setup(options).driver;

  beforeAll(async () => {
    schema = await createTestSchema(inject('databaseUrl'), 'driver_promises');
    const { connectionString } = schema.options as { connectionString: string };
    pool = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: 200 });
    await pool.query(`create table "${schema.schema}".ordered (id serial primary key, label text not null)`);
  });
  afterAll(async () => {
    await pool?.end();
    await schema?.drop();
  });

  it('a statement, unnamed or named, costs one promise: pg gets a callback, not its own promise form', async () => {
    for (const prepared of [false, true]) {
      const connection = await driverFor({ prepared }).acquireConnection();
      const raw = await pool.connect();
      try {
        const query = CompiledQuery.raw('select $1::int as n', [7]);
        // Warm: the first named use parses; the count is about the steady state.
        await connection.executeQuery(query);
        const pgOwn = promisesCreatedBy(() => raw.query('select $1::int as n', [7]));
        const ours = promisesCreatedBy(() => connection.executeQuery<{ n: number }>(query));
        const command = promisesCreatedBy(() => connection.executeCommand(CompiledQuery.raw('select 1')));
        expect({ prepared, statement: ours.count, command: command.count }).toEqual({
          prepared,
          statement: 1,
          command: 1,
        });
        expect(pgOwn.count).toBeGreaterThan(1); // what pg's promise form alone costs
        await pgOwn.value;
        expect((await ours.value).rows).toEqual([{ n: 7 }]);
        expect(await command.value).toBe('SELECT');
      } finally {
        raw.release();
        connection.release();
      }
    }
  });

  it('a failed statement is still mapped to a typed error, counted and timed', async () => {
    const { driver, instrumentation, logger } = setup({ prepared: true });
    const connection = await driver.acquireConnection();
    try {
      const failing = connection.executeQuery(CompiledQuery.raw('select $1::int / 0', [1]));
      await expect(failing).rejects.toBeInstanceOf(QueryError);
      await expect(failing).rejects.toMatchObject({ sqlState: '22012' });
      expect(connection.broken).toBe(false);
      expect(await connection.executeCommand(CompiledQuery.raw('select 1'))).toBe('SELECT');
      expect(instrumentation.queryMetrics()).toMatchObject({ total: 2, failed: 1 });
      // One debug line per statement, the failed one marked, and nothing above debug.
      expect(logger.lines.map((line) => [line.level, line.fields])).toMatchObject([
        ['debug', { query: { sql: 'select $1::int / 0', rowCount: null, failed: true } }],
        ['debug', { query: { sql: 'select 1', rowCount: 1 } }],
      ]);
    } finally {
      connection.release();
    }
  });

  it('the statement, unnamed or named, is queued on the connection before executeQuery returns', async () => {
    const table = `"${schema.schema}".ordered`;
    for (const prepared of [false, true]) {
      let client: pg.PoolClient | undefined;
      const source = { connect: () => pool.connect().then((each) => (client = each)) };
      const connection = await setup({ prepared, source }).driver.acquireConnection();
      try {
        await client!.query(`truncate ${table}`);
        // In one tick: had executeQuery waited a microtask before queueing, pg's own
        // queue would run the raw statement first.
        const first = connection.executeQuery(CompiledQuery.raw(`insert into ${table} (label) values ($1)`, ['first']));
        const second = client!.query(`insert into ${table} (label) values ($1)`, ['second']);
        await Promise.all([first, second]);
        const { rows } = await client!.query<{ label: string }>(`select label from ${table} order by id`);
        expect({ prepared, labels: rows.map((row) => row.label) }).toEqual({ prepared, labels: ['first', 'second'] });
      } finally {
        connection.release();
      }
    }
  });

  it('transaction control costs one promise per statement; a COMMIT that rolled back rejects', async () => {
    const driver = driverFor();
    const connection = await driver.acquireConnection();
    const raw = await pool.connect();
    try {
      const pgOwn = promisesCreatedBy(() => raw.query('select 1'));
      await pgOwn.value;
      const begin = promisesCreatedBy(() => driver.beginTransaction(connection, {}));
      const savepoint = promisesCreatedBy(() => driver.savepoint(connection, 'sp'));
      await Promise.all([begin.value, savepoint.value]);
      await expect(connection.executeQuery(CompiledQuery.raw('select 1 / 0'))).rejects.toBeInstanceOf(QueryError);
      await driver.rollbackToSavepoint(connection, 'sp');
      const release = promisesCreatedBy(() => driver.releaseSavepoint(connection, 'sp'));
      await release.value;
      await expect(connection.executeQuery(CompiledQuery.raw('select 1 / 0'))).rejects.toBeInstanceOf(QueryError);
      const commit = promisesCreatedBy(() => driver.commitTransaction(connection));
      await expect(commit.value).rejects.toThrow(/COMMIT rolled back/);
      // BEGIN and SAVEPOINT are deferred to the next statement: no promise of their own.
      expect([begin.count, savepoint.count, release.count, commit.count]).toEqual([0, 0, 1, 1]);
    } finally {
      raw.release();
      connection.release();
    }
  });

  it('acquireConnection costs the pool its own promise and the driver one more; release costs none', async () => {
    const driver = driverFor();
    const warm = await driver.acquireConnection();
    warm.release();
    const poolOwn = promisesCreatedBy(() => pool.connect());
    const ours = promisesCreatedBy(() => driver.acquireConnection());
    (await poolOwn.value).release();
    const connection = await ours.value;
    const released = promisesCreatedBy(() => driver.releaseConnection(connection));
    await released.value;
    expect(connection).toBeInstanceOf(PgConnection);
    expect({ acquire: ours.count, release: released.count }).toEqual({ acquire: poolOwn.count + 1, release: 0 });
  });

  it('settleAcquisitions waits for an acquisition in flight, and not for one that failed', async () => {
    const driver = driverFor({ timeoutMs: 200 });
    await expect(driver.settleAcquisitions()).resolves.toBeUndefined();
    const held = [await driver.acquireConnection(), await driver.acquireConnection()];
    // The pool (max 2) is exhausted: this one waits, then times out.
    await expect(driver.acquireConnection()).rejects.toBeInstanceOf(PoolTimeoutError);
    const waiting = driver.acquireConnection();
    closed = true;
    try {
      let settled = false;
      const settling = driver.settleAcquisitions().then(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      held[0]!.release();
      const granted = await waiting;
      await settling;
      expect(settled).toBe(true);
      granted.release();
      held[1]!.release();
      await expect(driver.acquireConnection()).rejects.toMatchObject({ code: 'DATABASE_CLOSED' });
      await expect(driver.settleAcquisitions()).resolves.toBeUndefined();
    } finally {
      closed = false;
    }
  });
});
