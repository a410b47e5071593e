import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { createMigrator, type MigrationDb, type MigrationModule } from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';

const t = useTestDatabase('migrate_data');

const createAccounts: MigrationModule = {
  up: async (db) => {
    await db.schema
      .createTable('accounts')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('email', 'text')
      .execute();
    await sql`insert into accounts (email) select 'User' || i || '@Example.com' from generate_series(1, 50) i`.execute(
      db,
    );
  },
  down: async (db) => {
    await db.schema.dropTable('accounts').execute();
  },
};

/** A backfill whose validate proves it left no row behind (`buggy` skips some rows). */
function backfill(buggy: boolean): MigrationModule {
  return {
    up: async (db) => {
      await db.schema.alterTable('accounts').addColumn('email_lower', 'text').execute();
      await sql`update accounts set email_lower = lower(email) where ${buggy ? sql`id % 10 <> 0` : sql`true`}`.execute(
        db,
      );
    },
    down: async (db) => {
      await db.schema.alterTable('accounts').dropColumn('email_lower').execute();
    },
    validate: async (db: MigrationDb) => {
      const { rows } = await sql<{
        left: number;
      }>`select count(*)::int as left from accounts where email_lower is null`.execute(db);
      return rows[0]!.left === 0;
    },
  };
}

async function columns(): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select column_name as name from information_schema.columns where table_schema = ${t.schema} and table_name = 'accounts' order by ordinal_position`.execute(
    t.db.kysely,
  );
  return rows.map((row) => row.name);
}

describe('data migrations: validate and dryRun', () => {
  it('rolls a migration back when validate returns false, reporting it, and keeps the previous one', async () => {
    const migrator = createMigrator(t.db, {
      migrations: { '0001_accounts': createAccounts, '0002_backfill': backfill(true) },
      schema: t.schema,
    });
    await expect(migrator.latest()).rejects.toMatchObject({
      name: 'MigrationError',
      reason: 'validation',
      migration: '0002_backfill',
      message: 'Migration 0002_backfill did not validate (validate returned false) and was rolled back',
    });
    expect(await columns()).toEqual(['id', 'email']);
    expect((await migrator.status()).map((row) => row.state)).toEqual(['applied', 'pending']);
  });

  it('rolls back when validate throws, with its message', async () => {
    const throwing: MigrationModule = {
      ...backfill(false),
      validate: () => Promise.reject(new Error('orphan rows found')),
    };
    const migrator = createMigrator(t.db, {
      migrations: { '0001_accounts': createAccounts, '0002_backfill': throwing },
      schema: t.schema,
    });
    await expect(migrator.latest()).rejects.toThrow(
      'Migration 0002_backfill did not validate and was rolled back: orphan rows found',
    );
    expect(await columns()).toEqual(['id', 'email']);
  });

  it('dryRun runs everything, reports it, and leaves the database as it was', async () => {
    const migrator = createMigrator(t.db, {
      migrations: { '0001_accounts': createAccounts, '0002_backfill': backfill(false) },
      schema: t.schema,
    });
    const result = await migrator.latest({ dryRun: true });
    expect(result).toMatchObject({ dryRun: true, skipped: [], executed: [{ name: '0002_backfill', direction: 'up' }] });
    expect(await columns()).toEqual(['id', 'email']);
    expect((await migrator.status()).map((row) => row.state)).toEqual(['applied', 'pending']);
    // A dry run stops before a migration that cannot run in a transaction.
    const withIndex = createMigrator(t.db, {
      migrations: {
        '0001_accounts': createAccounts,
        '0002_backfill': backfill(false),
        '0003_index': {
          config: { transaction: false },
          up: (db) => sql`create index concurrently accounts_email_idx on accounts (email)`.execute(db).then(() => {}),
        },
      },
      schema: t.schema,
    });
    expect(await withIndex.latest({ dryRun: true })).toMatchObject({
      executed: [{ name: '0002_backfill' }],
      skipped: ['0003_index'],
    });
    expect(await columns()).toEqual(['id', 'email']);
  });

  it('applies a valid backfill and a transaction: false index for real', async () => {
    const migrator = createMigrator(t.db, {
      migrations: {
        '0001_accounts': createAccounts,
        '0002_backfill': backfill(false),
        '0003_index': {
          config: { transaction: false },
          up: (db) => sql`create index concurrently accounts_email_idx on accounts (email)`.execute(db).then(() => {}),
        },
      },
      schema: t.schema,
    });
    expect((await migrator.latest()).executed.map((step) => step.name)).toEqual(['0002_backfill', '0003_index']);
    const { rows } = await sql<{
      indexname: string;
    }>`select indexname from pg_indexes where schemaname = ${t.schema} and tablename = 'accounts' order by 1`.execute(
      t.db.kysely,
    );
    expect(rows.map((row) => row.indexname)).toContain('accounts_email_idx');
  });
});
