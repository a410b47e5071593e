import { fileURLToPath } from 'node:url';

import { createMigrator, type Database, runSeeders } from '@org/data-layer';
import { z } from 'zod';

import { openDatabase } from '../shared/database.js';
import { created, noContent, ok, parse, type Route, serve } from '../shared/http.js';
import type { TaskDB } from './schema.js';
import { backlog } from './seeders.js';
import { TaskRepository } from './task-repository.js';
import { demoHandler, drain } from './workers.js';

export interface TaskQueueOptions {
  /** A database to use (and leave open); by default `DATABASE_URL` or the embedded server. */
  db?: Database<TaskDB>;
  /** Schema the migrations create the table in. @default 'public' */
  schema?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Selects the seeders: the backlog is seeded in `development`. @default process.env.NODE_ENV ?? 'development' */
  environment?: string;
  /** Receives `db.metrics()` lines while workers run. */
  log?: (line: string) => void;
}

export interface RunningTaskQueue {
  readonly url: string;
  readonly db: Database<TaskDB>;
  close(): Promise<void>;
}

const id = z.coerce.number().int().positive();
const newTask = z.object({
  kind: z.string().min(1),
  payload: z.record(z.string(), z.unknown()).optional(),
  max_attempts: z.number().int().optional(),
});
const failure = z.object({ error: z.string(), retry: z.boolean().default(true) });
const claim = z.object({ worker: z.string().min(1) });
const run = z.object({ workers: z.number().int().min(1).max(16).default(4) });

/** Migrates, seeds a backlog, and serves the queue API (and an endpoint that runs workers). */
export async function startTaskQueue(options: TaskQueueOptions = {}): Promise<RunningTaskQueue> {
  const db = options.db ?? openDatabase<TaskDB>({ logger: 'warn', pool: { max: 8 } });
  const schema = options.schema ?? 'public';
  const migrator = createMigrator(db, { folder: fileURLToPath(new URL('./migrations', import.meta.url)), schema });
  await migrator.latest();
  await runSeeders(db, [backlog], {
    environment: options.environment ?? process.env.NODE_ENV ?? 'development',
    schema,
  });
  const tasks = new TaskRepository(db);
  const log = options.log;

  const routes: Route[] = [
    [
      'POST',
      '/tasks',
      async (req) => {
        const input = parse(newTask, await req.json(), 'task');
        return created(await tasks.enqueue(input.kind, input.payload, { maxAttempts: input.max_attempts }));
      },
    ],
    ['GET', '/tasks/overdue', async () => ok(await tasks.findOverdue())],
    ['GET', '/tasks/:id', async (req) => ok(await tasks.getById(parse(id, req.params.id, 'task id')))],
    [
      'POST',
      '/tasks/claim',
      async (req) => {
        const task = await tasks.claim(parse(claim, await req.json(), 'claim').worker);
        return task ? ok(task) : noContent();
      },
    ],
    ['POST', '/tasks/:id/complete', async (req) => ok(await tasks.completeTask(parse(id, req.params.id, 'task id')))],
    [
      'POST',
      '/tasks/:id/fail',
      async (req) => {
        const { error, retry } = parse(failure, await req.json(), 'failure');
        return ok(await tasks.failTask(parse(id, req.params.id, 'task id'), error, { retry }));
      },
    ],
    [
      'DELETE',
      '/tasks/:id',
      async (req) => {
        await tasks.delete(parse(id, req.params.id, 'task id')); // soft delete: never claimed again
        return noContent();
      },
    ],
    [
      'POST',
      '/workers/run',
      async (req) => {
        const { workers } = parse(run, await req.json(), 'run');
        const onTick = log && (() => log(metricsLine(db)));
        const report = await drain({ tasks, handler: demoHandler, concurrency: workers, onTick });
        return ok({ ...report, counts: await tasks.countByStatus() });
      },
    ],
    ['GET', '/metrics', async () => ok(db.metrics())],
  ];

  const server = await serve(routes, options.port);
  return {
    url: server.url,
    db,
    close: async () => {
      await server.close();
      if (!options.db) await db.close();
    },
  };
}

/** One line of `db.metrics()`: the pool, queries and transactions so far. */
export function metricsLine(db: Pick<Database<unknown>, 'metrics'>): string {
  const { pool, queries, transactions } = db.metrics();
  return `pool ${pool.active} active/${pool.total} open/${pool.max} max, ${pool.waiting} waiting; ${queries.total} queries (p95 ${queries.p95Ms.toFixed(1)} ms); ${transactions.committed} commits, ${transactions.rolledBack} rollbacks`;
}
