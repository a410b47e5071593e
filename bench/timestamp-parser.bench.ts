// The per-pool timestamp parser, measured two ways in one run:
// 1. parsing alone: pg's postgres-date vs the fast parser on the same strings;
// 2. a keyset page of 50 rows with 2 timestamptz columns (BaseRepository.paginateByCursor,
//    8 in flight): this tree vs the library at BENCH_BASELINE (default /work/main/src),
//    both with named prepared statements off so only the parser differs. Client CPU per page.
// Run: npx tsx bench/timestamp-parser.bench.ts
import { sql } from 'kysely';
import pg from 'pg';

import { timestampParser } from '../src/connection/parse-timestamp.js';
import * as current from '../src/index.js';
import { createTestSchema } from '../src/testing/index.js';

type Library = typeof current;
const baselinePath = process.env.BENCH_BASELINE ?? '/work/main/src/index.ts';
const baseline = (await import(baselinePath)) as Library;
const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PAGES = Number(process.env.BENCH_PAGES ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// 1. Parsing alone.
const postgresDate = pg.types.getTypeParser(1184, 'text') as (value: string) => unknown;
const fast = timestampParser(postgresDate as (value: string) => Date);
const texts = Array.from({ length: 1000 }, (_, i) =>
  new Date(1.7e12 + i * 7_654_321)
    .toISOString()
    .replace('T', ' ')
    .replace('Z', `${i % 7}+00`),
);
for (const [name, parse] of [
  ['postgres-date', postgresDate],
  ['fast parser', fast],
] as const) {
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < 500; i++) for (const text of texts) parse(text);
    const used = process.cpuUsage(started);
    samples.push(((used.user + used.system) * 1000) / (500 * texts.length));
  }
  console.log(`parse one timestamptz, ${name}: ${median(samples).toFixed(0)} ns CPU`);
}

// 2. Keyset pages.
const schema = await createTestSchema(url, 'bench_timestamps');
interface DB {
  events: { id: number; name: string; created_at: Date; updated_at: Date };
}
const options = { ...schema.options, pool: { max: 10 }, logger: 'silent' } as const;
const variants = {
  before: baseline.createDatabase<DB>(options), // the baseline has no preparedStatements option (unnamed)
  after: current.createDatabase<DB>({ ...options, preparedStatements: false }),
};

async function pages(name: keyof typeof variants, library: Library): Promise<number> {
  const Repository = library.BaseRepository;
  const events = new Repository<DB, 'events'>(variants[name], { table: 'events' });
  let done = 0;
  const worker = async () => {
    while (done < PAGES) {
      done++;
      const page = await events.paginateByCursor({ orderBy: { column: 'created_at', direction: 'desc' }, limit: 50 });
      if (page.items.length !== 50) throw new Error('short page');
    }
  };
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: 8 }, worker));
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / PAGES;
}

try {
  const setup = variants.after.kysely;
  await sql`create table events (id serial primary key, name text not null, created_at timestamptz not null, updated_at timestamptz not null)`.execute(
    setup,
  );
  await sql`insert into events (name, created_at, updated_at) select 'e' || i, now() - i * interval '1.234567 second', now() - i * interval '1 minute' from generate_series(1, 5000) i`.execute(
    setup,
  );
  const libraries = { before: baseline, after: current };
  for (const name of ['before', 'after'] as const) await pages(name, libraries[name]); // warm-up
  const cpu: Record<string, number[]> = { before: [], after: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
      cpu[name]!.push(await pages(name, libraries[name]));
    }
  }
  const before = median(cpu.before!);
  const after = median(cpu.after!);
  console.log(
    `keyset page of 50 (2 timestamptz columns), 8 in flight, ${PAGES} pages x ${ROUNDS} rounds: ` +
      `before ${before.toFixed(0)} µs CPU/page, after ${after.toFixed(0)} µs CPU/page (${(after / before).toFixed(2)}x)`,
  );
} finally {
  await Promise.all(Object.values(variants).map((db) => db.close()));
  await schema.drop();
}
