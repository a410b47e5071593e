import { defineSeeder } from '@org/data-layer';

import type { ChatDB } from './schema.js';

/** Two demo users. Tracked by `runSeeders`: runs once per database, again only with `fresh`. */
export const demoUsers = defineSeeder<ChatDB>({
  name: 'chat-service:demo-users',
  environments: ['development', 'test'],
  run: async ({ db }) => {
    await db
      .insertInto('users')
      .values([
        { email: 'ada@example.com', name: 'Ada' },
        { email: 'grace@example.com', name: 'Grace' },
      ])
      .execute();
  },
  truncate: async ({ db }) => {
    await db.deleteFrom('users').where('email', 'in', ['ada@example.com', 'grace@example.com']).execute();
  },
});

/** A welcome chat between them: needs the users first. */
export const welcomeChat = defineSeeder<ChatDB>({
  name: 'chat-service:welcome-chat',
  dependsOn: [demoUsers.name],
  environments: ['development', 'test'],
  run: async ({ db }) => {
    const users = await db
      .selectFrom('users')
      .select('id')
      .where('email', 'in', ['ada@example.com', 'grace@example.com'])
      .orderBy('id')
      .execute();
    const chat = await db
      .insertInto('chats')
      .values({ owner_id: users[0]!.id, title: 'Welcome' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('chat_members')
      .values(users.map((user) => ({ chat_id: chat.id, user_id: user.id })))
      .execute();
  },
  truncate: async ({ db }) => {
    await db.deleteFrom('chats').where('title', '=', 'Welcome').execute();
  },
});

export const chatSeeders = [demoUsers, welcomeChat];
