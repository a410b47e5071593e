// Repository hot paths against raw pg, measured in one run on one server.
// Run: npm run bench   (uses TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
import { type Generated, sql } from 'kysely';
import pg from 'pg';

import { BaseRepository, createDatabase } from '../src/index.js';
import { HotStatements } from '../src/repository/hot-statements.js';
import { createTestSchema } from '../src/testing/index.js';
import { measure, report } from './bench-harness.js';

interface DB {
  items: { id: Generated<number>; name: string; qty: number; updated_at: Generated<Date> };
}

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 3_000);
const schema = await createTestSchema(url, 'bench');
const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema.schema}` });
const db = createDatabase<DB>({ ...schema.options, pool: { max: 1 }, logger: 'silent' });
try {
  await sql`create table items (id serial primary key, name text not null, qty int not null, updated_at timestamptz not null default now())`.execute(
    db.kysely,
  );
  await sql`insert into items (name, qty) select 'item ' || i, i from generate_series(1, ${N * 2}) i`.execute(
    db.kysely,
  );
  const items = new BaseRepository(db, { table: 'items', timestamps: { updatedAt: 'updated_at' } });
  const id = (i: number) => (i % (N * 2)) + 1;

  report('findById', await measure('raw pg', N, (i) => pool.query('select * from "items" where "id" = $1', [id(i)])), [
    await measure('BaseRepository.findById', N, (i) => items.findById(id(i))),
    await measure('db.kysely builder per call', N, (i) =>
      db.kysely.selectFrom('items').selectAll().where('id', '=', id(i)).executeTakeFirst(),
    ),
  ]);

  report(
    'create',
    await measure('raw pg', N, (i) =>
      pool.query('insert into "items" ("name", "qty", "updated_at") values ($1, $2, now()) returning *', [
        `raw ${i}`,
        i,
      ]),
    ),
    [await measure('BaseRepository.create', N, (i) => items.create({ name: `repo ${i}`, qty: i }))],
  );

  report(
    'update',
    await measure('raw pg', N, (i) =>
      pool.query('update "items" set "qty" = $1, "updated_at" = now() where "id" = $2 returning *', [i, id(i)]),
    ),
    [await measure('BaseRepository.update', N, (i) => items.update(id(i), { qty: i }))],
  );

  // Statement preparation alone (no I/O): what the compile-once hot path saves per call.
  const hot = new HotStatements('items', 'id');
  const filters = [{ column: 'deleted_at', op: 'null' as const }];
  const prepared = 100_000;
  report(
    'findById statement preparation, no I/O',
    await measure('Kysely build + compile per call', prepared, async (i) =>
      db.kysely.selectFrom('items').selectAll().where('id', '=', i).compile(),
    ),
    [await measure('cached SQL + bind (BaseRepository)', prepared, async (i) => hot.findById(filters).values(i))],
  );

  const batch = Array.from({ length: 10_000 }, (_, i) => ({ name: `batch ${i}`, qty: i }));
  const singles = await measure(
    '10,000 × BaseRepository.create',
    1,
    async () => {
      for (const row of batch) await items.create(row);
    },
    0,
  );
  const many = await measure('BaseRepository.createMany(10,000)', 1, () => items.createMany(batch), 0);
  report('10,000 rows', singles, [many]);
  console.log(
    `createMany speed-up over single creates: ${(singles.wallMs / many.wallMs).toFixed(1)}× (target: at least 10×)`,
  );
} finally {
  await pool.end();
  await db.close();
  await schema.drop();
}
