// Client CPU per operation of the Kysely-built repository reads and writes, one in flight,
// for one build of the library: compare two builds in the same run by running it twice.
// Run: BENCH_LIB=/work/main/dist/index.js npx tsx bench/statement-shapes.bench.ts
//      BENCH_LIB=./dist/index.js npx tsx bench/statement-shapes.bench.ts
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { type Generated, sql } from 'kysely';

import type * as Library from '../src/index.js';
import type * as Testing from '../src/testing/index.js';

interface DB {
  items: {
    id: Generated<number>;
    name: string;
    team: string;
    qty: number;
    updated_at: Generated<Date>;
    deleted_at: Date | null;
  };
}

const lib = (await import(pathToFileURL(resolve(process.env.BENCH_LIB ?? 'dist/index.js')).href)) as typeof Library;
const testing = (await import(
  pathToFileURL(resolve(process.env.BENCH_LIB ?? 'dist/index.js', '../testing/index.js')).href
)) as typeof Testing;
const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 2_000);
const schema = await testing.createTestSchema(url, 'bench_shapes');
const db = lib.createDatabase<DB>({ ...schema.options, pool: { max: 1 }, logger: 'silent' });
try {
  await sql`create table items (id serial primary key, name text not null, team text not null, qty int not null,
    updated_at timestamptz not null default now(), deleted_at timestamptz)`.execute(db.kysely);
  await sql`insert into items (name, team, qty) select 'item ' || i, 't' || (i % 50), i from generate_series(1, 20000) i`.execute(
    db.kysely,
  );
  const items = new lib.BaseRepository(db, {
    table: 'items',
    softDelete: 'deleted_at',
    timestamps: { updatedAt: 'updated_at' },
  });
  const team = (i: number) => `t${i % 50}`;
  const results = [
    await measure('findMany (where, orderBy, limit 10)', N, (i) =>
      items.findMany({ where: { team: team(i), qty: { gte: i % 100 } }, orderBy: 'qty', limit: 10 }),
    ),
    await measure('paginate (page of 10 + count)', N, (i) =>
      items.paginate({ where: { team: team(i) }, page: 2, pageSize: 10 }),
    ),
    await measure('update by id', N, (i) => items.update((i % 20_000) + 1, { qty: i })),
    await measure('delete by id (soft)', N, (i) => items.delete((i % 20_000) + 1)),
  ];
  console.log(`\n${process.env.BENCH_LIB ?? 'dist/index.js'} (${N} ops each, 1 in flight)`);
  console.table(
    results.map((m) => ({
      case: m.name,
      'cpu µs/op': ((m.cpuMs / m.operations) * 1000).toFixed(1),
      'wall µs/op': ((m.wallMs / m.operations) * 1000).toFixed(1),
    })),
  );
} finally {
  await db.close();
  await schema.drop();
}

/** Runs `operation` `count` times, one in flight, after a warm-up; wall and client CPU time. */
async function measure(name: string, count: number, operation: (index: number) => Promise<unknown>) {
  const warmup = Math.min(200, count);
  for (let i = 0; i < warmup; i++) await operation(i);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) await operation(warmup + i);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { name, operations: count, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
