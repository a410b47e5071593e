import type { MigrationDb } from '@org/data-layer';
import { sql } from 'kysely';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'serial', (column) => column.primaryKey())
    .addColumn('chat_id', 'integer', (column) => column.notNull().references('chats.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (column) => column.notNull().references('users.id'))
    // The database has the last word on input: an empty or huge body is a CheckViolationError (400).
    .addColumn('body', 'text', (column) => column.notNull().check(sql`char_length(body) between 1 and 2000`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  // Newest-first pages of one chat: (chat_id, id desc) serves the keyset cursor.
  await db.schema.createIndex('messages_chat_page_idx').on('messages').columns(['chat_id', 'id desc']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('messages').execute();
}
