// Cache middleware cost against the database read it replaces, measured in one run on one server.
// Run: npx tsx bench/cache.bench.ts   (uses TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
//
// Cases, all reading one row by primary key:
//   (a) raw pg query
//   (b) BaseRepository.findById, no middleware
//   (c) BaseRepository.findById with cache() on memoryCacheStore, every call a hit
//   (d) BaseRepository.findById with one pass-through middleware
//
// Part 1 runs (a)–(d) for BENCH_ROUNDS rounds in a rotated order and compares medians: a hit
// against the read it replaces. Part 2 compares (d) with (b) in BENCH_PAIRS short back-to-back
// blocks (alternating which goes first) and uses the median of the per-pair ratios: the
// difference sought (~1 µs on ~50 µs) is smaller than the drift of a shared machine between
// rounds. Part 3 measures the chain alone, without I/O, as a cross-check.
import { type Generated, sql } from 'kysely';
import pg from 'pg';

import { BaseRepository, createDatabase, type RepositoryMiddleware } from '../src/index.js';
import { cache, memoryCacheStore } from '../src/middleware/cache/index.js';
import { runMiddleware } from '../src/middleware/run-middleware.js';
import { createTestSchema } from '../src/testing/index.js';
import { measure, type Measurement, report } from './bench-harness.js';

