import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createClient } from '../../examples/shared/client.js';
import type { Task, TaskDB } from '../../examples/task-queue/schema.js';
import { type RunningTaskQueue, startTaskQueue } from '../../examples/task-queue/service.js';
import { isRealServer, useTestDatabase } from '../support/test-database.js';

const t = useTestDatabase<TaskDB>('example_tasks', { pool: { max: 6 } });
let service: RunningTaskQueue;
const metricLines: string[] = [];
const api = () => createClient(service.url, () => {}).request;

beforeAll(async () => {
  // environment 'test': the development backlog is not seeded, each test enqueues its own tasks.
  service = await startTaskQueue({
    db: t.db,
    schema: t.schema,
    environment: 'test',
    log: (line) => metricLines.push(line),
  });
});
afterAll(async () => service?.close());

describe('examples/task-queue over HTTP', () => {
  it('claims, fails with retry, completes; wrong transitions are 409 and deleted tasks are never claimed', async () => {
    const request = api();
    const first = await request<Task>('POST', '/tasks', { kind: 'email' });
    const deleted = await request<Task>('POST', '/tasks', { kind: 'email' });
    expect(first).toMatchObject({ status: 201, body: { status: 'pending', attempts: 0 } });
    expect((await request('DELETE', `/tasks/${deleted.body.id}`)).status).toBe(204);

    const claimed = await request<Task>('POST', '/tasks/claim', { worker: 'w1' });
    expect(claimed).toMatchObject({
      status: 200,
      body: { id: first.body.id, status: 'running', worker: 'w1', attempts: 1 },
    });
    expect((await request('POST', '/tasks/claim', { worker: 'w2' })).status).toBe(204); // the deleted one is skipped

    const retried = await request<Task>('POST', `/tasks/${first.body.id}/fail`, { error: 'boom', retry: true });
    expect(retried).toMatchObject({ status: 200, body: { status: 'pending', last_error: 'boom', worker: null } });
    expect(await request('POST', `/tasks/${first.body.id}/complete`)).toMatchObject({
      status: 409,
      body: { error: { code: 'TASK_STATE', status: 'pending' } },
    });

    await new Promise((resolve) => setTimeout(resolve, 50)); // the retry delay
    expect((await request<Task>('POST', '/tasks/claim', { worker: 'w2' })).body).toMatchObject({
      id: first.body.id,
      attempts: 2,
    });
    expect(await request('POST', `/tasks/${first.body.id}/complete`)).toMatchObject({
      status: 200,
      body: { status: 'done', last_error: null },
    });
    expect(await request('GET', `/tasks/${deleted.body.id}`)).toMatchObject({ status: 404 });
    const row = await t.db.kysely
      .selectFrom('tasks')
      .select('deleted_at')
      .where('id', '=', deleted.body.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeInstanceOf(Date);
    await t.db.kysely.deleteFrom('tasks').execute();
  });

  it('fails for good without retry or when attempts run out; finds overdue running tasks', async () => {
    const request = api();
    const once = await request<Task>('POST', '/tasks', { kind: 'sync', max_attempts: 1 });
    await request('POST', '/tasks/claim', { worker: 'w1' });
    expect(
      (await request<Task>('POST', `/tasks/${once.body.id}/fail`, { error: 'bad', retry: true })).body,
    ).toMatchObject({ status: 'failed' });

    const stuck = await request<Task>('POST', '/tasks', { kind: 'sync' });
    await request('POST', '/tasks/claim', { worker: 'crashed' });
    await t.db.kysely
      .updateTable('tasks')
      .set({ timeout_at: sql<Date>`now() - interval '1 minute'` })
      .where('id', '=', stuck.body.id)
      .execute();
    expect((await request<Task[]>('GET', '/tasks/overdue')).body.map((task) => [task.id, task.worker])).toEqual([
      [stuck.body.id, 'crashed'],
    ]);
    expect(await request('POST', '/tasks', { kind: 'x', max_attempts: 99 })).toMatchObject({
      status: 400,
      body: { error: { name: 'CheckViolationError' } },
    });
    expect(await request('POST', '/tasks/abc/complete')).toMatchObject({
      status: 400,
      body: { error: { name: 'ValidationError' } },
    });
    await t.db.kysely.deleteFrom('tasks').execute();
  });

  it.runIf(isRealServer())(
    'several workers on several connections each claim distinct tasks (SKIP LOCKED), until the queue is drained',
    async () => {
      await t.db.kysely
        .insertInto('tasks')
        .values([
          ...Array.from({ length: 16 }, () => ({ kind: 'email', payload: '{}' })),
          { kind: 'flaky', payload: '{}' },
          { kind: 'broken', payload: '{}', max_attempts: 2 },
        ])
        .execute();
      const run = await api()<{
        processedBy: Record<string, number[]>;
        attempts: number;
        counts: Record<string, number>;
      }>('POST', '/workers/run', { workers: 4 });
      expect(run.status).toBe(200);
      const finished = Object.values(run.body.processedBy).flat();
      expect(finished).toHaveLength(18);
      expect(new Set(finished).size).toBe(18); // no task was finished twice
      expect(Object.values(run.body.processedBy).filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
      expect(run.body.attempts).toBe(16 + 2 + 2); // flaky retried once, broken twice then failed
      expect(run.body.counts).toEqual({ pending: 0, running: 0, done: 17, failed: 1 });
      expect(metricLines.some((line) => /^pool \d+ active/.test(line))).toBe(true);
      expect(t.db.metrics().pool.total).toBeGreaterThan(1);
    },
  );
});
