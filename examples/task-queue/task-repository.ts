import { BaseRepository, type Database, DataLayerError, NotFoundError } from '@org/data-layer';
import { sql } from 'kysely';

import type { Task, TaskDB, TaskStatus } from './schema.js';

/** A task is not in the state an operation needs (completing a task nobody started, ...). */
export class TaskStateError extends DataLayerError {
  override readonly name = 'TaskStateError' as const;
  readonly code = 'TASK_STATE';
  readonly statusCode = 409;

  constructor(
    readonly taskId: number,
    readonly status: TaskStatus,
    expected: TaskStatus,
  ) {
    super(`Task ${taskId} is ${status}, not ${expected}`);
  }

  protected override publicFields(): Record<string, unknown> {
    return { taskId: this.taskId, status: this.status };
  }
}

/** Tasks with soft delete (`deleted_at`): a deleted task is never claimed again. */
export class TaskRepository extends BaseRepository<TaskDB, 'tasks', 'deleted_at'> {
  constructor(
    db: Database<TaskDB>,
    private readonly timeoutMs = 30_000,
  ) {
    super(db, {
      table: 'tasks',
      softDelete: 'deleted_at',
      timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
    });
  }

  enqueue(kind: string, payload: unknown = {}, options: { maxAttempts?: number } = {}): Promise<Task> {
    return this.create({ kind, payload: JSON.stringify(payload), max_attempts: options.maxAttempts });
  }

  /**
   * Claims the next due task for `worker`, or returns undefined. `FOR UPDATE SKIP LOCKED`
   * lets any number of workers, each on its own connection, claim at once without
   * blocking on each other or getting the same task.
   */
  claim(worker: string): Promise<Task | undefined> {
    return this.db.transaction(async () => {
      const next = await this.query() // soft-deleted tasks are already left out
        .where('status', '=', 'pending')
        .where('run_at', '<=', sql<Date>`now()`)
        .orderBy('run_at')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      return next && this.startTask(next, worker);
    });
  }

  /** Marks a pending task running for `worker`, with a deadline after which it is overdue. */
  startTask(task: Task, worker: string): Promise<Task> {
    if (task.status !== 'pending') throw new TaskStateError(task.id, task.status, 'pending');
    return this.update(task.id, {
      status: 'running',
      worker,
      attempts: task.attempts + 1,
      started_at: new Date(),
      timeout_at: new Date(Date.now() + this.timeoutMs),
    });
  }

  /** @throws TaskStateError (409) unless the task is running, NotFoundError (404) */
  completeTask(id: number): Promise<Task> {
    return this.#transition(id, () => ({
      status: 'done',
      finished_at: new Date(),
      timeout_at: null,
      last_error: null,
    }));
  }

  /**
   * Records a failure. With `retry`, and attempts left, the task goes back to `pending`
   * with an exponential delay; otherwise it is `failed` for good.
   */
  failTask(id: number, error: string, { retry }: { retry: boolean }): Promise<Task> {
    return this.#transition(id, (task) => {
      if (retry && task.attempts < task.max_attempts) {
        return {
          status: 'pending',
          run_at: new Date(Date.now() + 10 * 2 ** task.attempts),
          worker: null,
          timeout_at: null,
          last_error: error,
        };
      }
      return { status: 'failed', finished_at: new Date(), timeout_at: null, last_error: error };
    });
  }

  /** Running tasks past their deadline (their worker crashed or hangs), oldest first. */
  findOverdue(now = new Date()): Promise<Task[]> {
    return this.query().where('status', '=', 'running').where('timeout_at', '<', now).orderBy('timeout_at').execute();
  }

  /** How many tasks are in each status (soft-deleted ones left out). */
  async countByStatus(): Promise<Record<TaskStatus, number>> {
    const counts: Record<TaskStatus, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const status of Object.keys(counts) as TaskStatus[]) counts[status] = await this.count({ status });
    return counts;
  }

  #transition(id: number, patch: (task: Task) => Parameters<TaskRepository['update']>[1]): Promise<Task> {
    return this.db.transaction(async () => {
      const task = await this.query().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!task) throw new NotFoundError(`No task ${id}`, { table: 'tasks' });
      if (task.status !== 'running') throw new TaskStateError(id, task.status, 'running');
      return this.update(id, patch(task));
    });
  }
}
