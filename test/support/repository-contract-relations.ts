import { beforeEach, describe, expect, it } from 'vitest';

import { ValidationError } from '../../src/errors/index.js';
import type { BelongsTo, HasMany, ManyToMany } from '../../src/repository/relations/relation-types.js';
import type { Repository } from '../../src/repository/repository-contract.js';
import { caught } from './repository-contract.js';

/**
 * Relations, held to one contract: `include` (hasMany, belongsTo, manyToMany, nested,
 * per-relation where/orderBy/limit), `withCount`, soft-deleted related rows, and the
 * run-time checks, against BaseRepository on PostgreSQL and the in-memory fake.
 */

export interface RelUser {
  id: number;
  name: string;
}
export interface RelChat {
  id: number;
  title: string;
  owner_id: number | null;
  deleted_at: Date | null;
}
export interface RelMessage {
  id: number;
  chat_id: number;
  author_id: number | null;
  body: string;
  created_at: Date;
  deleted_at: Date | null;
}
export interface RelTag {
  id: number;
  label: string;
}
export interface RelChatTag {
  id: number;
  chat_id: number;
  tag_id: number;
}

export interface ChatRelations {
  messages: HasMany<RelMessage, MessageRelations>;
  owner: BelongsTo<RelUser>;
  tags: ManyToMany<RelTag>;
}
export interface MessageRelations {
  author: BelongsTo<RelUser>;
  chat: BelongsTo<RelChat, ChatRelations>;
}

type Repo<Row, SoftDeletable extends boolean, Relations = Record<never, never>> = Repository<
  Row,
  Partial<Row>,
  Partial<Row>,
  number,
  SoftDeletable,
  Relations
>;

export interface RelationSubjects {
  users: Repo<RelUser, false>;
  chats: Repo<RelChat, true, ChatRelations>;
  messages: Repo<RelMessage, true, MessageRelations>;
  tags: Repo<RelTag, false>;
  chatTags: Repo<RelChatTag, false>;
  /** Empties every table. */
  reset(): Promise<void>;
}

/**
 * The tables (PostgreSQL) the suite expects; the fakes are configured to match. The
 * relations: chats.messages hasMany (chat_id), chats.owner belongsTo (owner_id),
 * chats.tags manyToMany through a repository over rel_chat_tags (chat_id, tag_id),
 * messages.author and messages.chat belongsTo. Messages are soft-deleted and ordered by id.
 */
export const relationTablesSql = [
  'create table rel_users (id serial primary key, name text not null)',
  'create table rel_chats (id serial primary key, title text not null, owner_id int references rel_users, deleted_at timestamptz)',
  `create table rel_messages (id serial primary key, chat_id int not null references rel_chats, author_id int references rel_users,
     body text not null, created_at timestamptz not null default now(), deleted_at timestamptz)`,
  'create table rel_tags (id serial primary key, label text not null)',
  'create table rel_chat_tags (id serial primary key, chat_id int not null references rel_chats, tag_id int not null references rel_tags)',
];

