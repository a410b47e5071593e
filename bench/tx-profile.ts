/**
 * Client CPU per transaction: @org/data-layer against raw pg doing the same statements.
 *
 *   npm run build   # or: npx tsup --format esm -d scratch/base --dts false
 *   DL_DIST=../dist npx tsx bench/tx-profile.ts [--ops 4000] [--in-flight 16] [--only dl-repo]
 *   node --cpu-prof --cpu-prof-dir=scratch/prof --import tsx bench/tx-profile.ts --only dl-repo
 *
 * Workloads, each N transactions with `--in-flight` running at once:
 * - insert returning + update by id (BEGIN, INSERT ... RETURNING, UPDATE, COMMIT), via
 *   `db.transaction` with a BaseRepository, via `db.kysely` inside `db.transaction`, and
 *   via a raw `pg.Pool` client (the reference);
 * - savepoint rollback (BEGIN, INSERT, SAVEPOINT, INSERT, ROLLBACK TO, COMMIT), via
 *   `db.transaction` nested in `db.transaction`, and raw pg.
 * Prints client CPU µs/op (process.cpuUsage) and wall µs/op, and each as a ratio to raw pg.
 * Each write verifies its effect (row counts) so a broken path cannot post a number.
 */
import { createHook } from 'node:async_hooks';
import { parseArgs } from 'node:util';

import type { Generated } from 'kysely';
import pg from 'pg';

import type * as DataLayer from '../src/index.js';

interface Row {
  id: number;
  name: string;
  n: number;
}
interface DB {
  tx_bench: { id: Generated<number>; name: string; n: number };
}

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '4000' },
    'in-flight': { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', multiple: true },
    // Deterministic on a noisy machine: promises created per op (an async hook counts them).
    'count-promises': { type: 'boolean', default: false },
  },
});
const OPS = Number(values.ops);
const IN_FLIGHT = Number(values['in-flight']);
const ROUNDS = Number(values.rounds);
const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dist = process.env.DL_DIST ?? '../dist';

const dl = (await import(`${dist}/index.js`)) as typeof DataLayer;

type Work = (i: number) => Promise<void>;

let promises = 0;
const promiseCounter = createHook({
  init(_id, type) {
    if (type === 'PROMISE') promises++;
  },
});

async function measure(work: Work): Promise<{ cpu: number; wall: number; promises: number }> {
  let next = 0;
  const worker = async () => {
    while (next < OPS) await work(next++);
  };
  const warm = Math.min(300, OPS);
  for (let i = 0; i < warm; i++) await work(i);
  next = 0;
  if (values['count-promises']) promiseCounter.enable();
  promises = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  promiseCounter.disable();
  return { cpu: ((cpu.user + cpu.system) / OPS) | 0, wall: ((wall * 1000) / OPS) | 0, promises: promises / OPS };
}

const pool = new pg.Pool({ connectionString: URL, max: 10 });
await pool.query('drop table if exists tx_bench');
await pool.query('create table tx_bench (id serial primary key, name text not null, n int not null)');

const db = dl.createDatabase<DB>({ connectionString: URL, pool: { max: 10 } });
const repo = new dl.BaseRepository(db, { table: 'tx_bench' } as never) as unknown as {
  create(row: { name: string; n: number }): Promise<Row>;
  update(id: number, patch: { n: number }): Promise<Row>;
};

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`verification failed: ${what}`);
}

const cases: Record<string, Work> = {
  'pg insert+update': async (i) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<Row>('insert into tx_bench (name, n) values ($1, $2) returning *', [
        `r${i}`,
        i,
      ]);
      const updated = await client.query('update tx_bench set n = $1 where id = $2', [i + 1, rows[0]!.id]);
      check(updated.rowCount === 1, 'pg update');
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  },
  'dl-repo insert+update': async (i) => {
    await db.transaction(async () => {
      const row = await repo.create({ name: `r${i}`, n: i });
      const updated = await repo.update(row.id, { n: i + 1 });
      check(updated.n === i + 1, 'repo update');
    });
  },
  'dl-kysely insert+update': async (i) => {
    await db.transaction(async () => {
      const row = await db.kysely
        .insertInto('tx_bench')
        .values({ name: `r${i}`, n: i })
        .returningAll()
        .executeTakeFirstOrThrow();
      const updated = await db.kysely
        .updateTable('tx_bench')
        .set({ n: i + 1 })
        .where('id', '=', row.id)
        .executeTakeFirst();
      check(updated.numUpdatedRows === 1n, 'kysely update');
    });
  },
  'pg savepoint rollback': async (i) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('insert into tx_bench (name, n) values ($1, $2)', [`s${i}`, i]);
      await client.query('savepoint sp');
      await client.query('insert into tx_bench (name, n) values ($1, $2)', [`t${i}`, i]);
      await client.query('rollback to savepoint sp');
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  },
  'dl savepoint rollback': async (i) => {
    const rolledBack = new Error('roll back the savepoint');
    await db.transaction(async (tx) => {
      await tx
        .insertInto('tx_bench')
        .values({ name: `s${i}`, n: i })
        .execute();
      try {
        await db.transaction(async (inner) => {
          await inner
            .insertInto('tx_bench')
            .values({ name: `t${i}`, n: i })
            .execute();
          throw rolledBack;
        });
      } catch (error) {
        if (error !== rolledBack) throw error;
      }
    });
  },
};

const selected = Object.keys(cases).filter((name) => !values.only || values.only.some((o) => name.includes(o)));
const results: Record<string, Array<{ cpu: number; wall: number; promises: number }>> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const name of selected) (results[name] ??= []).push(await measure(cases[name]!));
}
const { rows: counts } = await pool.query<{ t: number }>(
  `select count(*)::int as t from tx_bench where name like 't%'`,
);
check(counts[0]!.t === 0, 'savepoint rollback left no inner rows');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const reference = (name: string) => (name.includes('savepoint') ? 'pg savepoint rollback' : 'pg insert+update');
console.log(`dist=${dist} ops=${OPS} in-flight=${IN_FLIGHT} rounds=${ROUNDS} (medians; ratios per round, to raw pg)`);
for (const name of selected) {
  const own = results[name]!;
  const ref = results[reference(name)];
  const cpu = median(own.map((r) => r.cpu));
  const wall = median(own.map((r) => r.wall));
  const ratio = ref
    ? `  cpu x${median(own.map((r, i) => r.cpu / ref[i]!.cpu)).toFixed(2)}  throughput x${median(own.map((r, i) => ref[i]!.wall / r.wall)).toFixed(2)}`
    : '';
  const counted = values['count-promises'] ? `  promises/op ${median(own.map((r) => r.promises)).toFixed(1)}` : '';
  console.log(
    `${name.padEnd(26)} cpu ${String(cpu).padStart(5)} µs/op  wall ${String(wall).padStart(5)} µs/op${ratio}${counted}`,
  );
}
await db.close();
await pool.end();
