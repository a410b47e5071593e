// Runs the task queue until Ctrl-C: `npx tsx examples/task-queue/main.ts` (PORT, DATABASE_URL optional).
import { describeDatabase } from '../shared/database.js';
import { startTaskQueue } from './service.js';

const service = await startTaskQueue({
  port: Number(process.env.PORT ?? 3000),
  log: (line) => console.log(`metrics: ${line}`),
});
console.log(`task-queue on ${service.url}, database: ${describeDatabase()}`);
process.once('SIGINT', () => void service.close());
process.once('SIGTERM', () => void service.close());
