import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, type OrderBy } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';

// Defect 1 of issue 8: JavaScript Dates hold milliseconds, timestamptz microseconds. A cursor
// that round-trips the order value through a Date repeats or skips rows. Cursors now carry
// PostgreSQL's own text of each value, for every orderable type.
interface EventRow {
  id: number;
  created_at: Date;
}
interface TypedRow {
  id: number;
  ts: Date;
  tsn: Date;
  d: Date;
  n: string;
  i8: string;
  f8: number;
  t: string;
  u: string;
  b: boolean;
}
interface DB {
  events: EventRow;
  typed: TypedRow;
}

const spy = statementSpy();
const t = useTestDatabase<DB>('cursor_exact', spy.options);

async function walk<Row extends { id: number }>(
  repo: {
    paginateByCursor(options: {
      orderBy: OrderBy<Row>;
      limit: number;
      after?: string;
    }): Promise<{ items: Row[]; hasNextPage: boolean; nextCursor?: string }>;
  },
  orderBy: OrderBy<Row>,
  limit: number,
): Promise<number[]> {
  const ids: number[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await repo.paginateByCursor({ orderBy, limit, after });
    ids.push(...page.items.map((row) => row.id));
    if (!page.hasNextPage) return ids;
    after = page.nextCursor;
  }
  throw new Error('more than 100 pages');
}

async function expectedIds(table: string, order: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`select id from ${sql.table(table)} order by ${sql.raw(order)}`.execute(
    t.db.kysely,
  );
  return rows.map((row) => row.id);
}

beforeAll(async () => {
  await sql`create table events (id serial primary key, created_at timestamptz not null)`.execute(t.db.kysely);
  await sql`create index events_created_at_id on events (created_at, id)`.execute(t.db.kysely);
  // clock_timestamp() differs per row by microseconds: several rows share one millisecond.
  await sql`insert into events (created_at) select clock_timestamp() from generate_series(1, 26)`.execute(t.db.kysely);

  const { rows } = await sql<{
    icu: boolean;
  }>`select exists (select 1 from pg_collation where collname = 'und-x-icu') as icu`.execute(t.db.kysely);
  const collation = rows[0]?.icu ? 'und-x-icu' : 'C';
  await sql`
    create table typed (
      id serial primary key,
      ts timestamptz not null, tsn timestamp not null, d date not null,
      n numeric not null, i8 int8 not null, f8 float8 not null,
      t text collate ${sql.id(collation)} not null, u uuid not null, b boolean not null
    )`.execute(t.db.kysely);
  // Few distinct values per column (ties the primary key must break), each differing only
  // below what JavaScript's Date or number keeps: microseconds, 30 significant digits, 2**53 + n.
  await sql`
    insert into typed (ts, tsn, d, n, i8, f8, t, u, b)
    select timestamptz '2026-03-01 10:00:00.000001+00' + (g % 4) * interval '1 microsecond',
           timestamp '1999-12-31 23:59:59.999998' + (g % 3) * interval '1 microsecond',
           date '2000-02-28' + (g % 3),
           1.00000000000000000000000000001 * (g % 5),
           9007199254740993 + (g % 4),
           (g % 3) * 0.1 + 1e-300,
           (array['a', 'B', 'b', '_x', 'A'])[1 + g % 5],
           (array['00000000-0000-0000-0000-000000000002', 'ffffffff-0000-0000-0000-000000000001', '7fffffff-0000-0000-0000-000000000000'])[1 + g % 3]::uuid,
           g % 2 = 0
    from generate_series(1, 37) g`.execute(t.db.kysely);
});

