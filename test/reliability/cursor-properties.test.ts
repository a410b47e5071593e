import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, DataLayerError, ValidationError } from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';
import { useTestDatabase } from '../support/test-database.js';

// Properties of keyset cursors (issue 8, defects 1, 3 and 5): whatever a client does to a
// cursor, the answer is a page or a 400 ValidationError, never a 500 or a raw error; and
// paging through rows with many equal timestamps yields each row exactly once, in order.
interface ItemRow {
  id: number;
  created_at: Date;
  score: string;
  label: string;
}
interface DB {
  prop_items: ItemRow;
  prop_walk: ItemRow;
}

const t = useTestDatabase<DB>('cursor_props');
const SECRET = 'property-test-cursor-key-01';
const TYPES = [
  'timestamp with time zone',
  'integer',
  'bigint',
  'text',
  'numeric',
  'boolean',
  'uuid',
  'date',
  'double precision',
  'x',
];

type Payload = { o: unknown; b: unknown; c: unknown[] };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');
const payloadOf = (cursor: string) =>
  JSON.parse(Buffer.from(cursor.split('.')[0]!, 'base64url').toString('utf8')) as Payload;

/** Hostile values: junk of every JSON kind, huge strings, SQL, NUL, type confusion. */
const hostile = fc.oneof(
  fc.jsonValue(),
  fc.string(),
  fc.constantFrom(
    "'; drop table prop_items; --",
    '1) or (1=1',
    '\u0000',
    'NaN',
    'Infinity',
    '-0',
    '1e999',
    '2**40',
    '{"$bigint":"abc"}',
    '2026-02-30T00:00:00+00:00',
  ),
  fc.integer({ min: 1_000, max: 80_000 }).map((length) => 'A'.repeat(length)),
  fc.array(fc.jsonValue(), { maxLength: 4 }),
);

/** A mutation of a valid cursor, as a client could send it back. */
function mutation(valid: string): fc.Arbitrary<string> {
  const payload = payloadOf(valid);
  const [body, signature] = valid.split('.') as [string, string | undefined];
  const resigned = (edited: unknown) => `${encode(edited)}${signature === undefined ? '' : `.${signature}`}`;
  return fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
    fc.jsonValue().map(encode),
    fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...'AZaz09-_.=+/ %'))
      .map(([at, char]) => `${valid.slice(0, at)}${char}${valid.slice(at + 1)}`),
    fc.nat({ max: valid.length }).map((length) => valid.slice(0, length)),
    fc
      .tuple(fc.nat({ max: payload.c.length - 1 }), hostile)
      .map(([index, value]) => resigned({ ...payload, c: payload.c.map((each, i) => (i === index ? value : each)) })),
    fc
      .tuple(fc.nat({ max: payload.c.length - 1 }), hostile)
      .map(([index, text]) =>
        resigned({ ...payload, c: payload.c.map((each, i) => (i === index ? [(each as string[])[0], text] : each)) }),
      ),
    fc
      .tuple(fc.nat({ max: payload.c.length - 1 }), fc.constantFrom(...TYPES))
      .map(([index, type]) =>
        resigned({ ...payload, c: payload.c.map((each, i) => (i === index ? [type, (each as string[])[1]] : each)) }),
      ),
    fc.record({ o: hostile, b: hostile, c: hostile }).map((junk) => resigned({ ...payload, ...junk })),
    fc
      .array(fc.tuple(fc.constantFrom(...TYPES), fc.string()), { maxLength: 4 })
      .map((c) => resigned({ ...payload, c })),
    hostile.map((junk) => `${body}.${typeof junk === 'string' ? junk : encode(junk)}`),
  );
}

/** Runs one page with a mutated cursor: a page, or a 400 ValidationError; anything else fails the property. */
async function pageOrBadRequest(run: () => Promise<unknown>): Promise<'page' | 'rejected'> {
  try {
    await run();
    return 'page';
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error).toBeInstanceOf(DataLayerError);
    expect(error.statusCode).toBe(400);
    return 'rejected';
  }
}

beforeAll(async () => {
  for (const table of ['prop_items', 'prop_walk']) {
    await sql`create table ${sql.table(table)} (id serial primary key, created_at timestamptz not null, score int8 not null, label text not null)`.execute(
      t.db.kysely,
    );
  }
  await sql`insert into prop_items (created_at, score, label)
            select timestamptz '2026-01-01 00:00:00+00' + (g % 7) * interval '1 microsecond', 9007199254740993 + g % 3, 'l' || (g % 4)
            from generate_series(1, 30) g`.execute(t.db.kysely);
});