interface DB {
  items: { id: Generated<number>; name: string; qty: number; updated_at: Generated<Date> };
}

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 3_000);
const HIT_N = Number(process.env.BENCH_HIT_N ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 40);
const BLOCK = Number(process.env.BENCH_BLOCK ?? 500);
const ROWS = 1_000;
const schema = await createTestSchema(url, 'bench_cache');
const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema.schema}` });
const db = createDatabase<DB>({ ...schema.options, pool: { max: 1 }, logger: 'silent' });

const passThrough: RepositoryMiddleware = { name: 'pass-through', handle: (_operation, next) => next() };
const cached = cache({ store: memoryCacheStore({ maxEntries: ROWS * 2 }), ttlSeconds: 3_600, keyPrefix: 'bench:' });
const perOp = (m: Measurement, field: 'wallMs' | 'cpuMs') => (m[field] / m.operations) * 1000;
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const percent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');

try {
  await sql`create table items (id serial primary key, name text not null, qty int not null, updated_at timestamptz not null default now())`.execute(
    db.kysely,
  );
  await sql`insert into items (name, qty) select 'item ' || i, i from generate_series(1, ${ROWS}) i`.execute(db.kysely);
  const options = { table: 'items', timestamps: { updatedAt: 'updated_at' } } as const;
  const plain = new BaseRepository(db, options);
  const withCache = new BaseRepository(db, { ...options, middleware: [cached] });
  const withPassThrough = new BaseRepository(db, { ...options, middleware: [passThrough] });
  const id = (i: number) => (i % ROWS) + 1;
  for (let i = 0; i < ROWS; i++) await withCache.findById(id(i)); // every measured call is a hit

  // ---- Part 1: a cache hit against the database read it replaces ----
  type Case = 'raw' | 'plain' | 'hit' | 'chain';
  const cases: Array<[Case, () => Promise<Measurement>]> = [
    ['raw', () => measure('(a) raw pg', N, (i) => pool.query('select * from "items" where "id" = $1', [id(i)]))],
    ['plain', () => measure('(b) findById, no middleware', N, (i) => plain.findById(id(i)))],
    ['hit', () => measure('(c) findById, cache hit (memory)', HIT_N, (i) => withCache.findById(id(i)))],
    ['chain', () => measure('(d) findById, one pass-through middleware', N, (i) => withPassThrough.findById(id(i)))],
  ];
  const rounds: Array<Record<Case, Measurement>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results: Partial<Record<Case, Measurement>> = {};
    for (let step = 0; step < cases.length; step++) {
      const [which, run] = cases[(round + step) % cases.length]!;
      results[which] = await run();
    }
    rounds.push(results as Record<Case, Measurement>);
  }
  const med = (which: Case, field: 'wallMs' | 'cpuMs') => median(rounds.map((round) => perOp(round[which], field)));
  const medianOf = (which: Case): Measurement => ({
    name: rounds[0]![which].name,
    operations: 1,
    wallMs: med(which, 'wallMs') / 1000,
    cpuMs: med(which, 'cpuMs') / 1000,
  });
  report(
    `Part 1: findById, medians over ${ROUNDS} rounds (hits: ${HIT_N} calls per round, others: ${N})`,
    medianOf('plain'),
    [medianOf('raw'), medianOf('hit'), medianOf('chain')],
  );
  const hitWall = med('plain', 'wallMs') / med('hit', 'wallMs');
  const hitCpu = med('plain', 'cpuMs') / med('hit', 'cpuMs');

  // ---- Part 2: one pass-through middleware against no chain, paired blocks ----
  const cpuRatios: number[] = [];
  const wallRatios: number[] = [];
  let plainCpuSum = 0;
  let chainCpuSum = 0;
  for (let pair = 0; pair < PAIRS; pair++) {
    const runPlain = () => measure('(b)', BLOCK, (i) => plain.findById(id(i)), 20);
    const runChain = () => measure('(d)', BLOCK, (i) => withPassThrough.findById(id(i)), 20);
    let b: Measurement;
    let d: Measurement;
    if (pair % 2 === 0) {
      b = await runPlain();
      d = await runChain();
    } else {
      d = await runChain();
      b = await runPlain();
    }
    cpuRatios.push(perOp(d, 'cpuMs') / perOp(b, 'cpuMs'));
    wallRatios.push(perOp(d, 'wallMs') / perOp(b, 'wallMs'));
    plainCpuSum += b.cpuMs;
    chainCpuSum += d.cpuMs;
  }
  const sortedCpu = [...cpuRatios].sort((x, y) => x - y);
  const chainCpu = median(cpuRatios);

  // ---- Part 3: the chain alone, no I/O ----
  const repository = withPassThrough.descriptor;
  const execute = () => Promise.resolve(undefined);
  const CHAIN_N = 200_000;
  const noChain = await measure(
    'runMiddleware, no middleware',
    CHAIN_N,
    () => runMiddleware([], { kind: 'findById', args: [1, undefined], repository, transaction: undefined }, execute),
    20_000,
  );
  const resolveTransaction = () => db.currentTransaction();
  const oneChain = await measure(
    'runMiddleware, one pass-through + currentTransaction()',
    CHAIN_N,
    () => {
      return runMiddleware(
        [passThrough],
        { kind: 'findById', args: [1, undefined], repository, transaction: resolveTransaction },
        execute,
      );
    },
    20_000,
  );
  const chainOnlyCpu = perOp(oneChain, 'cpuMs') - perOp(noChain, 'cpuMs');

  console.log('\nResults');
  console.log(
    `  (c) memory-store hit: ${med('hit', 'wallMs').toFixed(2)} µs wall, ${med('hit', 'cpuMs').toFixed(2)} µs CPU per call`,
  );
  console.log(
    `  (b) database read it replaces: ${med('plain', 'wallMs').toFixed(2)} µs wall, ${med('plain', 'cpuMs').toFixed(2)} µs CPU per call`,
  );
  console.log(
    `  hit vs database read (b ÷ c): ${hitWall.toFixed(1)}× less latency, ${hitCpu.toFixed(1)}× less CPU — target ≥ 10× on both: ${verdict(hitWall >= 10 && hitCpu >= 10)}`,
  );
  console.log(
    `  one pass-through middleware vs no chain (d ÷ b, median of ${PAIRS} paired blocks of ${BLOCK}): ${percent(chainCpu)} CPU ` +
      `(quartiles ${percent(sortedCpu[Math.floor(PAIRS / 4)]!)} … ${percent(sortedCpu[Math.floor((3 * PAIRS) / 4)]!)}; all blocks summed: ${percent(chainCpuSum / plainCpuSum)}), ` +
      `${percent(median(wallRatios))} wall — target < 5% CPU: ${verdict(chainCpu < 1.05)}`,
  );
  console.log(
    `  the chain alone, without I/O: ${chainOnlyCpu.toFixed(2)} µs CPU per call = ${((chainOnlyCpu / med('plain', 'cpuMs')) * 100).toFixed(1)}% of (b)'s CPU ` +
      `(${perOp(noChain, 'cpuMs').toFixed(2)} → ${perOp(oneChain, 'cpuMs').toFixed(2)} µs)`,
  );
  console.log(`  cache metrics: ${JSON.stringify(cached.metrics())}`);
} finally {
  await pool.end();
  await db.close();
  await schema.drop();
}
