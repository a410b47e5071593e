import { BaseRepository, type CursorPage, type Database } from '@org/data-layer';

import type { ChatDB, Message } from './schema.js';

export interface MessagePageRequest {
  chatId: number;
  /** The `nextCursor` of the previous page. */
  after?: string;
  limit?: number;
}

/** Messages of a chat, newest first, in keyset pages. */
export class MessageRepository extends BaseRepository<ChatDB, 'messages'> {
  constructor(db: Database<ChatDB>) {
    super(db, { table: 'messages' });
  }

  /**
   * One page of a chat's messages. Ordered by the serial id rather than `created_at`:
   * a `timestamptz` has microseconds and a cursor holding a JS `Date` only milliseconds.
   * A cursor that was tampered with, or made for another order, is a ValidationError (400).
   */
  listMessages({ chatId, after, limit = 20 }: MessagePageRequest): Promise<CursorPage<Message>> {
    return this.paginateByCursor({
      where: { chat_id: chatId },
      orderBy: { column: 'id', direction: 'desc' },
      limit,
      after,
    });
  }
}
