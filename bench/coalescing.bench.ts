// Coalescing of findById and create, 32 calls in flight, against raw pg.Pool, in one run.
// Run: npx tsx bench/coalescing.bench.ts   (BENCH_N ops per case, BENCH_REPS interleaved repetitions)
import { performance } from 'node:perf_hooks';

import { type Generated, sql } from 'kysely';
import pg from 'pg';

import { BaseRepository, createDatabase } from '../src/index.js';
import { createTestSchema } from '../src/testing/index.js';

interface DB {
  items: { id: Generated<number>; name: string; qty: number; created_at: Generated<Date> };
}

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 6_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const IN_FLIGHT = 32;
const schema = await createTestSchema(url, 'bench_coalesce');
const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema.schema}` });
const db = createDatabase<DB>({ ...schema.options, pool: { max: 10 }, logger: 'silent' });

interface Sample {
  opsPerSecond: number;
  cpuUsPerOp: number;
  statementsPerOp: number;
}

/** `count` operations, `IN_FLIGHT` at a time; throughput, client CPU and statements per operation. */
async function run(count: number, operation: (index: number) => Promise<unknown>, statements: () => number) {
  let next = 0;
  const worker = async () => {
    while (next < count) await operation(next++);
  };
  const before = statements();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    opsPerSecond: (count / wallMs) * 1000,
    cpuUsPerOp: (used.user + used.system) / count,
    statementsPerOp: (statements() - before) / count,
  } satisfies Sample;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

try {
  await sql`create table items (id serial primary key, name text not null, qty int not null, created_at timestamptz not null default now())`.execute(
    db.kysely,
  );
  await sql`insert into items (name, qty) select 'item ' || i, i from generate_series(1, 20000) i`.execute(db.kysely);
  const on = new BaseRepository(db, { table: 'items', timestamps: { createdAt: 'created_at' } });
  const off = new BaseRepository(db, { table: 'items', timestamps: { createdAt: 'created_at' }, coalesce: false });
  const dbStatements = () => db.metrics().queries.total;
  const none = () => 0;
  const id = (i: number) => ((i * 7919) % 20_000) + 1;
  const cases: Record<string, Record<string, () => Promise<Sample>>> = {
    'findById, 32 in flight': {
      'raw pg.Pool': () => run(N, (i) => pool.query('select * from "items" where "id" = $1', [id(i)]), none),
      'data-layer, coalesce off': () => run(N, (i) => off.findById(id(i)), dbStatements),
      'data-layer, coalesce on': () => run(N, (i) => on.findById(id(i)), dbStatements),
    },
    'create, 32 in flight': {
      'raw pg.Pool': () =>
        run(
          N,
          (i) =>
            pool.query('insert into "items" ("name", "qty", "created_at") values ($1, $2, now()) returning *', [
              `raw ${i}`,
              i,
            ]),
          none,
        ),
      'data-layer, coalesce off': () => run(N, (i) => off.create({ name: `off ${i}`, qty: i }), dbStatements),
      'data-layer, coalesce on': () => run(N, (i) => on.create({ name: `on ${i}`, qty: i }), dbStatements),
    },
  };
  // Warm-up (catalog reads, JIT), then interleaved repetitions with the order rotated.
  for (const workload of Object.values(cases)) for (const each of Object.values(workload)) await each();
  for (const [title, workload] of Object.entries(cases)) {
    const samples: Record<string, Sample[]> = {};
    const names = Object.keys(workload);
    for (let rep = 0; rep < REPS; rep++) {
      for (const name of [...names.slice(rep % names.length), ...names.slice(0, rep % names.length)])
        (samples[name] ??= []).push(await (workload[name] as () => Promise<Sample>)());
    }
    const raw = samples['raw pg.Pool'] as Sample[];
    const base = { ops: median(raw.map((s) => s.opsPerSecond)), cpu: median(raw.map((s) => s.cpuUsPerOp)) };
    console.log(`\n${title} (${N} ops x ${REPS} reps, medians; ratios to raw pg.Pool)`);
    console.table(
      Object.fromEntries(
        names.map((name) => {
          const list = samples[name] as Sample[];
          const ops = median(list.map((s) => s.opsPerSecond));
          const cpu = median(list.map((s) => s.cpuUsPerOp));
          return [
            name,
            {
              'ops/s': Math.round(ops),
              'throughput x pg': (ops / base.ops).toFixed(2),
              'cpu µs/op': cpu.toFixed(1),
              'cpu x pg': (cpu / base.cpu).toFixed(2),
              'statements/op': name.startsWith('raw') ? '1' : median(list.map((s) => s.statementsPerOp)).toFixed(3),
            },
          ];
        }),
      ),
    );
  }
} finally {
  await db.close();
  await pool.end();
  await schema.drop();
}
