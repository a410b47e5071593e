import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createDatabase, createMigrator, type Database, type MigrationModule } from '../../../src/index.js';
import { type PgBouncer, pgbouncerUnavailable, startPgBouncer } from '../../support/pgbouncer.js';
import { hostAndPort } from '../../support/tcp.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';
import { bouncerUrl } from './bouncer-fixture.js';

const unavailable = isRealServer() ? pgbouncerUnavailable() : 'needs a real PostgreSQL server';
if (unavailable) console.info(`[pooler migration-search-path] skipped: ${unavailable}`);

// Two server connections: while a non-transactional migration runs, another client holds
// the server connection the step started on, so the step's later statements (the reset
// of a session search_path among them) go to the other one.
const t = useTestDatabase('pooler_migrate');
let bouncer: PgBouncer | undefined;
let db: Database<unknown> | undefined;

describe.skipIf(unavailable !== undefined)(
  "a transaction: false migration with pooler: 'pgbouncer-transaction'",
  () => {
    beforeAll(async () => {
      bouncer = await startPgBouncer(hostAndPort(inject('databaseUrl')), ['postgres'], { poolSize: 2 });
    });
    afterAll(async () => {
      await db?.close();
      await bouncer?.stop();
    });

    it('leaves no session search_path on any server connection', async () => {
      const other = new pg.Client({ connectionString: bouncerUrl(bouncer!) });
      await other.connect();
      let seenDuring: string | undefined;
      const migrations: Record<string, MigrationModule> = {
        '0001_outside_transaction': {
          config: { transaction: false },
          up: async (migrationDb) => {
            // Takes the server connection the step's statements so far ran on (LIFO reuse).
            await other.query('begin');
            seenDuring = (await other.query<{ search_path: string }>('show search_path')).rows[0]!.search_path;
            await sql`create table ${sql.table(`${t.schema}.made_outside`)} (id int)`.execute(migrationDb);
          },
        },
      };
      db = createDatabase({
        connectionString: bouncerUrl(bouncer!),
        pooler: 'pgbouncer-transaction',
        pool: { max: 1 },
        logger: 'silent',
      });
      try {
        const result = await createMigrator(db, { migrations, schema: t.schema }).latest();
        expect(result.executed.map((step) => step.name)).toEqual(['0001_outside_transaction']);
        // Still on that server connection: it must show the server default.
        const after = (await other.query<{ search_path: string }>('show search_path')).rows[0]!.search_path;
        expect({ seenDuring, after }).toEqual({ seenDuring: '"$user", public', after: '"$user", public' });
      } finally {
        await other.query('rollback');
        await other.end();
      }
    });
  },
);
