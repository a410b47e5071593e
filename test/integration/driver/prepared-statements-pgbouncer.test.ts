import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createDatabase, type Database, QueryError } from '../../../src/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { type PgBouncer, pgbouncerUnavailable, startPgBouncer } from '../../support/pgbouncer.js';
import { hostAndPort } from '../../support/tcp.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';

interface DB {
  items: { id: number; label: string };
}

const unavailable = isRealServer() ? pgbouncerUnavailable() : 'needs a real PostgreSQL server';
if (unavailable) console.info(`[prepared-statements-pgbouncer] skipped: ${unavailable}`);

// PgBouncer 1.18 in transaction mode with ONE server connection: every client's named
// statement lands on the shared server session, so a second client's Parse of the same
// name answers 42P05 and a statement parsed elsewhere answers 26000.
const t = useTestDatabase<DB>('prepared_bouncer');
let bouncer: PgBouncer | undefined;
const opened: Database<DB>[] = [];

function throughBouncer(options: { preparedStatements?: boolean }, logger = captureLogger()): Database<DB> {
  const url = new URL(inject('databaseUrl'));
  url.hostname = '127.0.0.1';
  url.port = String(bouncer!.port);
  const db = createDatabase<DB>({ connectionString: url.toString(), pool: { max: 4 }, logger, ...options });
  opened.push(db);
  return db;
}

describe.skipIf(unavailable !== undefined)('named prepared statements behind PgBouncer < 1.21', () => {
  beforeAll(async () => {
    await sql`create table items (id int primary key, label text not null)`.execute(t.db.kysely);
    await sql`insert into items select i, 'item ' || i from generate_series(1, 50) i`.execute(t.db.kysely);
    bouncer = await startPgBouncer(hostAndPort(inject('databaseUrl')), ['postgres']);
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await bouncer?.stop();
  });

  const table = () => `${t.schema}.items`;
  const byId = (db: Database<DB>, id: number) =>
    sql<{ id: number; label: string }>`select id, label from ${sql.table(table())} where id = ${id}`.execute(db.kysely);

  it('switches the pool to unnamed statements, logs once at warn, and autocommit calls still succeed', async () => {
    const logger = captureLogger();
    const db = throughBouncer({}, logger);
    // Concurrent calls take several clients; each parses the same name on the shared server session.
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => byId(db, i + 1)));
      expect(results.map((result) => result.rows[0])).toEqual(
        Array.from({ length: 8 }, (_, i) => ({ id: i + 1, label: `item ${i + 1}` })),
      );
    }
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('unnamed statements');
    expect(db.metrics().queries.failed).toBe(0);
    // Unnamed from now on: no new named statement appears on the server session.
    const { rows } = await sql<{ count: string }>`select count(*) from pg_prepared_statements`.execute(db.kysely);
    await byId(db, 9);
    const again = await sql<{ count: string }>`select count(*) from pg_prepared_statements`.execute(db.kysely);
    expect(again.rows[0]!.count).toBe(rows[0]!.count);
  });

  it('inside a transaction the failure surfaces as a typed QueryError that names the option', async () => {
    const db = throughBouncer({});
    // Client 1 prepares the name on the shared server session and keeps it (a transaction).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = db.transaction(async (tx) => {
      await sql`select id from ${sql.table(table())} where id = ${1} and label like ${'%'}`.execute(tx);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Client 2 waits for the server connection, then parses the same name: 42P05.
    const second = db
      .transaction((tx) => sql`select id from ${sql.table(table())} where id = ${2} and label like ${'%'}`.execute(tx))
      .catch((error: unknown) => error);
    release();
    await first;
    const failure = await second;
    expect(failure).toBeInstanceOf(QueryError);
    expect((failure as QueryError).sqlState).toMatch(/^(42P05|26000)$/);
    expect((failure as QueryError).message).toContain('preparedStatements: false');
    // The pool switched: the same transaction now works.
    const rows = await db.transaction(
      async (tx) =>
        (await sql`select id from ${sql.table(table())} where id = ${2} and label like ${'%'}`.execute(tx)).rows,
    );
    expect(rows).toEqual([{ id: 2 }]);
  });

  it('with preparedStatements: false nothing fails and nothing is logged', async () => {
    const logger = captureLogger();
    const db = throughBouncer({ preparedStatements: false }, logger);
    await Promise.all(Array.from({ length: 8 }, (_, i) => byId(db, i + 1)));
    await db.transaction((tx) => sql`select ${1}::int`.execute(tx));
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });
});
