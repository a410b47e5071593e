import { fileURLToPath } from 'node:url';

import { BaseRepository, cache, createMigrator, type Database, memoryCacheStore, runSeeders } from '@org/data-layer';
import { z } from 'zod';

import { openDatabase } from '../shared/database.js';
import { created, noContent, ok, parse, type Route, serve } from '../shared/http.js';
import { ChatRepository } from './chat-repository.js';
import { MessageRepository } from './message-repository.js';
import { postMessage } from './post-message.js';
import type { ChatDB } from './schema.js';
import { chatSeeders } from './seeders.js';

export interface ChatServiceOptions {
  /** A database to use (and leave open); by default `DATABASE_URL` or the embedded server. */
  db?: Database<ChatDB>;
  /** Schema the migrations create the tables in. @default 'public' */
  schema?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Selects the seeders to run. @default process.env.NODE_ENV ?? 'development' */
  environment?: string;
}

export interface RunningChatService {
  readonly url: string;
  readonly db: Database<ChatDB>;
  close(): Promise<void>;
}

const id = z.coerce.number().int().positive();
const newUser = z.object({ email: z.string(), name: z.string() });
const newChat = z.object({ title: z.string(), owner_id: z.number(), member_ids: z.array(z.number()).optional() });
const chatPatch = z.object({ title: z.string() });
const newMessage = z.object({ author_id: z.number(), body: z.string() });
const page = z.object({ after: z.string().optional(), limit: z.coerce.number().int().optional() });

/** Migrates, seeds, and serves the chat API. */
export async function startChatService(options: ChatServiceOptions = {}): Promise<RunningChatService> {
  const db = options.db ?? openDatabase<ChatDB>({ logger: 'warn' });
  const schema = options.schema ?? 'public';
  const migrator = createMigrator(db, { folder: fileURLToPath(new URL('./migrations', import.meta.url)), schema });
  await migrator.latest();
  await runSeeders(db, chatSeeders, {
    environment: options.environment ?? process.env.NODE_ENV ?? 'development',
    schema,
  });

  const chatCache = cache({
    store: memoryCacheStore({ maxEntries: 1_000 }),
    ttlSeconds: 30,
    keyPrefix: 'chat-service:',
  });
  const users = new BaseRepository(db, {
    table: 'users',
    schemas: { create: z.object({ email: z.email(), name: z.string().trim().min(1).max(100) }) },
  });
  const chats = new ChatRepository(db, [chatCache]);
  const messages = new MessageRepository(db);

  const routes: Route[] = [
    [
      'POST',
      '/users',
      async (req) => created(await users.create(parse(newUser, await req.json(), 'user'))) /* duplicate email: 409 */,
    ],
    ['GET', '/users/:id/chats', async (req) => ok(await chats.getChatsByUser(parse(id, req.params.id, 'user id')))],
    ['POST', '/chats', async (req) => created(await chats.createChat(parse(newChat, await req.json(), 'chat')))],
    ['GET', '/chats/:id', async (req) => ok(await chats.getChat(parse(id, req.params.id, 'chat id')))],
    [
      'PATCH',
      '/chats/:id',
      async (req) =>
        ok(await chats.updateChat(parse(id, req.params.id, 'chat id'), parse(chatPatch, await req.json(), 'chat'))),
    ],
    [
      'DELETE',
      '/chats/:id',
      async (req) => {
        await chats.deleteChat(parse(id, req.params.id, 'chat id'));
        return noContent();
      },
    ],
    [
      'POST',
      '/chats/:id/messages',
      async (req) =>
        created(
          await postMessage(
            { db, chats, messages },
            parse(id, req.params.id, 'chat id'),
            parse(newMessage, await req.json(), 'message'),
          ),
        ),
    ],
    [
      'GET',
      '/chats/:id/messages',
      async (req) => {
        const query = parse(page, Object.fromEntries(req.url.searchParams), 'page');
        return ok(await messages.listMessages({ chatId: parse(id, req.params.id, 'chat id'), ...query }));
      },
    ],
    [
      'GET',
      '/health',
      async () => ok({ ...(await db.health()), cache: chatCache.metrics(), migrations: await migrator.summary() }),
    ],
  ];

  const server = await serve(routes, options.port);
  return {
    url: server.url,
    db,
    close: async () => {
      await server.close();
      if (!options.db) await db.close(); // stops the embedded server, if it started one
    },
  };
}
