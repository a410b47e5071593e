import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  BaseRepository,
  createDatabase,
  type Database,
  tenantFilter,
  tenantPolicySql,
  tenantTransaction,
  withTenant,
} from '../../../src/index.js';
import { sleep } from '../../support/async.js';
import { type PgBouncer, pgbouncerUnavailable, startPgBouncer } from '../../support/pgbouncer.js';
import { hostAndPort } from '../../support/tcp.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';
import { createTenantTables, type TenantDB, TENANTS } from './tenant-fixture.js';

const unavailable = isRealServer() ? pgbouncerUnavailable() : 'needs a real PostgreSQL server';
if (unavailable) console.info(`[tenant-pgbouncer] skipped: ${unavailable}`);

// PgBouncer in transaction mode with one server connection shared by every client: the
// tenant setting must live and die with each transaction, or it would leak to the next client.
const t = useTestDatabase<TenantDB>('tenant_bouncer');
const role = `dl_bouncer_${process.pid}_${Date.now() % 100_000}`;
let bouncer: PgBouncer | undefined;
let db: Database<TenantDB> | undefined;

describe.skipIf(unavailable !== undefined)('tenantFilter rls mode behind PgBouncer (transaction mode)', () => {
  beforeAll(async () => {
    await createTenantTables(t.db);
    await sql.raw(tenantPolicySql({ table: `${t.schema}.orders` })).execute(t.db.kysely);
    for (const tenant of TENANTS) {
      await sql`insert into orders (tenant_id, ref, amount) select ${tenant}, ${tenant} || '-' || i, i from generate_series(1, 20) i`.execute(
        t.db.kysely,
      );
    }
    await sql.raw(`create role ${role} login`).execute(t.db.kysely);
    await sql
      .raw(
        `grant usage on schema "${t.schema}" to ${role}; grant select, insert on all tables in schema "${t.schema}" to ${role}`,
      )
      .execute(t.db.kysely);
    bouncer = await startPgBouncer(hostAndPort(inject('databaseUrl')), [role, 'postgres']);
    const url = new URL(inject('databaseUrl'));
    url.hostname = '127.0.0.1';
    url.port = String(bouncer.port);
    url.username = role;
    // No searchPath: PgBouncer drops startup options, so the table is schema-qualified.
    db = createDatabase<TenantDB>({
      connectionString: url.toString(),
      pool: { max: 6 },
      logger: 'silent',
      // PgBouncer 1.18 does not keep named statements: the documented setting for it.
      preparedStatements: false,
      middleware: [tenantFilter({ mode: 'rls' })],
    });
  });
  afterAll(async () => {
    await db?.close();
    await bouncer?.stop();
    await sql.raw(`drop owned by ${role}; drop role if exists ${role}`).execute(t.db.kysely);
  });

  it('keeps interleaved tenants apart although they share one server connection, and leaks nothing after', async () => {
    const orders = new BaseRepository(db!, { table: `${t.schema}.orders` as 'orders' });
    const leaks: string[] = [];
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        withTenant(TENANTS[i % 2]!, async () => {
          await sleep(i % 3);
          const rows = await orders.findMany({ limit: 50 });
          if (rows.length !== 20) leaks.push(`saw ${rows.length} rows`);
          for (const row of rows)
            if (row.tenant_id !== TENANTS[i % 2]) leaks.push(`${row.tenant_id} leaked into ${TENANTS[i % 2]}`);
        }),
      ),
    );
    expect(leaks).toEqual([]);
    // The one server connection served both tenants; with no tenant, nothing is visible.
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`${t.schema}.orders`)}`.execute(db!.kysely);
    expect(rows[0]!.n).toBe(0);
    const raw = await withTenant('globex', () =>
      tenantTransaction(db!, (tx) =>
        sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${t.schema}.orders`)}`.execute(tx),
      ),
    );
    expect(raw.rows[0]!.n).toBe(20);
  });
});
