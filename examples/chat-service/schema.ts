import type { RowOf } from '@org/data-layer';
import type { Generated } from 'kysely';

/** The tables of the chat service, as Kysely sees them (created by ./migrations). */
export interface ChatDB {
  users: {
    id: Generated<number>;
    email: string;
    name: string;
    created_at: Generated<Date>;
  };
  chats: {
    id: Generated<number>;
    owner_id: number;
    title: string;
    last_message_preview: string | null;
    last_message_at: Date | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    deleted_at: Date | null;
  };
  chat_members: {
    chat_id: number;
    user_id: number;
  };
  messages: {
    id: Generated<number>;
    chat_id: number;
    author_id: number;
    body: string;
    created_at: Generated<Date>;
  };
}

export type User = RowOf<ChatDB, 'users'>;
export type Chat = RowOf<ChatDB, 'chats'>;
export type Message = RowOf<ChatDB, 'messages'>;
