import { belongsTo, hasMany, manyToMany } from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';
import {
  type ChatRelations,
  type MessageRelations,
  relationContract,
  type RelationSubjects,
  type RelChat,
  type RelChatTag,
  type RelMessage,
  type RelTag,
  type RelUser,
} from '../support/repository-contract-relations.js';

// The same relation cases run against PostgreSQL in test/integration/repository/relations-contract.test.ts.
function fakes() {
  const users = new InMemoryRepository<RelUser>({ table: 'rel_users', columns: ['id', 'name'] });
  const tags = new InMemoryRepository<RelTag>({ table: 'rel_tags', columns: ['id', 'label'] });
  const chatTags = new InMemoryRepository<RelChatTag>({ table: 'rel_chat_tags', columns: ['id', 'chat_id', 'tag_id'] });
  const chats: InMemoryRepository<
    RelChat,
    Partial<RelChat>,
    Partial<RelChat>,
    number,
    true,
    ChatRelations
  > = new InMemoryRepository({
    table: 'rel_chats',
    columns: ['id', 'title', 'owner_id', 'deleted_at'],
    softDelete: 'deleted_at',
    relations: {
      messages: hasMany(() => messages, { foreignKey: 'chat_id' }),
      owner: belongsTo(() => users, { foreignKey: 'owner_id' }),
      tags: manyToMany(() => tags, { through: () => chatTags, sourceKey: 'chat_id', targetKey: 'tag_id' }),
    },
  });
  const messages: InMemoryRepository<
    RelMessage,
    Partial<RelMessage>,
    Partial<RelMessage>,
    number,
    true,
    MessageRelations
  > = new InMemoryRepository({
    table: 'rel_messages',
    columns: ['id', 'chat_id', 'author_id', 'body', 'created_at', 'deleted_at'],
    softDelete: 'deleted_at',
    timestamps: { createdAt: 'created_at' },
    relations: {
      author: belongsTo(() => users, { foreignKey: 'author_id' }),
      chat: belongsTo(() => chats, { foreignKey: 'chat_id' }),
    },
  });
  return { users, tags, chatTags, chats, messages };
}

let repositories: ReturnType<typeof fakes> | undefined;
relationContract('InMemoryRepository', async () => {
  const current = (repositories ??= fakes());
  return {
    ...(current as unknown as Omit<RelationSubjects, 'reset'>),
    reset: async () => {
      for (const each of Object.values(current)) each.clear();
    },
  };
});
