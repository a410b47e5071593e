import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { BaseRepository } from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';

// Defect 1 of issue 8: JavaScript Dates hold milliseconds, timestamptz microseconds. A cursor
// that round-trips the order value through a Date repeats or skips rows.
interface EventRow {
  id: number;
  created_at: Date;
}
interface DB {
  events: EventRow;
}

const t = useTestDatabase<DB>('cursor_exact');

async function walk(repo: BaseRepository<DB, 'events'>, direction: 'asc' | 'desc', limit: number): Promise<number[]> {
  const ids: number[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 50; pages += 1) {
    const page = await repo.paginateByCursor({ orderBy: { column: 'created_at', direction }, limit, after });
    ids.push(...page.items.map((row) => row.id));
    if (!page.hasNextPage) return ids;
    after = page.nextCursor;
  }
  throw new Error('more than 50 pages');
}

beforeAll(async () => {
  await sql`create table events (id serial primary key, created_at timestamptz not null)`.execute(t.db.kysely);
  // clock_timestamp() differs per row by microseconds: several rows share one millisecond.
  await sql`insert into events (created_at) select clock_timestamp() from generate_series(1, 26)`.execute(t.db.kysely);
});

describe('keyset cursors on timestamptz (microseconds)', () => {
  it('returns each of 26 rows exactly once, ascending, 7 per page', async () => {
    const repo = new BaseRepository<DB, 'events'>(t.db, { table: 'events' });
    const expected = (await sql<{ id: number }>`select id from events order by created_at, id`.execute(t.db.kysely)).rows.map((row) => row.id);
    const ids = await walk(repo, 'asc', 7);
    expect(ids).toHaveLength(26);
    expect(ids).toEqual(expected);
  });

  it('returns each of 26 rows exactly once, descending, 7 per page', async () => {
    const repo = new BaseRepository<DB, 'events'>(t.db, { table: 'events' });
    const expected = (await sql<{ id: number }>`select id from events order by created_at desc, id desc`.execute(t.db.kysely)).rows.map((row) => row.id);
    const ids = await walk(repo, 'desc', 7);
    expect(ids).toHaveLength(26);
    expect(ids).toEqual(expected);
  });
});
