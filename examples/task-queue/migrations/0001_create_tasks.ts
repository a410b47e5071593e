import type { MigrationDb } from '@org/data-layer';
import { sql } from 'kysely';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'serial', (column) => column.primaryKey())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('payload', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (column) =>
      column
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'running', 'done', 'failed')`),
    )
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (column) =>
      column
        .notNull()
        .defaultTo(3)
        .check(sql`max_attempts between 1 and 20`),
    )
    .addColumn('run_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('worker', 'text')
    .addColumn('started_at', 'timestamptz')
    .addColumn('timeout_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  // What workers scan: claimable tasks in order. Partial, so finished tasks cost nothing.
  await sql`create index tasks_claimable_idx on tasks (run_at, id) where status = 'pending' and deleted_at is null`.execute(
    db,
  );
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('tasks').execute();
}
