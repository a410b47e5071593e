import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMigrator, migrateTenants, type MigrationModule, type TenantProgress } from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';

const t = useTestDatabase('migrate_tenants');
const suffix = Math.random().toString(16).slice(2, 8);
const schemas = ['acme', 'globex', 'initech'].map((name) => `tn_${name}_${suffix}`);
let failFor: string | undefined;

const migrations: Record<string, MigrationModule> = {
  '0001_orders': {
    up: (db) =>
      db.schema
        .createTable('orders')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .execute(),
    down: (db) => db.schema.dropTable('orders').execute(),
  },
  '0002_amount': {
    up: async (db) => {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
      if (rows[0]!.schema === failFor) await sql`select 1/0`.execute(db);
      await db.schema.alterTable('orders').addColumn('amount', 'integer').execute();
    },
    down: (db) => db.schema.alterTable('orders').dropColumn('amount').execute(),
  },
};

describe('migrateTenants', () => {
  beforeAll(async () => {
    for (const schema of schemas) await sql`create schema ${sql.id(schema)}`.execute(t.db.kysely);
  });
  afterAll(async () => {
    for (const schema of schemas) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(t.db.kysely);
  });

  it('migrates each schema with its own ledger, reports failures per tenant, and resumes on the next run', async () => {
    failFor = schemas[1];
    const events: TenantProgress[] = [];
    const report = await migrateTenants(t.db, {
      migrations,
      tenants: async () => schemas,
      concurrency: 2,
      onProgress: (event) => events.push(event),
    });
    expect(report.tenants.map((each) => `${each.schema}:${each.outcome}`)).toEqual([
      `${schemas[0]}:ok`,
      `${schemas[1]}:failed`,
      `${schemas[2]}:ok`,
    ]);
    expect(report.tenants[1]!.error).toMatchObject({ code: 'MIGRATION_FAILED', migration: '0002_amount' });
    expect(report.tenants[1]!.error!.message).toContain('data exception (SQLSTATE 22012)');
    expect(report.migrations).toEqual(['0001_orders', '0002_amount']);
    expect(report.matrix[schemas[1]!]).toEqual({ '0001_orders': 'applied', '0002_amount': 'pending' });
    expect(report.matrix[schemas[2]!]).toEqual({ '0001_orders': 'applied', '0002_amount': 'applied' });
    expect(events.filter((event) => event.phase !== 'start').map((event) => event.completed)).toEqual([1, 2, 3]);
    const ledger = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`${schemas[0]}.data_layer_migrations`)}`.execute(t.db.kysely);
    expect(ledger.rows[0]!.n).toBe(2);

    failFor = undefined;
    const resumed = await migrateTenants(t.db, { migrations, schemas });
    expect(resumed.tenants.map((each) => each.executed)).toEqual([[], ['0002_amount'], []]);
    expect(await createMigrator(t.db, { migrations, schema: schemas[1]! }).summary()).toEqual({
      latest: '0002_amount',
      pending: 0,
      changed: 0,
    });
  });

  it('stopOnError starts no other schema after the first failure', async () => {
    const extra = {
      ...migrations,
      '0003_broken': { up: (db) => sql`select 1/0`.execute(db).then(() => {}) } satisfies MigrationModule,
    };
    const report = await migrateTenants(t.db, { migrations: extra, schemas, concurrency: 1, stopOnError: true });
    expect(report.tenants.map((each) => each.outcome)).toEqual(['failed', 'skipped', 'skipped']);
  });
});
