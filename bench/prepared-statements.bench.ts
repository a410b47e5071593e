// Named prepared statements on vs off: BaseRepository.findById, same process, same server,
// interleaved repetitions. Client CPU per op (process.cpuUsage) is the stable number on a
// shared machine; throughput also shows the server-side parse/plan saving.
// Run: npx tsx bench/prepared-statements.bench.ts   (BENCH_N ops per round, BENCH_ROUNDS rounds)
import { type Generated, sql } from 'kysely';

import { BaseRepository, createDatabase, type Database } from '../src/index.js';
import { createTestSchema } from '../src/testing/index.js';

interface DB {
  items: { id: Generated<number>; name: string; qty: number; updated_at: Generated<Date> };
}

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const schema = await createTestSchema(url, 'bench_prepared');
const open = (preparedStatements: boolean): Database<DB> =>
  createDatabase<DB>({ ...schema.options, pool: { max: 10 }, logger: 'silent', preparedStatements });
const variants = { on: open(true), off: open(false) };

async function run(db: Database<DB>, inFlight: number): Promise<{ opsPerSec: number; cpuUsPerOp: number }> {
  const items = new BaseRepository(db, { table: 'items', timestamps: { updatedAt: 'updated_at' } });
  let next = 0;
  const worker = async () => {
    while (next < N) {
      const i = next++;
      const row = await items.findById((i % 1000) + 1);
      if (row === undefined) throw new Error('missing row');
    }
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { opsPerSec: N / seconds, cpuUsPerOp: (used.user + used.system) / N };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  await sql`create table items (id serial primary key, name text not null, qty int not null, updated_at timestamptz not null default now())`.execute(
    variants.on.kysely,
  );
  await sql`insert into items (name, qty) select 'item ' || i, i from generate_series(1, 1000) i`.execute(
    variants.on.kysely,
  );
  for (const inFlight of [1, 32]) {
    const results: Record<string, { ops: number[]; cpu: number[] }> = {
      on: { ops: [], cpu: [] },
      off: { ops: [], cpu: [] },
    };
    for (const db of Object.values(variants)) await run(db, inFlight); // warm-up: connections, JIT, statements
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const name of order) {
        const { opsPerSec, cpuUsPerOp } = await run(variants[name], inFlight);
        results[name]!.ops.push(opsPerSec);
        results[name]!.cpu.push(cpuUsPerOp);
      }
    }
    const on = results.on!;
    const off = results.off!;
    console.log(
      `findById, ${inFlight} in flight, ${N} ops x ${ROUNDS} rounds (medians): ` +
        `off ${median(off.ops).toFixed(0)} ops/s ${median(off.cpu).toFixed(1)} µs CPU/op | ` +
        `on ${median(on.ops).toFixed(0)} ops/s ${median(on.cpu).toFixed(1)} µs CPU/op | ` +
        `on/off throughput ${(median(on.ops) / median(off.ops)).toFixed(2)}x, CPU ${(median(on.cpu) / median(off.cpu)).toFixed(2)}x`,
    );
  }
} finally {
  await Promise.all(Object.values(variants).map((db) => db.close()));
  await schema.drop();
}
