import type { Generated, Selectable } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import { BaseRepository, type BelongsTo, belongsTo, createDatabase, type HasMany, hasMany } from '../../src/index.js';

interface DB {
  users: { id: Generated<number>; name: string };
  chats: { id: Generated<number>; title: string; owner_id: number; deleted_at: Date | null };
  messages: { id: Generated<number>; chat_id: number; author_id: number; body: string };
}
type User = Selectable<DB['users']>;
type Chat = Selectable<DB['chats']>;
type Message = Selectable<DB['messages']>;

const db = createDatabase<DB>();
const users = new BaseRepository(db, { table: 'users' });
const messages = new BaseRepository(db, {
  table: 'messages',
  relations: { author: belongsTo(() => users, { foreignKey: 'author_id' }) },
});
const chats = new BaseRepository(db, {
  table: 'chats',
  softDelete: 'deleted_at',
  relations: {
    messages: hasMany(() => messages, { foreignKey: 'chat_id' }),
    owner: belongsTo(() => users, { foreignKey: 'owner_id' }),
  },
});

describe('relation types', () => {
  it('adds exactly the included keys, nested, and counts', async () => {
    const chat = await chats.findById(1, {
      include: { messages: { include: { author: true }, limit: 3 }, owner: true },
      withCount: ['messages'],
    });
    const loaded: { owner: User | null; messages: Array<Message & { author: User | null }>; messagesCount: number } =
      chat!;
    void loaded;
    expectTypeOf(chat!.owner).toEqualTypeOf<{ id: number; name: string } | null>();
    expectTypeOf(chat!.messagesCount).toEqualTypeOf<number>();
    expectTypeOf(await chats.findById(1)).toEqualTypeOf<Chat | undefined>();
    const page = await chats.paginate({ include: { owner: true } });
    expectTypeOf(page.items[0]!.owner).toEqualTypeOf<{ id: number; name: string } | null>();
    const explained = await chats.findMany({ include: { owner: true }, explain: true });
    expectTypeOf(explained.result[0]!.owner).toEqualTypeOf<{ id: number; name: string } | null>();
  });

  it('rejects wrong relation names and options at every level', () => {
    // @ts-expect-error misspelt relation
    void chats.findById(1, { include: { mesages: true } });
    // @ts-expect-error misspelt beside a correct one
    void chats.findById(1, { include: { messages: true, mesages: true } });
    // @ts-expect-error nested misspelt
    void chats.findById(1, { include: { messages: { include: { autor: true } } } });
    // @ts-expect-error unknown option
    void chats.findById(1, { include: { messages: { limt: 3 } } });
    // @ts-expect-error a column of chats in the messages where
    void chats.findMany({ include: { messages: { where: { title: 'x' } } } });
    // @ts-expect-error a belongsTo cannot be counted
    void chats.findMany({ withCount: ['owner'] });
    // @ts-expect-error hasMany's foreignKey is a column of the related table
    void hasMany(() => messages, { foreignKey: 'nope' });
  });

  it('types cycles declared as interfaces', async () => {
    interface ChatRelations {
      messages: HasMany<Message, MessageRelations>;
    }
    interface MessageRelations {
      chat: BelongsTo<Chat, ChatRelations>;
    }
    const cyclic = chats as unknown as BaseRepository<DB, 'chats', 'deleted_at', 'id', ChatRelations>;
    const chat = await cyclic.getById(1, { include: { messages: { include: { chat: true } } } });
    expectTypeOf(chat.messages[0]!.chat).toEqualTypeOf<Chat | null>();
  });
});
