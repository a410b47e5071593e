// Runs the chat service until Ctrl-C: `npx tsx examples/chat-service/main.ts` (PORT, DATABASE_URL optional).
import { describeDatabase } from '../shared/database.js';
import { startChatService } from './service.js';

const service = await startChatService({ port: Number(process.env.PORT ?? 3000) });
console.log(`chat-service on ${service.url}, database: ${describeDatabase()}`);
process.once('SIGINT', () => void service.close());
process.once('SIGTERM', () => void service.close());
