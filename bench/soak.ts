// Soak: a few minutes of mixed load on one database handle, printing memory and connection
// counts over time and a final verdict (flat or growing). Not part of CI; stops by itself.
//
// Run: npx tsx bench/soak.ts --minutes 3
//      node --expose-gc --import tsx bench/soak.ts --minutes 3   (samples the heap after a GC: steadier)
// Options: --minutes (default 3), --interval seconds between samples (default 5), --workers (default 6).
// Uses TEST_DATABASE_URL / DATABASE_URL (else postgres://postgres@127.0.0.1:5432/postgres) in a
// schema of its own, dropped at the end, and REDIS_URL (else redis://127.0.0.1:6379) for the
// cache when it answers, else the in-memory store.
//
// Each worker loops, under withTenant() of one of four tenants: repository CRUD (create,
// update, findById, findMany, count, paginate, delete) through tenantFilter() and cache(),
// and a transaction with a released and a rolled-back savepoint.
import { parseArgs } from 'node:util';

import { Redis } from 'ioredis';
import { type Generated, sql } from 'kysely';
import pg from 'pg';

import {
  BaseRepository,
  cache,
  type CacheStore,
  createDatabase,
  memoryCacheStore,
  redisCacheStore,
  tenantFilter,
  withTenant,
} from '../src/index.js';
import { createTestSchema } from '../src/testing/index.js';

interface DB {
  orders: { id: Generated<number>; tenant_id: string; body: string; qty: number; updated_at: Generated<Date> };
}

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    interval: { type: 'string', default: '5' },
    workers: { type: 'string', default: '6' },
  },
});
const durationMs = Number(args.minutes) * 60_000;
const intervalMs = Number(args.interval) * 1000;
const workers = Number(args.workers);
if (!(durationMs > 0 && intervalMs > 0 && workers > 0))
  throw new Error('--minutes, --interval and --workers must be positive numbers');

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const applicationName = `data-layer-soak-${process.pid}`;
const POOL_MAX = 5;

async function redisStore(): Promise<{ store: CacheStore; close: () => void; label: string }> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return { store: redisCacheStore(redis), close: () => redis.disconnect(), label: 'redis' };
  } catch {
    redis.disconnect();
    return { store: memoryCacheStore({ maxEntries: 5_000 }), close: () => {}, label: 'memory (no Redis answered)' };
  }
}

const schema = await createTestSchema(url, 'soak');
const cacheStore = await redisStore();
// Store failures are counted in the samples instead of logged (a loaded machine times out now and then).
const cached = cache({
  store: cacheStore.store,
  ttlSeconds: 30,
  keyPrefix: `soak:${process.pid}:`,
  timeoutMs: 200,
  logger: { warn: () => {} },
});
const db = createDatabase<DB>({
  ...schema.options,
  applicationName,
  logger: 'silent',
  pool: { max: POOL_MAX },
  middleware: [tenantFilter(), cached],
});
const admin = new pg.Client({ connectionString: url, application_name: 'data-layer-soak-admin' });
await admin.connect();
await sql`create table orders (id serial primary key, tenant_id text not null, body text not null, qty int not null default 0, updated_at timestamptz not null default now())`.execute(
  db.kysely,
);
await sql`create index on orders (tenant_id, id)`.execute(db.kysely);
const orders = new BaseRepository(db, {
  table: 'orders',
  tenantColumn: 'tenant_id',
  timestamps: { updatedAt: 'updated_at' },
});

class Rollback extends Error {}
let operations = 0;
const errors = new Map<string, number>();
let stopping = false;

