import { describe, expect, it } from 'vitest';

import { ConfigError, createDatabase, createMigrator, type MigrationModule } from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';

const t = useTestDatabase('migration_health_option');

const migrations: Record<string, MigrationModule> = {
  '0001_notes': {
    up: (db) =>
      db.schema
        .createTable('notes')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .execute(),
    down: (db) => db.schema.dropTable('notes').execute(),
  },
  '0002_note_body': {
    up: (db) => db.schema.alterTable('notes').addColumn('body', 'text').execute(),
    down: (db) => db.schema.alterTable('notes').dropColumn('body').execute(),
  },
};

describe('createDatabase({ migrations }): health() reports where the schema stands', () => {
  it('reports pending migrations before they run and none after, without a migrator argument', async () => {
    const db = t.open({ migrations: { migrations, schema: t.schema } });
    expect((await db.health()).migrations).toEqual({ latest: undefined, pending: 2, changed: 0 });
    await createMigrator(db, { migrations, schema: t.schema }).latest();
    expect((await db.health()).migrations).toEqual({ latest: '0002_note_body', pending: 0, changed: 0 });
  });

  it('has no migration report when the option is not given', async () => {
    expect((await t.db.health()).migrations).toBeUndefined();
  });

  it('refuses a malformed option with a ConfigError naming it', () => {
    const attempt = (value: unknown) => () =>
      createDatabase({ ...t.options, logger: 'silent', migrations: value as never });
    expect(attempt({ folder: 'migrations', migrations })).toThrow(ConfigError);
    expect(attempt({ folder: 'migrations', migrations })).toThrow(/migrations/);
    expect(attempt({ folde: 'migrations' })).toThrow(ConfigError);
    expect(attempt({ migrations: { '0001': { down: () => undefined } } })).toThrow(/up\(\)/);
  });
});
