import { BaseRepository, type Database, type RepositoryMiddleware, type UpdateOf } from '@org/data-layer';
import { z } from 'zod';

import type { Chat, ChatDB } from './schema.js';

const createChat = z.object({ title: z.string().trim().min(1).max(120), owner_id: z.number().int().positive() });
const updateChat = z.object({
  title: z.string().trim().min(1).max(120).optional(),
  last_message_preview: z.string().nullable().optional(),
  last_message_at: z.date().nullable().optional(),
});

export interface NewChat {
  title: string;
  owner_id: number;
  /** Members besides the owner. */
  member_ids?: readonly number[];
}

/**
 * Chats, soft-deleted (`deleted_at`), validated by zod, and read through the cache
 * middleware given to the constructor: `getChat` is a cache-aside `findById`, and every
 * write through this repository invalidates the table's entries (after the commit, when
 * inside a transaction).
 */
export class ChatRepository extends BaseRepository<ChatDB, 'chats', 'deleted_at'> {
  constructor(db: Database<ChatDB>, middleware: readonly RepositoryMiddleware[] = []) {
    super(db, {
      table: 'chats',
      softDelete: 'deleted_at',
      timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
      schemas: { create: createChat, update: updateChat },
      middleware,
    });
  }

  /** Creates the chat and its memberships in one transaction: both or neither. */
  createChat(input: NewChat): Promise<Chat> {
    return this.db.transaction(async (tx) => {
      const chat = await this.create({ title: input.title, owner_id: input.owner_id });
      const members = [...new Set([input.owner_id, ...(input.member_ids ?? [])])];
      // Unknown users fail here with a ForeignKeyViolationError (409) and the chat is rolled back.
      await tx
        .insertInto('chat_members')
        .values(members.map((user_id) => ({ chat_id: chat.id, user_id })))
        .execute();
      return chat;
    });
  }

  /** @throws NotFoundError (404) when the chat does not exist or was deleted. */
  getChat(id: number): Promise<Chat> {
    return this.getById(id);
  }

  /** The chats a user belongs to, most recently active first. */
  getChatsByUser(userId: number): Promise<Chat[]> {
    return this.query() // already scoped: soft-deleted chats are left out
      .where('id', 'in', (eb) =>
        eb.selectFrom('chat_members').select('chat_members.chat_id').where('chat_members.user_id', '=', userId),
      )
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** @throws NotFoundError (404), ValidationError (400) */
  updateChat(id: number, patch: UpdateOf<ChatDB, 'chats'>): Promise<Chat> {
    return this.update(id, patch);
  }

  /** Soft delete: the row stays, reads stop seeing it. @throws NotFoundError (404) */
  deleteChat(id: number): Promise<void> {
    return this.delete(id);
  }
}