async function iteration(worker: number, step: number): Promise<void> {
  const tenant = `t${(worker + step) % 4}`;
  await withTenant(tenant, async () => {
    const created = await orders.create({ tenant_id: tenant, body: `w${worker}-${step}`, qty: step % 10 });
    await orders.update(created.id, { qty: created.qty + 1 });
    await orders.findById(created.id);
    await orders.findMany({ where: { qty: step % 10 }, limit: 10 });
    await orders.count();
    await orders.paginate({ page: 1, pageSize: 5 });
    await db.transaction(async () => {
      const inTx = await orders.create({ tenant_id: tenant, body: 'tx', qty: 1 });
      await db.transaction(async () => orders.update(inTx.id, { qty: 2 })); // released savepoint
      await db
        .transaction(async () => {
          await orders.update(inTx.id, { qty: 3 });
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
      await orders.delete(inTx.id);
    });
    await orders.delete(created.id);
  });
  operations += 12;
}

async function worker(index: number): Promise<void> {
  for (let step = 0; !stopping; step++) {
    try {
      await iteration(index, step);
    } catch (error) {
      const name = error instanceof Error ? error.name : typeof error;
      errors.set(name, (errors.get(name) ?? 0) + 1);
    }
  }
}

interface Sample {
  atSeconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  poolTotal: number;
  poolIdle: number;
  poolWaiting: number;
  serverSessions: number;
  opsPerSecond: number;
}

const samples: Sample[] = [];
const cacheHits = () => {
  const { hits, misses, errors: storeErrors } = cached.metrics();
  return `${hits}/${misses}/${storeErrors}`;
};
const started = Date.now();
let lastOperations = 0;
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const gc = (globalThis as { gc?: () => void }).gc;

async function sample(): Promise<void> {
  gc?.();
  const memory = process.memoryUsage();
  const { pool } = db.metrics();
  const { rows } = await admin.query<{ n: number }>(
    'select count(*)::int as n from pg_stat_activity where application_name = $1',
    [applicationName],
  );
  const entry: Sample = {
    atSeconds: Math.round((Date.now() - started) / 1000),
    rssMiB: mib(memory.rss),
    heapUsedMiB: mib(memory.heapUsed),
    poolTotal: pool.total,
    poolIdle: pool.idle,
    poolWaiting: pool.waiting,
    serverSessions: rows[0]?.n ?? -1,
    opsPerSecond: Math.round(((operations - lastOperations) / intervalMs) * 1000),
  };
  lastOperations = operations;
  samples.push(entry);
  console.log(
    `t=${String(entry.atSeconds).padStart(4)}s rss=${entry.rssMiB}MiB heapUsed=${entry.heapUsedMiB}MiB ` +
      `pool total/idle/waiting=${entry.poolTotal}/${entry.poolIdle}/${entry.poolWaiting} server sessions=${entry.serverSessions} ` +
      `ops/s=${entry.opsPerSecond} errors=${[...errors.values()].reduce((a, b) => a + b, 0)} cache hits/misses/store errors=${cacheHits()}`,
  );
}

/** Median of the first and last third of a series (the first sample, the warm-up, left out). */
function thirds(values: number[]): { first: number; last: number } {
  const series = values.slice(1);
  const third = Math.max(1, Math.floor(series.length / 3));
  const median = (part: number[]) => [...part].sort((a, b) => a - b)[Math.floor(part.length / 2)] ?? 0;
  return { first: median(series.slice(0, third)), last: median(series.slice(-third)) };
}

console.log(
  `soak: ${args.minutes} min, ${workers} workers, pool max ${POOL_MAX}, cache store ${cacheStore.label}, sample every ${args.interval}s${gc ? ' (after GC)' : ''}`,
);
const running = Array.from({ length: workers }, (_, index) => worker(index));
const timer = setInterval(
  () => void sample().catch((error: unknown) => console.error('sample failed', error)),
  intervalMs,
);
await new Promise((resolve) => setTimeout(resolve, durationMs));
clearInterval(timer);
stopping = true;
await Promise.all(running);
await sample();

const heap = thirds(samples.map((each) => each.heapUsedMiB));
const rss = thirds(samples.map((each) => each.rssMiB));
const sessions = samples.map((each) => each.serverSessions);
// Growing: the last third's median is both 20% and 10 MiB above the first third's.
const grows = (series: { first: number; last: number }) =>
  series.last > series.first * 1.2 && series.last - series.first > 10;
const memoryVerdict = grows(heap) || grows(rss) ? 'GROWING' : 'flat';
const connectionVerdict =
  Math.max(...sessions) <= POOL_MAX && samples.every((each) => each.poolTotal <= POOL_MAX) ? 'flat' : 'GROWING';
console.log(
  `\nverdict: memory ${memoryVerdict} (heapUsed median ${heap.first} -> ${heap.last} MiB, rss ${rss.first} -> ${rss.last} MiB); ` +
    `connections ${connectionVerdict} (server sessions ${Math.min(...sessions)}..${Math.max(...sessions)}, pool max ${POOL_MAX}); ` +
    `${operations} operations, errors ${JSON.stringify(Object.fromEntries(errors))}`,
);

await db.close();
await admin.end();
cacheStore.close();
await schema.drop();
process.exitCode = memoryVerdict === 'flat' && connectionVerdict === 'flat' && errors.size === 0 ? 0 : 1;
