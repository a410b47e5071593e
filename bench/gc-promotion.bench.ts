// Bytes promoted to V8's old space per operation: what outlives a scavenge. Unlike CPU
// time, this barely moves with the machine's load, so it shows a retention problem (an
// object kept alive across operations) on a noisy machine too. Each case runs serially in
// its own child process under --trace-gc-nvp; the parent sums `promoted=` of the
// scavenges after the warm-up.
// Run: npx tsx bench/gc-promotion.bench.ts   (BENCH_N operations per case, after BENCH_N / 4 warm-up;
//      BENCH_ONLY=keyset runs the cases whose name contains it)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { type Generated, sql } from 'kysely';
import pg from 'pg';

import { BaseRepository, createDatabase } from '../src/index.js';
import { createTestSchema } from '../src/testing/index.js';

interface DB {
  items: { id: Generated<number>; name: string; qty: number; created_at: Generated<Date> };
}

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 40_000);
const MARK = '--- measured ---';
const CASES = [
  'pg named findById',
  'data-layer findById',
  'data-layer findById, coalesce off',
  'pg transaction insert + update',
  'data-layer transaction insert + update',
  'pg savepoint rollback',
  'data-layer savepoint rollback',
  'pg keyset page of 50',
  'data-layer keyset page of 50',
] as const;
type Case = (typeof CASES)[number];

async function child(name: Case, schemaName: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schemaName}` });
  const db = createDatabase<DB>({ connectionString: url, searchPath: schemaName, pool: { max: 4 }, logger: 'silent' });
  const items = new BaseRepository(db, { table: 'items' });
  const plain = new BaseRepository(db, { table: 'items', coalesce: false });
  const id = (i: number) => ((i * 7919) % 1_000) + 1;
  const rolledBack = new Error('roll back the savepoint');
  // Each keyset case reads its own starting points: pg's positions, data-layer's cursors.
  const positions =
    name === 'pg keyset page of 50'
      ? (
          await pool.query<{ at: string; id: number }>(
            `select created_at::text as at, id from items where id % 50 = 1 and id <= 900 order by created_at, id`,
          )
        ).rows
      : [];
  const cursors: string[] = [];
  if (name === 'data-layer keyset page of 50') {
    let after: string | undefined;
    for (;;) {
      const page = await items.paginateByCursor({ after, limit: 50, orderBy: ['created_at'] });
      if (!page.hasNextPage || page.nextCursor === undefined || cursors.length >= 18) break;
      cursors.push((after = page.nextCursor));
    }
  }
  const operations: Record<Case, (i: number) => Promise<unknown>> = {
    'pg named findById': (i) =>
      pool.query({ name: 'find', text: 'select * from items where id = $1', values: [id(i)] }),
    'data-layer findById': (i) => items.findById(id(i)),
    'data-layer findById, coalesce off': (i) => plain.findById(id(i)),
    'pg transaction insert + update': async (i) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const { rows } = await client.query<{ id: number }>(
          'insert into items (name, qty) values ($1, 0) returning *',
          [`n${i}`],
        );
        await client.query('update items set qty = 1 where id = $1 returning *', [rows[0]!.id]);
        await client.query('commit');
      } finally {
        client.release();
      }
    },
    'data-layer transaction insert + update': (i) =>
      db.transaction(async () => {
        const row = await items.create({ name: `n${i}`, qty: 0 });
        await items.update(row.id, { qty: 1 });
      }),
    'pg savepoint rollback': async (i) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query('insert into items (name, qty) values ($1, 0) returning *', [`n${i}`]);
        await client.query('savepoint s1');
        await client.query('insert into items (name, qty) values ($1, -9) returning *', [`n${i}`]);
        await client.query('rollback to savepoint s1');
        await client.query('commit');
      } finally {
        client.release();
      }
    },
    'data-layer savepoint rollback': (i) =>
      db.transaction(async () => {
        await items.create({ name: `n${i}`, qty: 0 });
        await db
          .transaction(async () => {
            await items.create({ name: `n${i}`, qty: -9 });
            throw rolledBack;
          })
          .catch((error: unknown) => {
            if (error !== rolledBack) throw error;
          });
      }),
    'pg keyset page of 50': (i) => {
      const at = positions[i % positions.length]!;
      return pool.query('select * from items where (created_at, id) > ($1, $2) order by created_at, id limit 51', [
        at.at,
        at.id,
      ]);
    },
    'data-layer keyset page of 50': (i) =>
      items.paginateByCursor({ after: cursors[i % cursors.length], limit: 50, orderBy: ['created_at'] }),
  };
  const operation = operations[name];
  for (let i = 0; i < N / 4; i++) await operation(i);
  process.stdout.write(`${MARK}\n`);
  for (let i = 0; i < N; i++) await operation(i);
  process.stdout.write(`${MARK}\n`);
  await db.close();
  await pool.end();
}

/** Scavenges between the two marks: how many, and the bytes they promoted. */
function promoted(output: string): { scavenges: number; bytes: number } {
  const [, measured = ''] = output.split(MARK);
  let scavenges = 0;
  let bytes = 0;
  for (const line of measured.split('\n')) {
    if (!/\bgc=s\b/.test(line)) continue;
    scavenges++;
    bytes += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return { scavenges, bytes };
}

const [role, caseName, schemaArg] = process.argv.slice(2);
if (role === 'child') {
  await child(caseName as Case, schemaArg!);
} else {
  const schema = await createTestSchema(url, 'bench_gc');
  const db = createDatabase<DB>({ ...schema.options, logger: 'silent' });
  try {
    await sql`create table items (id serial primary key, name text not null, qty int not null, created_at timestamptz not null default now())`.execute(
      db.kysely,
    );
    await sql`insert into items (name, qty) select 'item ' || i, i from generate_series(1, 1000) i`.execute(db.kysely);
    console.log(`${N} serial operations per case after ${N / 4} warm-up; scavenges and bytes promoted\n`);
    console.log('| case | scavenges | promoted bytes per scavenge | promoted bytes per operation |');
    console.log('|---|---|---|---|');
    const script = fileURLToPath(import.meta.url);
    for (const name of CASES.filter((each) => each.includes(process.env.BENCH_ONLY ?? ''))) {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--trace-gc-nvp', script, 'child', name, schema.schema],
        { encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 },
      );
      if (run.status !== 0) throw new Error(`${name} failed: ${run.stderr}`);
      const { scavenges, bytes } = promoted(run.stdout);
      const perScavenge = scavenges === 0 ? 0 : Math.round(bytes / scavenges);
      console.log(`| ${name} | ${scavenges} | ${perScavenge.toLocaleString('en')} | ${(bytes / N).toFixed(1)} |`);
    }
  } finally {
    await db.close();
    await schema.drop();
  }
}
