import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createDatabase, createMigrator, type Database, type MigrationModule } from '../../../src/index.js';
import { type PgBouncer, pgbouncerUnavailable, startPgBouncer } from '../../support/pgbouncer.js';
import { hostAndPort } from '../../support/tcp.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';

const unavailable = isRealServer() ? pgbouncerUnavailable() : 'needs a real PostgreSQL server';
if (unavailable) console.info(`[pgbouncer-lock] skipped: ${unavailable}`);

// PgBouncer in transaction mode with ONE server connection shared by every client: a
// session lock would be taken and released on whatever connection each statement got.
const t = useTestDatabase('migrate_bouncer');
let bouncer: PgBouncer | undefined;
const handles: Database<unknown>[] = [];

function migrations(schema: string): Record<string, MigrationModule> {
  const log = (name: string) => sql`insert into ${sql.table(`${schema}.applied_log`)} values (${name})`;
  return {
    '0001_log': {
      up: async (db) => {
        await sql`create table ${sql.table(`${schema}.applied_log`)} (migration text not null)`.execute(db);
        await sql`select pg_sleep(0.1)`.execute(db);
        await log('0001_log').execute(db);
      },
    },
    '0002_items': {
      up: async (db) => {
        await sql`create table ${sql.table(`${schema}.items`)} (id serial primary key, sku text)`.execute(db);
        await log('0002_items').execute(db);
      },
    },
    '0003_index': {
      config: { transaction: false },
      up: async (db) => {
        await sql`create index concurrently items_sku_idx on ${sql.table(`${schema}.items`)} (sku)`.execute(db);
        await log('0003_index').execute(db);
      },
    },
  };
}

describe.skipIf(unavailable !== undefined)('the migration lock behind PgBouncer (transaction mode)', () => {
  beforeAll(async () => {
    bouncer = await startPgBouncer(hostAndPort(inject('databaseUrl')), ['postgres']);
  });
  afterAll(async () => {
    await Promise.all(handles.map((each) => each.close()));
    await bouncer?.stop();
  });

  it('lets concurrent runners apply each migration once and leaves no lock behind', async () => {
    const url = new URL(inject('databaseUrl'));
    url.hostname = '127.0.0.1';
    url.port = String(bouncer!.port);
    const runners = Array.from({ length: 3 }, () => {
      // PgBouncer 1.18 does not keep named statements: the documented setting for it.
      const db = createDatabase({
        connectionString: url.toString(),
        pool: { max: 2 },
        logger: 'silent',
        preparedStatements: false,
      });
      handles.push(db);
      return createMigrator(db, { migrations: migrations(t.schema), schema: t.schema, lockTimeoutMs: 30_000 }).latest();
    });
    const results = await Promise.all(runners);
    expect(results.flatMap((result) => result.executed.map((step) => step.name)).sort()).toEqual([
      '0001_log',
      '0002_items',
      '0003_index',
    ]);
    const { rows } = await sql<{
      migration: string;
    }>`select migration from ${sql.table(`${t.schema}.applied_log`)} order by 1`.execute(t.db.kysely);
    expect(rows.map((row) => row.migration)).toEqual(['0001_log', '0002_items', '0003_index']);
    // Nobody holds the advisory lock or the lease any more.
    const free = await t.db.transaction((tx) =>
      sql<{
        free: boolean;
      }>`select pg_try_advisory_xact_lock(hashtext('data-layer-migrations'), hashtext(${`${t.schema}.data_layer_migrations`})) as free`.execute(
        tx,
      ),
    );
    expect(free.rows[0]!.free).toBe(true);
    const lease = await sql<{
      locked_by: string | null;
    }>`select locked_by from ${sql.table(`${t.schema}.data_layer_migrations_lock`)}`.execute(t.db.kysely);
    expect(lease.rows).toEqual([{ locked_by: null }]);
  }, 60_000);
});
