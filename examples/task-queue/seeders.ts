import { defineSeeder } from '@org/data-layer';

import type { TaskDB } from './schema.js';

/** A backlog to work through: mostly e-mails, one flaky call and one that never works. */
export const backlog = defineSeeder<TaskDB>({
  name: 'task-queue:backlog',
  environments: ['development'],
  run: async ({ db }) => {
    const tasks = [
      ...Array.from({ length: 10 }, (_, index) => ({
        kind: 'email',
        payload: JSON.stringify({ to: `user${index + 1}@example.com` }),
      })),
      { kind: 'flaky', payload: JSON.stringify({ url: 'https://api.example.com/sync' }) },
      { kind: 'broken', payload: JSON.stringify({ to: 'bounce@example.com' }), max_attempts: 2 },
    ];
    await db.insertInto('tasks').values(tasks).execute();
  },
  truncate: async ({ db }) => {
    await db.deleteFrom('tasks').execute();
  },
});