describe('mutated cursors only ever give a page or a 400', () => {
  const orderBy = [
    { column: 'created_at', direction: 'asc' },
    { column: 'score', direction: 'desc' },
    { column: 'label', direction: 'asc' },
  ] as const;

  for (const signed of [false, true]) {
    it(`PostgreSQL, ${signed ? 'signed (every change is refused)' : 'unsigned'}`, async () => {
      const db = signed ? t.open({ cursorSecret: SECRET }) : t.db;
      const repo = new BaseRepository<DB, 'prop_items'>(db, { table: 'prop_items' });
      const { nextCursor } = await repo.paginateByCursor({ orderBy, limit: 4 });
      const valid = nextCursor!;
      await fc.assert(
        fc.asyncProperty(mutation(valid), async (after) => {
          const outcome = await pageOrBadRequest(() => repo.paginateByCursor({ orderBy, limit: 4, after }));
          if (signed && after !== valid) expect(outcome).toBe('rejected');
        }),
        { numRuns: 150 },
      );
    });
  }

  it('the in-memory fake, signed and unsigned', async () => {
    for (const cursorSecret of [undefined, SECRET]) {
      const fake = new InMemoryRepository<ItemRow>({
        table: 'prop_items',
        columns: ['id', 'created_at', 'score', 'label'],
        cursorSecret,
      });
      await fake.createMany(
        Array.from({ length: 20 }, (_, i) => ({
          created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i % 5)),
          score: String(i % 3),
          label: `l${i % 4}`,
        })),
      );
      const { nextCursor } = await fake.paginateByCursor({ orderBy, limit: 4 });
      await fc.assert(
        fc.asyncProperty(mutation(nextCursor!), async (after) => {
          const outcome = await pageOrBadRequest(() => fake.paginateByCursor({ orderBy, limit: 4, after }));
          if (cursorSecret !== undefined && after !== nextCursor) expect(outcome).toBe('rejected');
        }),
        { numRuns: 300 },
      );
    }
  });
});

describe('paging through equal timestamps yields each row once, in order', () => {
  const rowsArbitrary = fc.array(fc.record({ micros: fc.nat({ max: 6 }), score: fc.integer({ min: -2, max: 2 }) }), {
    minLength: 0,
    maxLength: 40,
  });
  const direction = fc.constantFrom('asc' as const, 'desc' as const);

  it('on PostgreSQL (microsecond timestamps, many ties)', async () => {
    const repo = new BaseRepository<DB, 'prop_walk'>(t.db, { table: 'prop_walk' });
    await fc.assert(
      fc.asyncProperty(
        rowsArbitrary,
        fc.integer({ min: 1, max: 9 }),
        direction,
        fc.boolean(),
        async (rows, limit, dir, byScore) => {
          await sql`truncate prop_walk restart identity`.execute(t.db.kysely);
          if (rows.length > 0) {
            const values = rows.map(
              (row) =>
                sql`(timestamptz '2026-01-01 00:00:00.000001+00' + ${row.micros} * interval '1 microsecond', ${row.score}, 'x')`,
            );
            await sql`insert into prop_walk (created_at, score, label) values ${sql.join(values)}`.execute(t.db.kysely);
          }
          const orderBy = byScore
            ? [
                { column: 'score' as const, direction: dir },
                { column: 'created_at' as const, direction: dir === 'asc' ? ('desc' as const) : ('asc' as const) },
              ]
            : [{ column: 'created_at' as const, direction: dir }];
          const order = orderBy.map((term) => `${term.column} ${term.direction}`).join(', ');
          const expected = (
            await sql<{
              id: number;
            }>`select id from prop_walk order by ${sql.raw(order)}, id ${sql.raw(orderBy.at(-1)!.direction)}`.execute(
              t.db.kysely,
            )
          ).rows.map((row) => row.id);
          const seen: number[] = [];
          let after: string | undefined;
          for (let pages = 0; pages <= rows.length + 1; pages += 1) {
            const page = await repo.paginateByCursor({ orderBy, limit, after });
            seen.push(...page.items.map((row) => row.id));
            if (!page.hasNextPage) break;
            after = page.nextCursor;
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('on the in-memory fake (millisecond Dates, many ties)', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, fc.integer({ min: 1, max: 9 }), direction, async (rows, limit, dir) => {
        const fake = new InMemoryRepository<ItemRow>({
          table: 'prop_walk',
          columns: ['id', 'created_at', 'score', 'label'],
        });
        await fake.createMany(
          rows.map((row) => ({
            created_at: new Date(Date.UTC(2026, 0, 1) + row.micros),
            score: String(row.score),
            label: 'x',
          })),
        );
        const expected = (await fake.findMany({ orderBy: { column: 'created_at', direction: dir } })).map(
          (row) => row.id,
        );
        const seen: number[] = [];
        let after: string | undefined;
        for (let pages = 0; pages <= rows.length + 1; pages += 1) {
          const page = await fake.paginateByCursor({ orderBy: { column: 'created_at', direction: dir }, limit, after });
          seen.push(...page.items.map((row) => row.id));
          if (!page.hasNextPage) break;
          after = page.nextCursor;
        }
        expect(seen).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
