import { createClient, type Print } from '../shared/client.js';
import type { Chat, Message, User } from './schema.js';

/** The scripted session `npm run example` runs against the chat service. */
export async function chatSession(baseUrl: string, print: Print = console.log): Promise<void> {
  const { request } = createClient(baseUrl, print);
  const suffix = Date.now().toString(36); // re-runnable against a kept DATABASE_URL

  print('Users (unique email: a duplicate is a ConflictError, 409):');
  const alice = await request<User>('POST', '/users', { email: `alice.${suffix}@example.com`, name: 'Alice' });
  const bob = await request<User>('POST', '/users', { email: `bob.${suffix}@example.com`, name: 'Bob' });
  await request('POST', '/users', { email: `alice.${suffix}@example.com`, name: 'Alice again' });
  await request('POST', '/users', { email: 'not-an-email', name: 'Nobody' });

  print('A chat, created with its members in one transaction:');
  const chat = await request<Chat>('POST', '/chats', {
    title: 'Lunch plans',
    owner_id: alice.body.id,
    member_ids: [bob.body.id],
  });
  await request('POST', '/chats', { title: 'Ghost chat', owner_id: alice.body.id, member_ids: [2_000_000_000] });

  print('Cache-aside reads (the second is served from the memory cache):');
  await request('GET', `/chats/${chat.body.id}`);
  await request('GET', `/chats/${chat.body.id}`);

  print('Messages: each post updates the chat in the same transaction:');
  for (const [author, body] of [
    [alice, 'Pizza?'],
    [bob, 'Sure, 12:30'],
    [alice, 'Booked a table'],
  ] as const) {
    await request<Message>('POST', `/chats/${chat.body.id}/messages`, { author_id: author.body.id, body });
  }
  await request('POST', `/chats/${chat.body.id}/messages`, { author_id: bob.body.id, body: '' });
  await request('GET', `/users/${bob.body.id}/chats`);

  print('Cursor pagination, newest first, two per page:');
  let after: string | undefined;
  do {
    const query = after ? `?limit=2&after=${encodeURIComponent(after)}` : '?limit=2';
    const page = await request<{ nextCursor?: string }>('GET', `/chats/${chat.body.id}/messages${query}`);
    after = page.body.nextCursor;
  } while (after);
  await request('GET', `/chats/${chat.body.id}/messages?after=bogus`);

  print('Rename, delete, and what a deleted chat answers:');
  await request('PATCH', `/chats/${chat.body.id}`, { title: 'Lunch: Friday' });
  await request('DELETE', `/chats/${chat.body.id}`);
  await request('GET', `/chats/${chat.body.id}`);
  await request('POST', `/chats/${chat.body.id}/messages`, { author_id: bob.body.id, body: 'Too late?' });
  const health = await request<{ status: string; cache: unknown }>('GET', '/health');
  print(`Health: ${health.body.status}, cache ${JSON.stringify(health.body.cache)}`);
}
