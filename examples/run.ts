// `npm run example [-- <name>]`: starts an example service (on DATABASE_URL, or on an embedded
// PostgreSQL when it is unset), drives it through a scripted client session, and exits.
import { performance } from 'node:perf_hooks';

import { describeDatabase } from './shared/database.js';

interface Example {
  description: string;
  load(): Promise<{ start(): Promise<{ url: string; close(): Promise<void> }>; session(url: string): Promise<void> }>;
}

const examples: Record<string, Example> = {
  'chat-service': {
    description:
      'users, chats and messages: a repository, cache-aside reads, a transaction, cursor pages, typed errors as HTTP statuses',
    load: async () => ({
      start: (await import('./chat-service/service.js')).startChatService,
      session: (await import('./chat-service/session.js')).chatSession,
    }),
  },
  orders: {
    description:
      'a serializable transaction with retry, a confirmation sent after commit, a saga compensating payment and shipment',
    load: async () => {
      const { startOrdersService } = await import('./orders/service.js');
      return {
        start: () => startOrdersService({ log: (line) => console.log(`    saga: ${line}`) }),
        session: (await import('./orders/session.js')).ordersSession,
      };
    },
  },
  'task-queue': {
    description:
      'workers claiming tasks with FOR UPDATE SKIP LOCKED on several connections, retries, soft delete, db.metrics()',
    load: async () => {
      const { startTaskQueue } = await import('./task-queue/service.js');
      return {
        start: () => startTaskQueue({ log: (line) => console.log(`    metrics: ${line}`) }),
        session: (await import('./task-queue/session.js')).taskQueueSession,
      };
    },
  },
  'multi-tenant-saas': {
    description:
      'tenants by Host header, withTenant per request, row-level security, a schema per tenant (migrateTenants), tenant seeders',
    load: async () => ({
      start: (await import('./multi-tenant-saas/service.js')).startSaas,
      session: (await import('./multi-tenant-saas/session.js')).saasSession,
    }),
  },
};

const name = process.argv[2] ?? 'chat-service';
const example = examples[name];
if (!example) {
  console.error(`Unknown example "${name}". Available: ${Object.keys(examples).join(', ')}`);
  process.exit(2);
}

console.log(`Example ${name}: ${example.description}`);
console.log(`Database: ${describeDatabase()}`);
const { start, session } = await example.load();
const started = performance.now();
const service = await start();
console.log(`Migrated, seeded and listening on ${service.url} in ${Math.round(performance.now() - started)} ms\n`);
try {
  await session(service.url);
} finally {
  await service.close();
}
console.log(
  `\nDone: server and database closed${process.env.DATABASE_URL ? '' : ' (the embedded PostgreSQL stopped, its data removed)'}.`,
);
