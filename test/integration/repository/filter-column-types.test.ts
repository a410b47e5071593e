import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, type Where } from '../../../src/index.js';
import { InMemoryRepository } from '../../../src/testing/index.js';
import { useTestDatabase } from '../../support/test-database.js';

// Filters on the column types the property test leaves out (char(n), uuid, an enum whose
// order is not alphabetical, jsonb, arrays, timestamp, citext-like case rules): PostgreSQL
// and the fake, seeded with what PostgreSQL returned, select the same rows.

interface Typed {
  id: number;
  code: string | null;
  key: string | null;
  mood: 'sad' | 'ok' | 'happy' | null;
  doc: unknown;
  tags: string[] | null;
  at: Date | null;
}
interface DB {
  typed_filters: Typed;
}

const t = useTestDatabase<DB>('filter_column_types');
let pg: BaseRepository<DB, 'typed_filters'>;
let fake: InMemoryRepository<Typed>;

const KEY = '0b6f1c9e-8d43-4b8a-9a57-2f1d2e3c4b5a';

beforeAll(async () => {
  await sql`create type filter_mood as enum ('sad', 'ok', 'happy')`.execute(t.db.kysely);
  await sql`
    create table typed_filters (
      id int4 primary key, code char(3), key uuid, mood filter_mood, doc jsonb, tags text[], at timestamp
    )`.execute(t.db.kysely);
  pg = new BaseRepository(t.db, { table: 'typed_filters' });
  const rows = await pg.createMany([
    { id: 1, code: 'ab', key: KEY, mood: 'happy', doc: { a: 1, b: [1, 2] }, tags: ['x', 'y'], at: new Date(0) },
    { id: 2, code: 'abc', key: null, mood: 'sad', doc: { b: [1, 2], a: 1.0 }, tags: ['y'], at: null },
    {
      id: 3,
      code: null,
      key: '00000000-0000-0000-0000-000000000001',
      mood: 'ok',
      doc: 5,
      tags: [],
      at: new Date(1e12),
    },
    { id: 4, code: 'AB', key: null, mood: null, doc: null, tags: null, at: new Date(2e12) },
  ]);
  fake = new InMemoryRepository<Typed>({
    table: 'typed_filters',
    columns: ['id', 'code', 'key', 'mood', 'doc', 'tags', 'at'],
    columnTypes: {
      id: 'int4',
      code: 'char(3)',
      key: 'uuid',
      mood: { name: 'filter_mood', labels: ['sad', 'ok', 'happy'] },
      doc: 'jsonb',
      tags: 'text[]',
      at: 'timestamp',
    },
    seed: rows,
  });
});

const filters: Array<Where<Typed>> = [
  { code: 'ab' }, // char(n) ignores trailing spaces
  { code: 'ab ' },
  { code: { ne: 'ab' } },
  { code: { gt: 'ab' } },
  { code: { like: 'ab%' } },
  { code: { ilike: 'ab%' } },
  { code: { startsWith: 'a' } },
  { key: KEY.toUpperCase() },
  { key: { eq: `{${KEY}}` } },
  { key: { gt: '00000000-0000-0000-0000-000000000000' } },
  { key: { notIn: [KEY] } },
  { mood: { gt: 'sad' } }, // enum order: sad < ok < happy
  { mood: { lte: 'ok' } },
  { mood: { between: ['ok', 'happy'] } },
  { mood: { in: ['ok', 'happy'] } },
  { NOT: { mood: 'ok' } },
  { doc: { eq: { b: [1, 2], a: 1 } } }, // jsonb: key order and 1.0 = 1 do not matter
  { doc: { eq: 5 } },
  { doc: { eq: '{"a": 1, "b": [1, 2]}' } },
  { doc: { ne: { a: 1 } } },
  { doc: { in: [5, { a: 2 }] } },
  { doc: { isNull: true } },
  { tags: { eq: ['x', 'y'] } },
  { tags: { eq: [] } },
  { tags: { ne: ['y'] } },
  { tags: [['y'], ['x', 'y']] },
  { at: { gt: new Date(0) } },
  { at: { lt: '2001-09-09T01:46:40.000' as unknown as Date } },
  { OR: [{ at: null }, { mood: 'happy' }], NOT: { code: { like: 'a_c' } } },
];

describe('filters by column type, PostgreSQL and the fake alike', () => {
  it.each(filters.map((where) => [JSON.stringify(where), where] as const))('%s', async (_label, where) => {
    const expected = (await pg.findMany({ where })).map((row) => row.id);
    expect((await fake.findMany({ where })).map((row) => row.id)).toEqual(expected);
  });

  it('the shapes above are not all empty or all full', async () => {
    const sizes = await Promise.all(filters.map(async (where) => (await pg.findMany({ where })).length));
    expect(new Set(sizes).size).toBeGreaterThan(2);
  });
});
