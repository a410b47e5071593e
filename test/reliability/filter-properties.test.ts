import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, ValidationError, type Where } from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';
import { useTestDatabase } from '../support/test-database.js';

// Random filters (operators, spellings of values, AND/OR/NOT, NULLs) over one real table:
// PostgreSQL and the in-memory fake, seeded with the rows PostgreSQL returned, must select
// the same rows, or both refuse the filter. Small value domains keep matches frequent.

interface Thing {
  id: number;
  name: string;
  note: string | null;
  score: number | null;
  big: string | null;
  price: string | null;
  ratio: number | null;
  flag: boolean | null;
  at: Date | null;
}
interface DB {
  filter_things: Thing;
}

const COLUMN_TYPES = {
  id: 'int4',
  name: 'text',
  note: 'varchar(8)',
  score: 'int4',
  big: 'int8',
  price: 'numeric(8,2)',
  ratio: 'float8',
  flag: 'bool',
  at: 'timestamptz',
} as const;
const COLUMNS = Object.keys(COLUMN_TYPES) as Array<keyof Thing>;

const t = useTestDatabase<DB>('filter_properties');
let pg: BaseRepository<DB, 'filter_things'>;
let fake: InMemoryRepository<Thing>;

// ---- value domains, each in several spellings the column accepts ----

const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', '%', '_', '\\', ' '), maxLength: 4 });
const scores = fc.integer({ min: -3, max: 3 });
const bigs = fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.constantFrom(2n ** 60n, -(2n ** 60n), 2n ** 53n + 1n));
const prices = fc.integer({ min: -300, max: 300 }).map((cents) => cents / 100);
const ratios = fc.constantFrom(-1.5, 0, 0.1, 0.25, 2, 1e300, Number.NaN, Infinity, -Infinity);
const times = fc.constantFrom(0, 86_400_000, 1_700_000_000_000, 1_700_000_000_123).map((ms) => new Date(ms));

const spelled = {
  name: text,
  note: text,
  score: fc.oneof(scores, scores.map(String)),
  big: fc.oneof(bigs, bigs.map(String), bigs.filter((each) => each < 2n ** 53n).map(Number)),
  price: fc.oneof(
    prices,
    prices.map((each) => each.toFixed(2)),
    prices.map((each) => String(each)),
  ),
  ratio: fc.oneof(ratios, ratios.map(String)),
  flag: fc.oneof(fc.boolean(), fc.constantFrom('yes', 'off', 't', '0')),
  at: fc.oneof(
    times,
    times.map((each) => each.toISOString()),
    times.map((each) => each.toISOString().replace('T', ' ').replace('Z', '+00')),
  ),
  id: fc.integer({ min: 0, max: 45 }),
} satisfies Record<keyof Thing, fc.Arbitrary<unknown>>;

const ORDERED = new Set<keyof Thing>(['id', 'name', 'note', 'score', 'big', 'price', 'ratio', 'at']);
const TEXT = new Set<keyof Thing>(['name', 'note']);

function columnFilter(column: keyof Thing): fc.Arbitrary<unknown> {
  const value: fc.Arbitrary<unknown> = spelled[column];
  const options: Array<fc.Arbitrary<unknown>> = [
    value,
    fc.array(value, { maxLength: 3 }),
    fc.constant(null),
    value.map((each) => ({ eq: each })),
    value.map((each) => ({ ne: each })),
    fc.array(value, { maxLength: 3 }).map((each) => ({ in: each })),
    fc.array(value, { maxLength: 3 }).map((each) => ({ notIn: each })),
    fc.boolean().map((each) => ({ isNull: each })),
  ];
  if (ORDERED.has(column)) {
    const range = fc.constantFrom('gt', 'gte', 'lt', 'lte');
    options.push(
      fc.tuple(range, value).map(([op, each]) => ({ [op]: each })),
      fc.tuple(range, value, range, value).map(([a, x, b, y]) => ({ [a]: x, [b]: y })),
      fc.tuple(value, value).map((pair) => ({ between: pair })),
    );
  }
  if (TEXT.has(column)) {
    const op = fc.constantFrom('like', 'ilike', 'contains', 'startsWith');
    options.push(fc.tuple(op, text).map(([each, pattern]) => ({ [each]: pattern })));
  }
  return fc.oneof(...options);
}

const leaf = fc
  .array(fc.constantFrom(...COLUMNS), { minLength: 1, maxLength: 2 })
  .chain((columns) => fc.tuple(...columns.map((column) => columnFilter(column).map((each) => [column, each] as const))))
  .map((entries) => Object.fromEntries(entries));

function filter(depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth === 0) return leaf;
  const inner = filter(depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(inner, { minLength: 1, maxLength: 3 }).map((each) => ({ AND: each })) },
    { weight: 2, arbitrary: fc.array(inner, { minLength: 1, maxLength: 3 }).map((each) => ({ OR: each })) },
    { weight: 1, arbitrary: inner.map((each) => ({ NOT: each })) },
    { weight: 1, arbitrary: fc.tuple(leaf, inner).map(([a, b]) => ({ ...a, NOT: b })) },
  );
}

// ---- rows ----

const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null, freq: 4 });
const row = fc.record({
  name: text,
  note: nullable(text),
  score: nullable(scores),
  big: nullable(bigs.map(String)),
  price: nullable(prices.map((each) => each.toFixed(2))),
  ratio: nullable(ratios),
  flag: nullable(fc.boolean()),
  at: nullable(times),
});

beforeAll(async () => {
  await sql`
    create table filter_things (
      id int4 primary key, name text not null, note varchar(8), score int4, big int8,
      price numeric(8,2), ratio float8, flag bool, at timestamptz
    )`.execute(t.db.kysely);
  pg = new BaseRepository(t.db, { table: 'filter_things' });
  const rows = fc.sample(row, { numRuns: 45, seed: 11 }).map((each, index) => ({ id: index + 1, ...each }));
  // The fake holds exactly what PostgreSQL returned (int8 and numeric as strings, Dates, NaN).
  const stored = await pg.createMany(rows);
  fake = new InMemoryRepository<Thing>({
    table: 'filter_things',
    columns: COLUMNS,
    columnTypes: COLUMN_TYPES,
    seed: stored,
  });
});

type Outcome = { ids: number[]; count: number } | { refused: string };

async function outcome(repository: Pick<typeof fake, 'findMany' | 'count'>, where: Where<Thing>): Promise<Outcome> {
  try {
    const rows = await repository.findMany({ where });
    return { ids: rows.map((each) => each.id), count: await repository.count(where) };
  } catch (error) {
    if (error instanceof ValidationError) return { refused: error.issues[0]?.code ?? 'unknown' };
    throw error;
  }
}

describe('filter properties', () => {
  it('PostgreSQL and the in-memory fake select the same rows for random filters', async () => {
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(filter(3), async (where) => {
        const expected = await outcome(pg, where);
        const actual = await outcome(fake, where);
        expect(actual).toEqual(expected);
        if ('ids' in expected && expected.ids.length > 0) matched++;
      }),
      { numRuns: 400, seed: Number(process.env.PROPERTY_SEED ?? 20_261_202), endOnFailure: true },
    );
    // The domains are small on purpose: most filters select something.
    expect(matched).toBeGreaterThan(100);
  }, 120_000);
});
