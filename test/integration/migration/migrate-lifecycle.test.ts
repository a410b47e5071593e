import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';

import { createMigrator, MigrationError } from '../../../src/index.js';
import { migrationFolder } from '../../support/migration-fixtures.js';
import { useTestDatabase } from '../../support/test-database.js';

const t = useTestDatabase('migrate_lifecycle');
const folder = migrationFolder('basic');
afterAll(() => folder.dispose());

async function tables(): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = ${t.schema} order by 1`.execute(
    t.db.kysely,
  );
  return rows.map((row) => row.name);
}

describe('createMigrator: latest, up, down, to, status', () => {
  it('applies every pending migration in name order and records checksum, time and duration', async () => {
    const migrator = createMigrator(t.db, { folder: folder.dir, schema: t.schema });
    expect((await migrator.status()).map((row) => row.state)).toEqual(['pending', 'pending', 'pending']);
    const result = await migrator.latest();
    expect(result.executed.map((step) => step.name)).toEqual([
      '0001_create_users',
      '0002_add_user_name',
      '0003_create_posts',
    ]);
    expect(await tables()).toEqual([
      'data_layer_migrations',
      'data_layer_migrations_lock',
      'data_layer_migrations_repairs',
      'posts',
      'users',
    ]);
    const status = await migrator.status();
    expect(status.map((row) => row.state)).toEqual(['applied', 'applied', 'applied']);
    expect(status[0]!.appliedAt).toBeInstanceOf(Date);
    expect(status[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(status[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect((await migrator.latest()).executed).toEqual([]);
  });

  it('down reverts the last one, to(name) moves in either direction, up applies one', async () => {
    const migrator = createMigrator(t.db, { folder: folder.dir, schema: t.schema });
    expect((await migrator.down()).executed.map((step) => `${step.direction} ${step.name}`)).toEqual([
      'down 0003_create_posts',
    ]);
    expect(await tables()).not.toContain('posts');
    expect((await migrator.to('0001_create_users')).executed.map((step) => `${step.direction} ${step.name}`)).toEqual([
      'down 0002_add_user_name',
    ]);
    expect((await migrator.up()).executed.map((step) => step.name)).toEqual(['0002_add_user_name']);
    expect((await migrator.to('0003_create_posts')).executed.map((step) => step.name)).toEqual(['0003_create_posts']);
    await expect(migrator.to('9999_nope')).rejects.toMatchObject({
      name: 'MigrationError',
      reason: 'unknown-migration',
      migration: '9999_nope',
    });
  });

  it('does not count line endings or a BOM as an edit, but refuses to run after a real edit until repaired', async () => {
    const path = `${folder.dir}/0001_create_users.ts`;
    const { readFileSync } = await import('node:fs');
    const original = readFileSync(path, 'utf8');
    folder.write('0001_create_users.ts', '\uFEFF' + original.replaceAll('\n', '\r\n'));
    expect(
      (await createMigrator(t.db, { folder: folder.dir, schema: t.schema }).status()).map((row) => row.state),
    ).toEqual(['applied', 'applied', 'applied']);

    folder.write('0001_create_users.ts', original + '\n// edited after it was applied\n');
    folder.write(
      '0004_create_tags.ts',
      "import type { MigrationDb } from '../../../../src/index.js';\nexport async function up(db: MigrationDb) { await db.schema.createTable('tags').addColumn('id', 'serial').execute() }\n",
    );
    const migrator = createMigrator(t.db, { folder: folder.dir, schema: t.schema });
    expect((await migrator.status()).map((row) => row.state)).toEqual(['changed', 'applied', 'applied', 'pending']);
    for (const attempt of [() => migrator.latest(), () => migrator.up(), () => migrator.to('0004_create_tags')]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({
        reason: 'changed',
        migration: '0001_create_users',
        statusCode: 500,
        code: 'MIGRATION_FAILED',
      });
      expect((error as Error).message).toContain('0001_create_users was changed after it was applied');
    }
    expect(await tables()).not.toContain('tags');

    await expect(migrator.repair({ accept: '0001_create_users', reason: ' ' })).rejects.toMatchObject({
      name: 'ConfigError',
      option: 'reason',
    });
    await migrator.repair({ accept: '0001_create_users', reason: 'comment only', by: 'alice' });
    const { rows } = await sql<{ reason: string; repaired_by: string; database_user: string; repaired_at: Date }>`
      select reason, repaired_by, database_user, repaired_at from ${sql.table(`${t.schema}.data_layer_migrations_repairs`)}`.execute(
      t.db.kysely,
    );
    expect(rows.map(({ reason, repaired_by, database_user }) => ({ reason, repaired_by, database_user }))).toEqual([
      { reason: 'comment only', repaired_by: 'alice', database_user: 'postgres' },
    ]);
    expect(rows[0]!.repaired_at).toBeInstanceOf(Date);
    expect((await migrator.latest()).executed.map((step) => step.name)).toEqual(['0004_create_tags']);
  });

  it('refuses to run while an applied migration is missing, naming it', async () => {
    const { readFileSync } = await import('node:fs');
    const saved = readFileSync(`${folder.dir}/0004_create_tags.ts`, 'utf8');
    folder.remove('0004_create_tags.ts');
    const migrator = createMigrator(t.db, { folder: folder.dir, schema: t.schema });
    expect((await migrator.status()).at(-1)).toMatchObject({ name: '0004_create_tags', state: 'missing' });
    await expect(migrator.latest()).rejects.toMatchObject({
      name: 'MigrationError',
      reason: 'missing',
      migration: '0004_create_tags',
    });
    await expect(migrator.down()).rejects.toMatchObject({ reason: 'missing' });
    folder.write('0004_create_tags.ts', saved);
  });

  it('reports which migration failed with the server error and keeps the previous version', async () => {
    folder.write(
      '0005_broken.ts',
      "import type { MigrationDb } from '../../../../src/index.js';\nimport { sql } from 'kysely';\nexport async function up(db: MigrationDb) { await db.schema.createTable('half_done').addColumn('id', 'serial').execute(); await sql`alter table no_such_table add column x int`.execute(db) }\n",
    );
    const migrator = createMigrator(t.db, { folder: folder.dir, schema: t.schema });
    const error = (await migrator.latest().catch((e: unknown) => e)) as MigrationError;
    expect(error).toMatchObject({ name: 'MigrationError', reason: 'failed', migration: '0005_broken' });
    expect(error.message).toMatch(/Migration 0005_broken \(up\) failed: .*no_such_table.* does not exist/);
    expect(error.cause).toMatchObject({ name: 'QueryError' });
    expect(await tables()).not.toContain('half_done');
    expect((await migrator.status()).map((row) => `${row.name}:${row.state}`).at(-1)).toBe('0005_broken:pending');
    folder.remove('0005_broken.ts');
  });

  it('rejects bad options with a ConfigError naming the option', () => {
    expect(() => createMigrator(t.db, { folder: folder.dir, schema: 'bad"schema' })).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'schema' }),
    );
    expect(() => createMigrator(t.db, { schema: t.schema })).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'folder' }),
    );
    expect(() => createMigrator(t.db, { folder: folder.dir, lockTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ option: 'lockTimeoutMs' }),
    );
  });
});
