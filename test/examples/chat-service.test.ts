import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ChatDB } from '../../examples/chat-service/schema.js';
import { type RunningChatService, startChatService } from '../../examples/chat-service/service.js';
import { chatSession } from '../../examples/chat-service/session.js';
import { createClient } from '../../examples/shared/client.js';
import { useTestDatabase } from '../support/test-database.js';

const t = useTestDatabase<ChatDB>('example_chat');
let service: RunningChatService;
const api = () => createClient(service.url, () => {}).request;

beforeAll(async () => {
  service = await startChatService({ db: t.db, schema: t.schema });
});
afterAll(async () => service?.close());

async function newUser(name: string) {
  const { status, body } = await api()<{ id: number }>('POST', '/users', {
    email: `${name}.${Math.random().toString(36).slice(2)}@example.com`,
    name,
  });
  expect(status).toBe(201);
  return body.id;
}

describe('examples/chat-service over HTTP', () => {
  it('creates its tables with migrations and its demo data with the seeder', async () => {
    const applied = await t.db.kysely
      .withSchema(t.schema)
      .selectFrom('data_layer_migrations' as never)
      .select(sql<string>`name`.as('name'))
      .execute();
    expect(applied.map((row) => row.name)).toEqual(['0001_create_users', '0002_create_chats', '0003_create_messages']);
    const welcome = await t.db.kysely.selectFrom('chats').select('title').where('title', '=', 'Welcome').execute();
    expect(welcome).toHaveLength(1);
    const seeded = await sql<{
      name: string;
    }>`select name from ${sql.table(`${t.schema}.data_layer_seeds`)} order by ran_at, name`.execute(t.db.kysely);
    expect(seeded.rows.map((row) => row.name)).toEqual(['chat-service:demo-users', 'chat-service:welcome-chat']);
  });

  it('creates, reads (through the cache), lists, renames and soft-deletes a chat', async () => {
    const request = api();
    const [owner, member] = [await newUser('owner'), await newUser('member')];
    const chat = await request<{ id: number; title: string }>('POST', '/chats', {
      title: 'Plans',
      owner_id: owner,
      member_ids: [member],
    });
    expect(chat).toMatchObject({ status: 201, body: { title: 'Plans', owner_id: owner } });

    const before = (await request<{ cache: { hits: number } }>('GET', '/health')).body.cache.hits;
    expect((await request('GET', `/chats/${chat.body.id}`)).status).toBe(200);
    expect((await request('GET', `/chats/${chat.body.id}`)).status).toBe(200);
    expect((await request<{ cache: { hits: number } }>('GET', '/health')).body.cache.hits).toBe(before + 1);

    const listed = await request<Array<{ id: number }>>('GET', `/users/${member}/chats`);
    expect(listed.body.map((each) => each.id)).toEqual([chat.body.id]);

    const renamed = await request('PATCH', `/chats/${chat.body.id}`, { title: 'Plans: Friday' });
    expect(renamed).toMatchObject({ status: 200, body: { title: 'Plans: Friday' } });
    // The write invalidated the cached row: the next read sees the new title.
    expect((await request('GET', `/chats/${chat.body.id}`)).body).toMatchObject({ title: 'Plans: Friday' });

    expect((await request('DELETE', `/chats/${chat.body.id}`)).status).toBe(204);
    expect(await request('GET', `/chats/${chat.body.id}`)).toMatchObject({
      status: 404,
      body: { error: { name: 'NotFoundError', code: 'NOT_FOUND', table: 'chats' } },
    });
    expect((await request<unknown[]>('GET', `/users/${member}/chats`)).body).toEqual([]);
    const row = await t.db.kysely
      .selectFrom('chats')
      .select('deleted_at')
      .where('id', '=', chat.body.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeInstanceOf(Date); // soft delete: the row is still there
  });

  it('posts messages in a transaction with the chat update, and pages them with a cursor', async () => {
    const request = api();
    const author = await newUser('author');
    const chat = (await request<{ id: number }>('POST', '/chats', { title: 'Paged', owner_id: author })).body;
    for (const body of ['one', 'two', 'three', 'four', 'five']) {
      expect((await request('POST', `/chats/${chat.id}/messages`, { author_id: author, body })).status).toBe(201);
    }
    expect((await request('GET', `/chats/${chat.id}`)).body).toMatchObject({ last_message_preview: 'five' });

    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await request<{ items: Array<{ body: string }>; nextCursor?: string }>(
        'GET',
        `/chats/${chat.id}/messages?limit=2${after ? `&after=${after}` : ''}`,
      );
      seen.push(...page.body.items.map((message) => message.body));
      after = page.body.nextCursor;
      pages += 1;
    } while (after);
    expect(seen).toEqual(['five', 'four', 'three', 'two', 'one']);
    expect(pages).toBe(3);
    expect(await request('GET', `/chats/${chat.id}/messages?after=not-a-cursor`)).toMatchObject({
      status: 400,
      body: { error: { name: 'ValidationError' } },
    });
  });

  it('maps typed errors to HTTP statuses and leaves nothing half-written', async () => {
    const request = api();
    const user = await newUser('dup');
    const email = (
      await t.db.kysely.selectFrom('users').select('email').where('id', '=', user).executeTakeFirstOrThrow()
    ).email;
    expect(await request('POST', '/users', { email, name: 'Again' })).toMatchObject({
      status: 409,
      body: { error: { name: 'ConflictError', columns: ['email'] } },
    });
    expect(await request('POST', '/users', { email: 'nope', name: 'X' })).toMatchObject({
      status: 400,
      body: { error: { name: 'ValidationError' } },
    });
    const broken = await fetch(`${service.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect([broken.status, ((await broken.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'INVALID_JSON',
    ]);
    expect(await request('GET', '/chats/abc')).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED' } },
    });
    expect(await request('GET', '/nowhere')).toMatchObject({ status: 404, body: { error: { code: 'NO_ROUTE' } } });

    // An unknown member fails the memberships insert: the chat itself is rolled back.
    const ghost = await request('POST', '/chats', { title: 'Ghost', owner_id: user, member_ids: [2_000_000_000] });
    expect(ghost).toMatchObject({ status: 409, body: { error: { name: 'ForeignKeyViolationError' } } });
    expect(await t.db.kysely.selectFrom('chats').select('id').where('title', '=', 'Ghost').execute()).toEqual([]);

    // The database's check constraint answers 400; a post to a deleted chat 404, with the message rolled back.
    const chat = (await request<{ id: number }>('POST', '/chats', { title: 'Short-lived', owner_id: user })).body;
    expect(await request('POST', `/chats/${chat.id}/messages`, { author_id: user, body: '' })).toMatchObject({
      status: 400,
      body: { error: { name: 'CheckViolationError' } },
    });
    await request('DELETE', `/chats/${chat.id}`);
    expect(await request('POST', `/chats/${chat.id}/messages`, { author_id: user, body: 'late' })).toMatchObject({
      status: 404,
      body: { error: { name: 'NotFoundError' } },
    });
    expect(await t.db.kysely.selectFrom('messages').select('id').where('chat_id', '=', chat.id).execute()).toEqual([]);
  });

  it('runs the scripted session of `npm run example` to the end', async () => {
    const lines: string[] = [];
    await chatSession(service.url, (line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/GET +\/chats\/\d+ +-> 404 NotFoundError/);
    expect(lines.some((line) => / -> 5\d\d /.test(line))).toBe(false);
  });
});
