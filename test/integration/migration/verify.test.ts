import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { createMigrator, MigrationError, type MigrationModule } from '../../../src/index.js';
import { FIXTURES } from '../../support/migration-fixtures.js';
import { useTestDatabase } from '../../support/test-database.js';

const t = useTestDatabase('migrate_verify');

async function schemasLike(prefix: string): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select nspname as name from pg_namespace where nspname like ${`${prefix}%`}`.execute(t.db.kysely);
  return rows.map((row) => row.name);
}

async function targetTables(): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = ${t.schema}`.execute(t.db.kysely);
  return rows.map((row) => row.name);
}

const enumAndPolicy: MigrationModule = {
  up: async (db) => {
    await sql`create type mood as enum ('happy', 'sad')`.execute(db);
    await sql`create table notes (id serial primary key, owner text not null default current_user, mood mood, body text check (length(body) < 100))`.execute(
      db,
    );
    await sql`alter table notes enable row level security`.execute(db);
    await sql`create policy notes_owner on notes using (owner = current_user)`.execute(db);
  },
  down: async (db) => {
    await sql`drop table notes`.execute(db);
    await sql`drop type mood`.execute(db);
  },
};

describe('migrator.verify()', () => {
  it('passes when every down restores the schema, in a scratch schema that is dropped after', async () => {
    const report = await createMigrator(t.db, { folder: `${FIXTURES}/basic`, schema: t.schema }).verify();
    expect(report.verified).toEqual(['0001_create_users', '0002_add_user_name', '0003_create_posts']);
    expect(await schemasLike(report.scratchSchema)).toEqual([]);
    expect(await targetTables()).toEqual([]);
  });

  it('names the first migration whose down leaves something behind, and what', async () => {
    const leaky: MigrationModule = {
      up: async (db) => {
        await sql`alter table notes add column archived boolean not null default false`.execute(db);
        await sql`create index notes_archived_idx on notes (archived)`.execute(db);
        await sql`create policy notes_archived on notes for select using (not archived)`.execute(db);
      },
      // Forgets the policy; dropping the column takes the index with it.
      down: async (db) => {
        await sql`drop policy notes_archived on notes`.execute(db).catch(() => {});
        await sql`alter table notes drop column archived`.execute(db);
        await sql`create policy notes_archived on notes for select using (true)`.execute(db);
      },
    };
    const fine: MigrationModule = {
      up: (db) => db.schema.createTable('later').addColumn('id', 'serial').execute(),
      down: (db) => db.schema.dropTable('later').execute(),
    };
    const migrator = createMigrator(t.db, {
      migrations: { '0001_notes': enumAndPolicy, '0002_archive': leaky, '0003_later': fine },
      schema: t.schema,
    });
    const error = (await migrator.verify().catch((e: unknown) => e)) as MigrationError;
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ reason: 'verify', migration: '0002_archive' });
    expect(error.message).toContain('verify: the down of migration 0002_archive does not restore the schema');
    expect(error.message).toContain('+ policy notes.notes_archived PERMISSIVE SELECT to public using true');
    expect(await targetTables()).toEqual([]);
  });

  it('notices a down that leaves a column default different', async () => {
    const defaultChange: MigrationModule = {
      up: (db) => sql`alter table notes alter column owner set default 'nobody'`.execute(db).then(() => {}),
      down: (db) => sql`alter table notes alter column owner drop default`.execute(db).then(() => {}),
    };
    const migrator = createMigrator(t.db, {
      migrations: { '0001_notes': enumAndPolicy, '0002_default': defaultChange },
      schema: t.schema,
    });
    await expect(migrator.verify()).rejects.toThrow(
      /0002_default .*- column notes\.owner text not null default CURRENT_USER.*\+ column notes\.owner text not null/,
    );
  });
});
