import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import { PgDriver } from '../../../src/driver/pg-driver.js';
import { QueryInstrumentation } from '../../../src/driver/query-instrumentation.js';
import { localSettingsSql } from '../../../src/driver/transaction-local-settings.js';
import {
  BaseRepository,
  createDatabase,
  type Database,
  type DatabaseOptions,
  StatementTimeoutError,
} from '../../../src/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { type PgBouncer, pgbouncerUnavailable, startPgBouncer } from '../../support/pgbouncer.js';
import { statementSpy } from '../../support/statement-spy.js';
import { hostAndPort } from '../../support/tcp.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';
import { bouncerUrl, deallocateAll, serverSession } from './bouncer-fixture.js';

interface DB {
  items: { id: number; label: string };
}

const unavailable = isRealServer() ? pgbouncerUnavailable() : 'needs a real PostgreSQL server';
if (unavailable) console.info(`[pooler transaction-local-settings] skipped: ${unavailable}`);

// PgBouncer 1.18 in transaction mode with ONE server connection: whatever our statements
// leave on the server session, the next client (a raw pg client here) sees.
const t = useTestDatabase<DB>('pooler_settings');
let bouncer: PgBouncer | undefined;
const opened: Database<DB>[] = [];
const SERVER_DEFAULTS = { statementTimeout: '0', searchPath: '"$user", public' };

function throughBouncer(options: DatabaseOptions = {}): Database<DB> {
  const db = createDatabase<DB>({
    connectionString: bouncerUrl(bouncer!),
    pooler: 'pgbouncer-transaction',
    statementTimeoutMs: 300,
    searchPath: [t.schema, 'public'],
    pool: { max: 3 },
    logger: 'silent',
    ...options,
  });
  opened.push(db);
  return db;
}

