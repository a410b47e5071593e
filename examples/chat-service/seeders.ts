import type { Database } from '@org/data-layer';
import type { ChatDB } from './schema.js';

/** Demo data: two users and a chat between them, added once (skipped when users exist). */
export async function seedChatService(db: Database<ChatDB>): Promise<void> {
  await db.transaction(async (tx) => {
    const existing = await tx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (existing) return;
    const [ada, grace] = await tx
      .insertInto('users')
      .values([
        { email: 'ada@example.com', name: 'Ada' },
        { email: 'grace@example.com', name: 'Grace' },
      ])
      .returning('id')
      .execute();
    const chat = await tx.insertInto('chats').values({ owner_id: ada!.id, title: 'Welcome' }).returning('id').executeTakeFirstOrThrow();
    await tx
      .insertInto('chat_members')
      .values([
        { chat_id: chat.id, user_id: ada!.id },
        { chat_id: chat.id, user_id: grace!.id },
      ])
      .execute();
  });
}
