import type { Database } from '@org/data-layer';

import type { ChatRepository } from './chat-repository.js';
import type { MessageRepository } from './message-repository.js';
import type { ChatDB, Message } from './schema.js';

export interface PostMessageDeps {
  db: Database<ChatDB>;
  chats: ChatRepository;
  messages: MessageRepository;
}

/**
 * Adds a message and moves the chat's "last message" forward, in one transaction. The
 * repositories need no `tx` argument: inside `db.transaction()` they run on its connection.
 *
 * The message is inserted first on purpose: when the chat turns out to be deleted,
 * `updateChat` throws NotFoundError and the insert is rolled back with it, so a failed
 * post never leaves a message behind. The chat cache is invalidated only after COMMIT.
 */
export function postMessage(
  deps: PostMessageDeps,
  chatId: number,
  input: { author_id: number; body: string },
): Promise<Message> {
  return deps.db.transaction(async () => {
    const message = await deps.messages.create({ chat_id: chatId, author_id: input.author_id, body: input.body });
    await deps.chats.updateChat(chatId, {
      last_message_preview: message.body.slice(0, 80),
      last_message_at: message.created_at,
    });
    return message;
  });
}
