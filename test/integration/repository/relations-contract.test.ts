import { sql } from 'kysely';
import { beforeAll } from 'vitest';

import { BaseRepository, belongsTo, hasMany, manyToMany } from '../../../src/index.js';
import {
  type ChatRelations,
  type MessageRelations,
  relationContract,
  type RelationSubjects,
  relationTablesSql,
  type RelChat,
  type RelChatTag,
  type RelMessage,
  type RelTag,
  type RelUser,
} from '../../support/repository-contract-relations.js';
import { useTestDatabase } from '../../support/test-database.js';

// The same relation cases run against the in-memory fake in test/unit/in-memory-relations.test.ts.
interface RelDB {
  rel_users: RelUser;
  rel_chats: RelChat;
  rel_messages: RelMessage;
  rel_tags: RelTag;
  rel_chat_tags: RelChatTag;
}

const t = useTestDatabase<RelDB>('relations_contract');

beforeAll(async () => {
  for (const statement of relationTablesSql) await sql.raw(statement).execute(t.db.kysely);
});

function relationRepositories(db: typeof t.db) {
  const users = new BaseRepository(db, { table: 'rel_users' });
  const tags = new BaseRepository(db, { table: 'rel_tags' });
  const chatTags = new BaseRepository(db, { table: 'rel_chat_tags' });
  const chats: BaseRepository<RelDB, 'rel_chats', 'deleted_at', 'id', ChatRelations> = new BaseRepository(db, {
    table: 'rel_chats',
    softDelete: 'deleted_at',
    relations: {
      messages: hasMany(() => messages, { foreignKey: 'chat_id' }),
      owner: belongsTo(() => users, { foreignKey: 'owner_id' }),
      tags: manyToMany(() => tags, { through: () => chatTags, sourceKey: 'chat_id', targetKey: 'tag_id' }),
    },
  });
  const messages: BaseRepository<RelDB, 'rel_messages', 'deleted_at', 'id', MessageRelations> = new BaseRepository(db, {
    table: 'rel_messages',
    softDelete: 'deleted_at',
    timestamps: { createdAt: 'created_at' },
    relations: {
      author: belongsTo(() => users, { foreignKey: 'author_id' }),
      chat: belongsTo(() => chats, { foreignKey: 'chat_id' }),
    },
  });
  return { users, tags, chatTags, chats, messages };
}

relationContract('BaseRepository on PostgreSQL', async () => {
  const repositories = relationRepositories(t.db);
  return {
    ...(repositories as unknown as Omit<RelationSubjects, 'reset'>),
    reset: async () =>
      void (await sql
        .raw('truncate rel_chat_tags, rel_tags, rel_messages, rel_chats, rel_users restart identity')
        .execute(t.db.kysely)),
  };
});