describe.skipIf(unavailable !== undefined)("pooler: 'pgbouncer-transaction' through a real PgBouncer", () => {
  beforeAll(async () => {
    await sql`create table items (id int primary key, label text not null)`.execute(t.db.kysely);
    await sql`insert into items select i, 'item ' || i from generate_series(1, 20) i`.execute(t.db.kysely);
    bouncer = await startPgBouncer(hostAndPort(inject('databaseUrl')), ['postgres']);
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await bouncer?.stop();
  });
  beforeEach(async () => {
    await deallocateAll(bouncer!);
  });

  it('enforces statementTimeoutMs inside a transaction and on an autocommit statement', async () => {
    const db = throughBouncer();
    await expect(db.transaction((tx) => sql`select pg_sleep(2)`.execute(tx))).rejects.toBeInstanceOf(
      StatementTimeoutError,
    );
    await expect(sql`select pg_sleep(2)`.execute(db.kysely)).rejects.toBeInstanceOf(StatementTimeoutError);
    // Fast statements pass, and report the configured value.
    const inTx = await db.transaction((tx) => sql<{ statement_timeout: string }>`show statement_timeout`.execute(tx));
    expect(inTx.rows[0]!.statement_timeout).toBe('300ms');
    const auto = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(db.kysely);
    expect(auto.rows[0]!.statement_timeout).toBe('300ms');
    expect(await serverSession(bouncer!)).toMatchObject(SERVER_DEFAULTS);
  });

  it('resolves unqualified tables through searchPath in transactions, savepoints, autocommit statements and streams', async () => {
    const db = throughBouncer();
    const count = (executor: Database<DB>['kysely']) =>
      executor
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
    expect((await count(db.kysely)).n).toBe('20');
    const [outer, nested] = await db.transaction(async (tx) => [
      await count(tx),
      await db.transaction(async (inner) => count(inner)),
    ]);
    expect([outer.n, nested.n]).toEqual(['20', '20']);
    const streamed: number[] = [];
    for await (const row of db.kysely.selectFrom('items').select('id').orderBy('id').stream(7)) streamed.push(row.id);
    expect(streamed).toHaveLength(20);
    expect(await serverSession(bouncer!)).toMatchObject(SERVER_DEFAULTS);
  });

  it('runs every repository operation against the unqualified table, autocommit and in a transaction', async () => {
    const db = throughBouncer();
    const items = new BaseRepository(db, { table: 'items' });
    const created = await items.create({ id: 100, label: 'new' });
    expect(created).toEqual({ id: 100, label: 'new' });
    expect(await items.findById(100)).toEqual(created);
    await items.update(100, { label: 'changed' });
    await db.transaction(async () => {
      await items.createMany([
        { id: 101, label: 'a' },
        { id: 102, label: 'b' },
      ]);
      expect(await items.count({ id: { in: [100, 101, 102] } })).toBe(3);
    });
    const page = await items.paginateByCursor({ limit: 5, orderBy: [{ column: 'id', direction: 'desc' }] });
    expect(page.items.map((row) => row.id)).toEqual([102, 101, 100, 20, 19]);
    await items.upsert({ id: 102, label: 'upserted' }, { conflictColumns: ['id'] });
    expect(await items.updateMany({ id: { in: [101, 102] } }, { label: 'many' })).toBe(2);
    const streamed: number[] = [];
    for await (const row of items.stream({ id: { gte: 100 } })) streamed.push(row.id);
    expect(streamed.sort()).toEqual([100, 101, 102]);
    for (const id of [100, 101, 102]) await items.delete(id);
    expect(await items.findById(100)).toBeUndefined();
    expect(await serverSession(bouncer!)).toMatchObject(SERVER_DEFAULTS);
  });

  it('sends the settings with BEGIN in one round trip, and adds nothing to savepoints', async () => {
    const spy = statementSpy();
    const db = throughBouncer(spy.options);
    await db.transaction(async (tx) => {
      await sql`select 1`.execute(tx);
      await db.transaction(async (inner) => sql`select 2`.execute(inner));
    });
    expect(spy.statements).toEqual([
      `begin; set local statement_timeout = 300; set local search_path = "${t.schema}", "public"`,
      'select 1',
      'savepoint "dl_sp_1"',
      'select 2',
      'release savepoint "dl_sp_1"',
      'commit',
    ]);
  });

  it('wraps an autocommit statement in its own transaction only when a setting is configured', async () => {
    // now() is the transaction's start: equal to statement_timestamp() only when the
    // statement is its own (implicit) transaction, i.e. when no BEGIN went before it.
    const ownTransaction = async (db: Database<DB>) =>
      (await sql<{ own: boolean }>`select now() = statement_timestamp() as own`.execute(db.kysely)).rows[0]!.own;
    expect(await ownTransaction(throughBouncer())).toBe(false);
    expect(await ownTransaction(throughBouncer({ statementTimeoutMs: undefined, searchPath: undefined }))).toBe(true);
    // Statements that cannot run in a transaction block are left alone.
    const db = throughBouncer();
    await sql.raw(`create table "${t.schema}".vacuumed (id int)`).execute(db.kysely);
    await sql.raw(`vacuum "${t.schema}".vacuumed`).execute(db.kysely);
  });

  it('gives the next statement its settings after a failed one', async () => {
    const db = throughBouncer();
    const searchPath = async (executor: Database<DB>['kysely']) =>
      (await sql<{ path: string }>`select current_setting('search_path') as path`.execute(executor)).rows[0]!.path;
    await expect(sql`select pg_sleep(2)`.execute(db.kysely)).rejects.toBeInstanceOf(StatementTimeoutError);
    expect(await searchPath(db.kysely)).toBe(`${t.schema}, public`);
  });

  it('wraps a statement queued on the same connection while another is inside its wrapper', async () => {
    // Kysely runs one statement at a time per connection; the driver's own callers may not.
    const pool = new pg.Pool({ connectionString: bouncerUrl(bouncer!), max: 1 });
    const driver = new PgDriver({
      pool,
      instrumentation: new QueryInstrumentation({
        logger: captureLogger(),
        slowQueryThresholdMs: 60_000,
        onSlowQuery: undefined,
        logParameters: false,
      }),
      connectionTimeoutMs: 5_000,
      isClosed: () => false,
      localSettings: localSettingsSql({ searchPath: [t.schema] }),
    });
    const connection = await driver.acquireConnection();
    const path = (sleepSeconds: number) =>
      connection
        .executeQuery<{ path: string }>(
          CompiledQuery.raw(`select current_setting('search_path') as path from pg_sleep(${sleepSeconds})`),
        )
        .then((result) => result.rows[0]!.path);
    try {
      const first = path(0.2);
      // By now the client last reported "in a transaction" (the wrapper's BEGIN): the next
      // statements still run after that wrapper's COMMIT, so they need wrappers of their own.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await Promise.all([first, path(0), path(0)])).toEqual([t.schema, t.schema, t.schema]);
    } finally {
      connection.release();
      await pool.end();
    }
  });

  it('turns named prepared statements off by default; an explicit preparedStatements wins', async () => {
    const byId = (db: Database<DB>, id: number) =>
      db.kysely.selectFrom('items').select('label').where('id', '=', id).executeTakeFirstOrThrow();
    await byId(throughBouncer({ pool: { max: 1 } }), 1);
    expect((await serverSession(bouncer!)).prepared).toBe(0);
    // PgBouncer >= 1.21 with max_prepared_statements keeps them; here one client keeps the one server session.
    const explicit = throughBouncer({ pool: { max: 1 }, preparedStatements: true });
    expect(await byId(explicit, 2)).toEqual({ label: 'item 2' });
    expect((await serverSession(bouncer!)).prepared).toBeGreaterThan(0);
  });
});