export function relationContract(name: string, setup: () => Promise<RelationSubjects>): void {
  describe(`${name} (relation contract)`, () => {
    let s: RelationSubjects;
    let ada: RelUser;
    let bob: RelUser;
    let general: RelChat;
    let random: RelChat;
    let empty: RelChat;

    beforeEach(async () => {
      s = await setup();
      await s.reset();
      ada = await s.users.create({ name: 'ada' });
      bob = await s.users.create({ name: 'bob' });
      general = await s.chats.create({ title: 'general', owner_id: ada.id });
      random = await s.chats.create({ title: 'random', owner_id: bob.id });
      empty = await s.chats.create({ title: 'empty', owner_id: null });
      for (const [chat, author, body] of [
        [general, ada, 'g1'],
        [general, bob, 'g2'],
        [random, bob, 'r1'],
        [general, null, 'g3'],
        [random, ada, 'r2'],
        [random, ada, 'r3'],
      ] as const)
        await s.messages.create({ chat_id: chat.id, author_id: author?.id ?? null, body });
    });

    const bodies = (rows: readonly { body: string }[]) => rows.map((row) => row.body);

    it('findById includes a hasMany as an array in the related default order, and a belongsTo as the row', async () => {
      const chat = await s.chats.findById(general.id, { include: { messages: true, owner: true } });
      expect(bodies(chat!.messages)).toEqual(['g1', 'g2', 'g3']);
      expect(chat!.owner).toEqual(ada);
      expect(chat).toMatchObject({ id: general.id, title: 'general' });
    });

    it('a parent without related rows gets [] and a null foreign key gets null', async () => {
      const chat = await s.chats.getById(empty.id, { include: { messages: true, owner: true } });
      expect(chat.messages).toEqual([]);
      expect(chat.owner).toBeNull();
    });

    it('findMany, findOne, paginate and paginateByCursor include the same way', async () => {
      const many = await s.chats.findMany({ include: { messages: true } });
      expect(many.map((chat) => [chat.title, bodies(chat.messages)])).toEqual([
        ['general', ['g1', 'g2', 'g3']],
        ['random', ['r1', 'r2', 'r3']],
        ['empty', []],
      ]);
      const one = await s.chats.findOne({ title: 'random' }, { include: { owner: true } });
      expect(one!.owner).toEqual(bob);
      const page = await s.chats.paginate({ pageSize: 2, include: { owner: true } });
      expect(page.items.map((chat) => chat.owner?.name)).toEqual(['ada', 'bob']);
      expect(page.total).toBe(3);
      const cursor = await s.chats.paginateByCursor({ limit: 2, include: { messages: true } });
      expect(cursor.items.map((chat) => chat.messages.length)).toEqual([3, 3]);
      const next = await s.chats.paginateByCursor({ limit: 2, after: cursor.nextCursor, include: { messages: true } });
      expect(next.items.map((chat) => chat.messages)).toEqual([[]]);
    });

    it('nested includes load the relations of related rows, cycles included', async () => {
      const chat = await s.chats.getById(general.id, { include: { messages: { include: { author: true } } } });
      expect(chat.messages.map((message) => message.author?.name ?? null)).toEqual(['ada', 'bob', null]);
      const messages = await s.messages.findMany({
        where: { body: 'r1' },
        include: { chat: { include: { owner: true, messages: true } } },
      });
      expect(messages[0]!.chat!.owner).toEqual(bob);
      expect(bodies(messages[0]!.chat!.messages)).toEqual(['r1', 'r2', 'r3']);
    });

    it('where, orderBy and a per-parent limit apply to each parent separately', async () => {
      const chats = await s.chats.findMany({
        include: { messages: { orderBy: { column: 'id', direction: 'desc' }, limit: 2 } },
      });
      expect(chats.map((chat) => bodies(chat.messages))).toEqual([['g3', 'g2'], ['r3', 'r2'], []]);
      const byAda = await s.chats.findMany({ include: { messages: { where: { author_id: ada.id }, limit: 1 } } });
      expect(byAda.map((chat) => bodies(chat.messages))).toEqual([['g1'], ['r2'], []]);
      const none = await s.chats.findMany({ include: { messages: { limit: 0 } } });
      expect(none.map((chat) => chat.messages)).toEqual([[], [], []]);
    });

    it('soft-deleted related rows are left out, as in a direct read of the related repository', async () => {
      const [g2] = await s.messages.findMany({ where: { body: 'g2' } });
      await s.messages.delete(g2!.id);
      const chat = await s.chats.getById(general.id, { include: { messages: { limit: 5 } } });
      expect(bodies(chat.messages)).toEqual(['g1', 'g3']);
      const counted = await s.chats.getById(general.id, { withCount: ['messages'] });
      expect(counted.messagesCount).toBe(2);
      // A soft-deleted parent is not read, so nothing is loaded for it.
      await s.chats.delete(random.id);
      expect((await s.chats.findMany({ include: { messages: true } })).map((chat) => chat.title)).toEqual([
        'general',
        'empty',
      ]);
    });

    it('withCount adds <name>Count for to-many relations', async () => {
      const chats = await s.chats.findMany({ withCount: ['messages', 'tags'] });
      expect(chats.map((chat) => [chat.messagesCount, chat.tagsCount])).toEqual([
        [3, 0],
        [3, 0],
        [0, 0],
      ]);
      const nested = await s.messages.findMany({
        where: { body: 'g1' },
        include: { chat: { withCount: ['messages'] } },
      });
      expect(nested[0]!.chat!.messagesCount).toBe(3);
    });

    it('manyToMany loads the related rows through the join table, and counts them', async () => {
      const red = await s.tags.create({ label: 'red' });
      const blue = await s.tags.create({ label: 'blue' });
      await s.chatTags.create({ chat_id: general.id, tag_id: red.id });
      await s.chatTags.create({ chat_id: general.id, tag_id: blue.id });
      await s.chatTags.create({ chat_id: random.id, tag_id: blue.id });
      const chats = await s.chats.findMany({ include: { tags: { orderBy: 'label' } }, withCount: ['tags'] });
      expect(chats.map((chat) => [chat.tags.map((tag) => tag.label), chat.tagsCount])).toEqual([
        [['blue', 'red'], 2],
        [['blue'], 1],
        [[], 0],
      ]);
    });

    it('explain returns the result and one plan per relation with its strategy', async () => {
      const { result, explain } = await s.chats.findMany({
        include: { messages: { limit: 1, include: { author: true } }, owner: true },
        withCount: ['messages'],
        explain: true,
      });
      expect(result).toHaveLength(3);
      expect(explain.map((plan) => [plan.path, plan.strategy])).toEqual([
        ['messages', 'lateral'],
        ['messages.author', 'any'],
        ['owner', 'any'],
        ['messagesCount', 'count'],
      ]);
      expect(explain[0]).toMatchObject({ kind: 'hasMany', keys: 3 });
      expect(explain[0]!.reason).toMatch(/limit 1 per parent/);
    });

    it('an unknown relation or include option, or a bad related where, is a ValidationError before any read', async () => {
      const unknown = await caught(s.chats.findMany({ include: { nope: true } as never }), ValidationError);
      expect(unknown.message).toMatch(/Unknown relation "nope"/);
      await caught(s.chats.findMany({ include: { messages: { limt: 1 } } as never }), ValidationError);
      await caught(s.chats.findMany({ include: { messages: 'yes' } as never }), ValidationError);
      await caught(s.chats.findMany({ include: { owner: { limit: 1 } } as never }), ValidationError);
      await caught(s.chats.findMany({ include: { messages: { limit: -1 } } }), ValidationError);
      await caught(s.chats.findMany({ withCount: ['owner'] as never }), ValidationError);
      await caught(s.chats.findMany({ include: { messages: { include: { nope: true } } } as never }), ValidationError);
      // Checked against the related table even when no parent matched.
      const column = await caught(
        s.chats.findMany({ where: { title: 'none' }, include: { messages: { where: { nope: 1 } } } as never }),
        ValidationError,
      );
      expect(column.message).toMatch(/nope/);
    });

    it('included rows are copies: changing them changes nothing stored', async () => {
      const chat = await s.chats.getById(general.id, { include: { messages: true } });
      chat.messages[0]!.body = 'changed';
      expect(bodies((await s.chats.getById(general.id, { include: { messages: true } })).messages)).toEqual([
        'g1',
        'g2',
        'g3',
      ]);
    });
  });
}
