import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { createMigrator, type MigrationModule } from '../../../src/index.js';
import { gate } from '../../support/async.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';

const skip = isRealServer() ? undefined : 'needs a real PostgreSQL server (a second session holds the lock)';
if (skip) console.info(`[lock-timeout] skipped: ${skip}`);
const t = useTestDatabase('migrate_lock');

const migrations: Record<string, MigrationModule> = {
  '0001_things': {
    up: (db) => db.schema.createTable('things').addColumn('id', 'serial').execute(),
    down: (db) => db.schema.dropTable('things').execute(),
  },
};

describe.skipIf(skip !== undefined)('lockTimeoutMs', () => {
  it('gives up with a MigrationError while another transaction holds the advisory lock, then succeeds once it is released', async () => {
    const other = t.open();
    const held = gate();
    const release = gate();
    const holder = other.transaction(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext('data-layer-migrations'), hashtext(${`${t.schema}.data_layer_migrations`}))`.execute(
        tx,
      );
      held.open();
      await release.promise;
    });
    await held.promise;
    const started = Date.now();
    const migrator = createMigrator(t.db, { migrations, schema: t.schema, lockTimeoutMs: 300 });
    await expect(migrator.latest()).rejects.toMatchObject({
      name: 'MigrationError',
      reason: 'lock-timeout',
      message: `Could not take the migration lock on ${t.schema}.data_layer_migrations within lockTimeoutMs=300: another migration is running`,
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    release.open();
    await holder;
    expect((await migrator.latest()).executed.map((step) => step.name)).toEqual(['0001_things']);
  });

  it('waits for an unexpired lease of another runner, names it, and ignores an expired one', async () => {
    const lockTable = sql.table(`${t.schema}.data_layer_migrations_lock`);
    await sql`update ${lockTable} set locked_by = 'deployer@other-host#1', locked_until = now() + interval '1 hour'`.execute(
      t.db.kysely,
    );
    const migrator = createMigrator(t.db, {
      migrations: {
        ...migrations,
        '0002_more': { up: (db) => db.schema.createTable('more').addColumn('id', 'serial').execute() },
      },
      schema: t.schema,
      lockTimeoutMs: 300,
    });
    await expect(migrator.latest()).rejects.toThrow(`within lockTimeoutMs=300 (lease held by deployer@other-host#1)`);
    await expect(migrator.repair({ accept: '0001_things', reason: 'x' })).rejects.toMatchObject({
      reason: 'lock-timeout',
    });
    // A crashed holder's lease runs out.
    await sql`update ${lockTable} set locked_until = now() - interval '1 second'`.execute(t.db.kysely);
    expect((await migrator.latest()).executed.map((step) => step.name)).toEqual(['0002_more']);
  });
});
