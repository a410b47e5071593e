import { createClient, type Print } from '../shared/client.js';
import type { Task } from './schema.js';

/** The scripted session `npm run example -- task-queue` runs. */
export async function taskQueueSession(baseUrl: string, print: Print = console.log): Promise<void> {
  const { request } = createClient(baseUrl, print);

  print('By hand: claim, fail with retry (back to pending), a wrong transition (409), a soft delete:');
  const report = await request<Task>('POST', '/tasks', { kind: 'report', payload: { month: '2026-11' } });
  const claimed = await request<Task>('POST', '/tasks/claim', { worker: 'cli' }); // the seeded backlog is older: it comes first
  await request('POST', `/tasks/${claimed.body.id}/fail`, { error: 'disk full', retry: true });
  await request('POST', `/tasks/${claimed.body.id}/complete`);
  await request('DELETE', `/tasks/${report.body.id}`);
  await request('GET', `/tasks/${report.body.id}`);
  await request('GET', '/tasks/overdue');

  print('Four workers drain the backlog, claiming with FOR UPDATE SKIP LOCKED; db.metrics() while they run:');
  const run = await request<{
    processedBy: Record<string, number[]>;
    attempts: number;
    counts: Record<string, number>;
  }>('POST', '/workers/run', { workers: 4 });
  for (const [worker, ids] of Object.entries(run.body.processedBy))
    print(`  ${worker} finished tasks ${ids.join(', ') || '(none)'}`);
  print(`  ${run.body.attempts} attempts; now ${JSON.stringify(run.body.counts)}`);
  await request('POST', '/tasks', { kind: 'email', max_attempts: 99 });
}
