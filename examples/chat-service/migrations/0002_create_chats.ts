import type { MigrationDb } from '@org/data-layer';
import { sql } from 'kysely';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('chats')
    .addColumn('id', 'serial', (column) => column.primaryKey())
    .addColumn('owner_id', 'integer', (column) => column.notNull().references('users.id'))
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('last_message_preview', 'text')
    .addColumn('last_message_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz') // soft delete: set by chats.delete()
    .execute();
  await db.schema
    .createTable('chat_members')
    .addColumn('chat_id', 'integer', (column) => column.notNull().references('chats.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id'))
    .addPrimaryKeyConstraint('chat_members_pkey', ['chat_id', 'user_id'])
    .execute();
  await db.schema.createIndex('chat_members_user_idx').on('chat_members').column('user_id').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('chat_members').execute();
  await db.schema.dropTable('chats').execute();
}