describe('keyset cursors on timestamptz (microseconds)', () => {
  it('returns each of 26 rows exactly once, ascending, 7 per page', async () => {
    const repo = new BaseRepository<DB, 'events'>(t.db, { table: 'events' });
    const ids = await walk<EventRow>(repo, { column: 'created_at', direction: 'asc' }, 7);
    expect(ids).toHaveLength(26);
    expect(ids).toEqual(await expectedIds('events', 'created_at, id'));
  });

  it('returns each of 26 rows exactly once, descending, 7 per page', async () => {
    const repo = new BaseRepository<DB, 'events'>(t.db, { table: 'events' });
    const ids = await walk<EventRow>(repo, { column: 'created_at', direction: 'desc' }, 7);
    expect(ids).toHaveLength(26);
    expect(ids).toEqual(await expectedIds('events', 'created_at desc, id desc'));
  });

  it('never returns the helper columns that carry the exact values', async () => {
    const repo = new BaseRepository<DB, 'events'>(t.db, { table: 'events' });
    const page = await repo.paginateByCursor({ orderBy: 'created_at', limit: 3 });
    const second = await repo.paginateByCursor({ orderBy: 'created_at', limit: 3, after: page.nextCursor });
    for (const row of [...page.items, ...second.items]) expect(Object.keys(row).sort()).toEqual(['created_at', 'id']);
  });

  it('compares with the parameter cast to the column type, so the (created_at, id) index is used', async () => {
    const repo = new BaseRepository<DB, 'events'>(t.db, { table: 'events' });
    const first = await repo.paginateByCursor({ orderBy: 'created_at', limit: 7 });
    spy.clear();
    await repo.paginateByCursor({ orderBy: 'created_at', limit: 7, after: first.nextCursor });
    const statement = spy.statements.find((each) => each.includes('from "events"'));
    expect(statement).toMatch(/\("created_at", "id"\) > \(\$1::timestamp with time zone, \$2::integer\)/);
    // The plan with the cursor's parameters, in a transaction of our own that disables
    // sequential scans locally (26 rows would otherwise be scanned whole).
    const params = await sql<{
      created_at: string;
      id: number;
    }>`select to_json(created_at) #>> '{}' as created_at, id from events order by created_at, id offset 6 limit 1`.execute(
      t.db.kysely,
    );
    const plan = await t.db.transaction(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const explained = sql.raw(
        `explain (format json) ${statement!.replace('$1', `'${params.rows[0]!.created_at}'`).replace('$2', String(params.rows[0]!.id)).replace('$3', '8')}`,
      );
      return JSON.stringify((await explained.execute(tx)).rows);
    });
    expect(plan).toContain('"Index Name":"events_created_at_id"');
    expect(plan).toMatch(/"Index Cond":"\(ROW\(created_at, id\) > ROW\(/);
    // A top-N page straight off the index: nothing above the LIMIT.
    expect(plan).toMatch(/^\[\{"QUERY PLAN":\[\{"Plan":\{"Node Type":"Limit".*"Node Type":"Index (Only )?Scan"/);
    expect(plan).not.toContain('WindowAgg');
  });

  // Before: the page was a subquery under a window (count(*) over (), row_number()) that
  // put the exact texts on the cursor row, costing the server a WindowAgg per page. The
  // driver now reads the cursor row's texts as the server sent them.
  it('sends the statement a hand-written keyset query would: no window, no helper columns', async () => {
    const repo = new BaseRepository<DB, 'events'>(t.db, { table: 'events' });
    const first = await repo.paginateByCursor({ orderBy: 'created_at', limit: 7 });
    spy.clear();
    const second = await repo.paginateByCursor({ orderBy: 'created_at', limit: 7, after: first.nextCursor });
    const statements = spy.statements.filter((each) => each.includes('from "events"'));
    expect(statements).toHaveLength(1);
    expect(statements[0]).not.toMatch(/ over \(|__data_layer|to_json/);
    expect(statements[0]).toMatch(/order by "created_at" asc, "id" asc limit \$3$/);
    expect(second.items.map((row) => row.id)).toEqual((await expectedIds('events', 'created_at, id')).slice(7, 14));
  });
});

describe('keyset cursors whatever the DateStyle', () => {
  // Same TimeZone for both, so JSON's ISO 8601 texts agree to the character.
  async function cursorsIn(dateStyle: string): Promise<{ cursors: string[]; statements: string[] }> {
    const other = t.open({ pool: { max: 1 } });
    await sql`set datestyle = ${sql.lit(dateStyle)}`.execute(other.kysely);
    await sql`set timezone = 'Asia/Kathmandu'`.execute(other.kysely);
    const repo = new BaseRepository<DB, 'typed'>(other, { table: 'typed' });
    spy.clear();
    const cursors: string[] = [];
    for (const column of ['ts', 'tsn', 'd', 'b'] as const) {
      const page = await repo.paginateByCursor({ orderBy: column, limit: 4 });
      cursors.push(page.nextCursor!);
    }
    return { cursors, statements: spy.statements.filter((each) => each.includes('from "typed"')) };
  }

  it('gives the same cursor in DateStyle ISO (from the row as sent) and SQL, DMY (a second statement)', async () => {
    const iso = await cursorsIn('ISO, MDY');
    const dmy = await cursorsIn('SQL, DMY');
    expect(dmy.cursors).toEqual(iso.cursors);
    // ISO: one statement per page, no exact-text helpers; SQL: the date and time pages again with to_json.
    expect(iso.statements).toHaveLength(4);
    expect(iso.statements.some((each) => each.includes('to_json'))).toBe(false);
    expect(dmy.statements).toHaveLength(7);
    expect(dmy.statements.filter((each) => each.includes('to_json'))).toHaveLength(3);
  });
});

describe('keyset cursors are exact for every orderable type', () => {
  const columns = ['ts', 'tsn', 'd', 'n', 'i8', 'f8', 't', 'u', 'b'] as const;
  for (const column of columns) {
    for (const direction of ['asc', 'desc'] as const) {
      it(`${column} ${direction}: each row once, in PostgreSQL's order`, async () => {
        const repo = new BaseRepository<DB, 'typed'>(t.db, { table: 'typed' });
        const ids = await walk<TypedRow>(repo, { column, direction }, 3);
        expect(ids).toEqual(await expectedIds('typed', `${column} ${direction}, id ${direction}`));
      });
    }
  }

  it('mixed directions over several columns: each row once, in order', async () => {
    const repo = new BaseRepository<DB, 'typed'>(t.db, { table: 'typed' });
    const orderBy: OrderBy<TypedRow> = [
      { column: 'b', direction: 'desc' },
      { column: 't', direction: 'asc' },
      { column: 'ts', direction: 'desc' },
    ];
    for (const limit of [1, 4, 10]) {
      const ids = await walk<TypedRow>(repo, orderBy, limit);
      expect(ids).toEqual(await expectedIds('typed', 'b desc, t asc, ts desc, id desc'));
    }
  });

  it('stays exact whatever the session DateStyle and TimeZone', async () => {
    const other = t.open({ pool: { max: 1 } });
    await sql`set datestyle = 'SQL, DMY'`.execute(other.kysely);
    await sql`set timezone = 'Asia/Kathmandu'`.execute(other.kysely);
    const repo = new BaseRepository<DB, 'typed'>(other, { table: 'typed' });
    for (const column of ['ts', 'tsn', 'd'] as const) {
      expect(await walk<TypedRow>(repo, { column, direction: 'asc' }, 4)).toEqual(
        await expectedIds('typed', `${column}, id`),
      );
    }
  });
});
