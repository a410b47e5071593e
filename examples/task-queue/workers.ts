import { setTimeout as sleep } from 'node:timers/promises';

import type { Task } from './schema.js';
import type { TaskRepository } from './task-repository.js';

/** Does a task's work; throwing fails it (retried while attempts are left). */
export type TaskHandler = (task: Task) => Promise<void>;

export interface DrainOptions {
  tasks: TaskRepository;
  handler: TaskHandler;
  /** Workers running at once, each claiming on its own pooled connection. */
  concurrency: number;
  /** Called every `reportEveryMs` while the workers run (to print `db.metrics()`). */
  onTick?: () => void;
  reportEveryMs?: number;
}

export interface DrainReport {
  /** Tasks each worker finished (done or failed for good), by worker name. */
  processedBy: Record<string, number[]>;
  attempts: number;
}

/** Runs `concurrency` workers until no task is pending, then returns who did what. */
export async function drain({
  tasks,
  handler,
  concurrency,
  onTick,
  reportEveryMs = 250,
}: DrainOptions): Promise<DrainReport> {
  const report: DrainReport = { processedBy: {}, attempts: 0 };
  const ticker = onTick ? setInterval(onTick, reportEveryMs) : undefined;
  const worker = async (name: string) => {
    const finished: number[] = (report.processedBy[name] = []);
    for (;;) {
      const task = await tasks.claim(name);
      if (!task) {
        // Nothing due now; tasks waiting for a retry delay may still be pending.
        if ((await tasks.count({ status: 'pending' })) === 0) return;
        await sleep(20);
        continue;
      }
      report.attempts += 1;
      try {
        await handler(task);
        await tasks.completeTask(task.id);
        finished.push(task.id);
      } catch (error) {
        const failed = await tasks.failTask(task.id, error instanceof Error ? error.message : String(error), {
          retry: true,
        });
        if (failed.status === 'failed') finished.push(task.id);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(`worker-${index + 1}`)));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  // One last report once the queue is drained, so a short run still shows its metrics.
  onTick?.();
  return report;
}

/** The demo's task kinds: `email` works, `flaky` fails its first attempt, `broken` always fails. */
export const demoHandler: TaskHandler = async (task) => {
  await sleep(15); // the "work"
  if (task.kind === 'broken') throw new Error('SMTP server refused the message');
  if (task.kind === 'flaky' && task.attempts === 1) throw new Error('timeout talking to the API');
};
