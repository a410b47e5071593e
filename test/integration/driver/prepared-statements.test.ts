import { type Kysely, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { type Database, QueryError } from '../../../src/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';

interface DB {
  items: { id: number; label: string };
}

const unavailable = isRealServer() ? undefined : 'needs a real PostgreSQL server (PGlite shares one session)';
if (unavailable) console.info(`[prepared-statements] skipped: ${unavailable}`);

const t = useTestDatabase<DB>('prepared_stmts');

/** The named statements the (single) connection of `db` holds, as the server sees them. */
async function serverStatements(db: Database<DB>): Promise<Array<{ name: string; statement: string }>> {
  const { rows } = await sql<{
    name: string;
    statement: string;
  }>`select name, statement from pg_prepared_statements order by prepare_time`.execute(db.kysely);
  return rows;
}

/** Five statement shapes that differ only in SQL text. */
const shapes = [1, 2, 3, 4, 5].map(
  (n) => (kysely: Kysely<DB>, id: number) =>
    kysely
      .selectFrom('items')
      .select(['id', 'label'])
      .select(sql<number>`${sql.lit(n)}`.as('shape'))
      .where('id', '=', id)
      .executeTakeFirst(),
);

describe.skipIf(unavailable !== undefined)('named prepared statements', () => {
  beforeAll(async () => {
    await sql`create table items (id int primary key, label text not null)`.execute(t.db.kysely);
    await sql`insert into items select i, 'item ' || i from generate_series(1, 10) i`.execute(t.db.kysely);
  });

  it('sends each parameterised statement as a dl_ named statement on its connection', async () => {
    const db = t.open({ pool: { max: 1 } });
    const query = db.kysely.selectFrom('items').selectAll().where('id', '=', 3);
    expect(await query.executeTakeFirst()).toEqual({ id: 3, label: 'item 3' });
    expect(await query.executeTakeFirst()).toEqual({ id: 3, label: 'item 3' });
    const statements = await serverStatements(db);
    // Statements without parameters stay unnamed (the pg_prepared_statements query itself).
    expect(statements).toHaveLength(1);
    expect(statements[0]!.name).toMatch(/^dl_[0-9a-z]+$/);
    expect(statements[0]!.statement).toBe(query.compile().sql);
  });

  it('keeps at most max statements per connection and closes the evicted ones on the server', async () => {
    const db = t.open({ pool: { max: 1 }, preparedStatements: { max: 3 } });
    for (const [index, shape] of shapes.entries()) {
      expect(await shape(db.kysely, index + 1)).toEqual({
        id: index + 1,
        label: `item ${index + 1}`,
        shape: index + 1,
      });
    }
    const held = await serverStatements(db);
    expect(held.map((each) => each.statement)).toEqual(
      [3, 4, 5].map((n) => expect.stringContaining(`${n} as "shape"`) as unknown as string),
    );
    // An evicted shape is parsed again, and evicts the least recently used one.
    expect(await shapes[0]!(db.kysely, 7)).toEqual({ id: 7, label: 'item 7', shape: 1 });
    const after = await serverStatements(db);
    expect(after).toHaveLength(3);
    expect(after.map((each) => each.statement).join()).not.toContain('3 as "shape"');
    expect(after.map((each) => each.statement).join()).toContain('1 as "shape"');
  });

  it('sends unnamed statements with preparedStatements: false', async () => {
    const db = t.open({ pool: { max: 1 }, preparedStatements: false });
    for (const [index, shape] of shapes.entries()) await shape(db.kysely, index + 1);
    expect(await serverStatements(db)).toEqual([]);
  });

  it('an autocommit statement survives ALTER TABLE between two calls (cached plan changed)', async () => {
    await sql`create table altered (id int primary key, a text)`.execute(t.db.kysely);
    await sql`insert into altered values (1, 'x')`.execute(t.db.kysely);
    const db = t.open({ pool: { max: 1 } });
    const read = () =>
      (db.kysely as unknown as Kysely<{ altered: { id: number } }>)
        .selectFrom('altered')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirst();
    expect(await read()).toEqual({ id: 1, a: 'x' });
    await sql`alter table altered add column b int default 7`.execute(t.db.kysely);
    expect(await read()).toEqual({ id: 1, a: 'x', b: 7 });
    expect(await read()).toEqual({ id: 1, a: 'x', b: 7 });
    expect(db.metrics().queries.failed).toBe(0);
  });

  it('inside a transaction a changed plan surfaces as a typed error, and the next call works', async () => {
    await sql`create table altered_tx (id int primary key, a text)`.execute(t.db.kysely);
    await sql`insert into altered_tx values (1, 'x')`.execute(t.db.kysely);
    const db = t.open({ pool: { max: 1 } });
    const kysely = db.kysely as unknown as Kysely<{ altered_tx: { id: number } }>;
    const read = () => kysely.selectFrom('altered_tx').selectAll().where('id', '=', 1).executeTakeFirst();
    await read();
    await sql`alter table altered_tx add column b int default 7`.execute(t.db.kysely);
    const failure = await db.transaction(() => read()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryError);
    expect((failure as QueryError).sqlState).toBe('0A000');
    expect(await read()).toEqual({ id: 1, a: 'x', b: 7 });
  });

  it('an eviction inside a failed transaction does not break the connection', async () => {
    const db = t.open({ pool: { max: 1 }, preparedStatements: { max: 2 } });
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely);
    const failure = await db
      .transaction(async (tx) => {
        await shapes[0]!(tx, 1);
        await shapes[1]!(tx, 2);
        await sql`select 1 / ${0}::int`.execute(tx).catch(() => undefined); // the transaction is now aborted
        // Evicts shape 0 (and then 1) while the transaction is aborted: the Close still goes through.
        await shapes[2]!(tx, 3).catch(() => undefined);
        await shapes[3]!(tx, 4);
      })
      .catch((error: unknown) => error);
    expect((failure as QueryError).sqlState).toBe('25P02');
    for (const [index, shape] of shapes.entries()) {
      expect(await shape(db.kysely, index + 1)).toMatchObject({ id: index + 1, shape: index + 1 });
    }
    expect((await serverStatements(db)).length).toBeLessThanOrEqual(2);
    const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely);
    expect(again.rows[0]!.pid).toBe(rows[0]!.pid); // the same connection, not a replaced one
  });

  it('pipelined statements that evict each other in one transaction all succeed', async () => {
    const db = t.open({ pool: { max: 1 }, preparedStatements: { max: 1 } });
    await db.transaction(async (tx) => {
      const results = await Promise.all([...shapes, ...shapes].map((shape, index) => shape(tx, (index % 5) + 1)));
      expect(results.map((row) => row?.shape)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    });
    expect(await serverStatements(db)).toHaveLength(1);
  });
});

describe.skipIf(unavailable !== undefined)('named prepared statements after client-side failures', () => {
  it('a parameter pg cannot serialize does not leave a stale name behind', async () => {
    const logger = captureLogger();
    const db = t.open({ pool: { max: 1 }, logger });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const read = (value: unknown) =>
      db.kysely.selectNoFrom(sql<unknown>`${value}::jsonb`.as('value')).executeTakeFirst();
    expect(await read({ a: 1 })).toEqual({ value: { a: 1 } });
    await expect(read(cyclic)).rejects.toThrow();
    expect(await read({ a: 2 })).toEqual({ value: { a: 2 } });
    expect(await read({ a: 3 })).toEqual({ value: { a: 3 } });
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
    expect(await serverStatements(db)).toHaveLength(1); // still named: the pool did not switch off
  });
});
