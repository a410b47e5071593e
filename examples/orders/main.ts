// Runs the orders service until Ctrl-C: `npx tsx examples/orders/main.ts` (PORT, DATABASE_URL optional).
import { describeDatabase } from '../shared/database.js';
import { startOrdersService } from './service.js';

const service = await startOrdersService({
  port: Number(process.env.PORT ?? 3000),
  log: (line) => console.log(`saga: ${line}`),
});
console.log(`orders on ${service.url}, database: ${describeDatabase()}`);
process.once('SIGINT', () => void service.close());
process.once('SIGTERM', () => void service.close());
