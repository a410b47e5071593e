import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  BaseRepository,
  ConnectionError,
  createDatabase,
  type Database,
  tenantFilter,
  tenantPolicySql,
  TenantRequiredError,
  withTenant,
} from '../../../src/index.js';
import {
  startStreamingReplica,
  type StreamingPair,
  streamingReplicaUnavailable,
} from '../../support/streaming-replica.js';
import { type AppRole, createAppRole, createTenantTables, type TenantDB } from '../middleware/tenant-fixture.js';
import { until } from './replica-fixture.js';

const unavailable = streamingReplicaUnavailable();
if (unavailable !== undefined) console.info(`[replicas] tenant RLS read tests skipped: ${unavailable}`);

/** The replica replays every commit this long after it was made: a fresh row tells the servers apart. */
const APPLY_DELAY_MS = 1_500;

// Issue 13: reads under tenantFilter({ mode: 'rls' | 'both' }) need a transaction-local
// setting; outside a transaction that short transaction runs READ ONLY on a replica.
describe.skipIf(unavailable !== undefined)('tenant RLS reads outside a transaction use a replica', () => {
  let pair: StreamingPair;
  let admin: Database<TenantDB>;
  let role: AppRole;
  const databases: Array<Database<TenantDB>> = [];
  let acmeIds: number[] = [];
  let globexId = 0;

  function connect(mode: 'rls' | 'both', replicaFallback: 'primary' | 'error' = 'primary', probeIntervalMs = 100) {
    const replicaUrl = new URL(pair.replica.connectionString);
    replicaUrl.username = new URL(role.url).username;
    replicaUrl.password = '';
    const db = createDatabase<TenantDB>({
      connectionString: role.url,
      replicas: [replicaUrl.toString()],
      replicaFallback,
      // The delay is expected here: keep the replica in use while it trails.
      maxLagMs: 60_000,
      replicaProbeIntervalMs: probeIntervalMs,
      pool: { connectionTimeoutMs: 2_000 },
      logger: 'silent',
      middleware: [tenantFilter({ mode })],
    });
    databases.push(db);
    return { db, orders: new BaseRepository<TenantDB, 'orders'>(db, { table: 'orders' }) };
  }
  const replicaReads = (db: Database<TenantDB>) => db.metrics().replicas![0]!.reads;
  const refs = (rows: ReadonlyArray<{ ref: string }>) => rows.map((row) => row.ref).sort();

  beforeAll(async () => {
    pair = await startStreamingReplica({ applyDelayMs: APPLY_DELAY_MS });
    admin = createDatabase<TenantDB>({ connectionString: pair.primary.connectionString, logger: 'silent' });
    await createTenantTables(admin);
    await sql.raw(tenantPolicySql({ table: 'orders' })).execute(admin.kysely);
    const inserted = await admin.kysely
      .insertInto('orders')
      .values([
        { tenant_id: 'acme', ref: 'a1', amount: 1 },
        { tenant_id: 'acme', ref: 'a2', amount: 2 },
        { tenant_id: 'globex', ref: 'g1', amount: 3 },
      ])
      .returning(['id', 'tenant_id'])
      .execute();
    acmeIds = inserted.filter((row) => row.tenant_id === 'acme').map((row) => row.id);
    globexId = inserted.find((row) => row.tenant_id === 'globex')!.id;
    role = await createAppRole(admin, pair.primary.connectionString, 'public', 'rlsrep');
    // The role, its grants and the rows reach the replica after the apply delay.
    const replicaAdmin = createDatabase<TenantDB>({
      connectionString: pair.replica.connectionString,
      logger: 'silent',
    });
    try {
      const roleName = new URL(role.url).username;
      await until(async () => {
        const { rows } = await sql<{ ready: boolean }>`
          select exists (select 1 from pg_roles where rolname = ${roleName})
            and has_table_privilege(${roleName}, 'orders', 'select')
            and (select count(*) from orders) = 3 as ready`
          .execute(replicaAdmin.kysely)
          .catch(() => ({ rows: [{ ready: false }] }));
        return rows[0]?.ready === true;
      }, 20_000);
    } finally {
      await replicaAdmin.close();
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.close()));
    await role?.drop();
    await admin?.close();
    await pair?.close();
  });

  for (const mode of ['rls', 'both'] as const) {
    it(`${mode} mode: findMany, findById and count are served by the replica with only the tenant's rows`, async () => {
      const { db, orders } = connect(mode);
      await db.connect();
      const before = replicaReads(db);
      await withTenant('acme', async () => {
        expect(refs(await orders.findMany())).toEqual(['a1', 'a2']);
        expect(await orders.findById(acmeIds[0]!)).toMatchObject({ ref: 'a1' });
        expect(await orders.findById(globexId)).toBeUndefined();
        expect(await orders.count()).toBe(2);
      });
      await withTenant('globex', async () => expect(refs(await orders.findMany())).toEqual(['g1']));
      expect(replicaReads(db)).toBe(before + 5);
      // A write goes to the primary (a replica would refuse it), and the replica has not
      // replayed it yet: a read right after it does not see it, so it came from the replica.
      await withTenant('acme', async () => {
        const created = await orders.create({ ref: `${mode}-new`, amount: 9 });
        expect(created).toMatchObject({ tenant_id: 'acme' });
        expect(await orders.findById(created.id)).toBeUndefined();
        expect(refs(await orders.findMany())).not.toContain(`${mode}-new`);
      });
      expect(replicaReads(db)).toBe(before + 7);
    });
  }

  it('in a consistency context after a write, does not read from the lagging replica', async () => {
    const { db, orders } = connect('rls');
    await db.connect();
    const before = replicaReads(db);
    await db.withConsistencyToken(undefined, () =>
      withTenant('acme', async () => {
        const created = await orders.create({ ref: 'mine', amount: 5 });
        expect(await orders.findById(created.id)).toMatchObject({ ref: 'mine' });
        expect(refs(await orders.findMany())).toContain('mine');
      }),
    );
    expect(replicaReads(db)).toBe(before);
  });

  it('inside db.transaction() and db.primary() the reads stay on the primary', async () => {
    const { db, orders } = connect('rls');
    await db.connect();
    const before = replicaReads(db);
    await withTenant('acme', async () => {
      const created = await orders.create({ ref: 'tx-visible', amount: 1 });
      await db.transaction(async () => expect(await orders.findById(created.id)).toMatchObject({ ref: 'tx-visible' }));
      expect(await db.primary(() => orders.findById(created.id))).toMatchObject({ ref: 'tx-visible' });
      expect(await orders.findById(created.id, { consistency: 'strong' })).toMatchObject({ ref: 'tx-visible' });
    });
    expect(replicaReads(db)).toBe(before);
  });

  it('fails closed without a tenant, before any SQL', async () => {
    const { db, orders } = connect('rls');
    await db.connect();
    const statements = db.metrics().queries.total;
    const reads = replicaReads(db);
    await expect(orders.findMany()).rejects.toBeInstanceOf(TenantRequiredError);
    await expect(orders.count()).rejects.toBeInstanceOf(TenantRequiredError);
    expect(db.metrics().queries.total).toBe(statements);
    expect(replicaReads(db)).toBe(reads);
  });

  // Last: it stops the replica. No probe runs after the first (interval of a minute), so
  // the replica is still 'up' when it stops: the read itself finds it down.
  it('replica down: the read runs again on the primary, or fails with ConnectionError under replicaFallback "error"', async () => {
    const open = connect('rls', 'primary', 60_000);
    const closed = connect('rls', 'error', 60_000);
    await Promise.all([open.db.connect(), closed.db.connect()]);
    // Both pools hold a replica connection when the replica goes away.
    await withTenant('acme', async () => {
      expect(await open.orders.count()).toBeGreaterThanOrEqual(2);
      expect(await closed.orders.count()).toBeGreaterThanOrEqual(2);
    });
    expect(replicaReads(open.db)).toBe(1);
    await pair.replica.stopServer('fast');
    const stateOf = (db: Database<TenantDB>) => db.metrics().replicas![0]!.state;
    expect([stateOf(open.db), stateOf(closed.db)]).toEqual(['up', 'up']);
    await withTenant('acme', async () => {
      // The first read after the stop fails over within the call, to the primary.
      expect(refs(await open.orders.findMany())).toEqual(expect.arrayContaining(['a1', 'a2']));
      expect(stateOf(open.db)).toBe('down');
      const created = await open.orders.create({ ref: 'after-stop', amount: 1 });
      expect(await open.orders.findById(created.id)).toMatchObject({ ref: 'after-stop', tenant_id: 'acme' });
      expect(refs(await open.orders.findMany())).not.toContain('g1');

      await expect(closed.orders.findMany()).rejects.toBeInstanceOf(ConnectionError);
      expect(stateOf(closed.db)).toBe('down');
      await expect(closed.orders.count()).rejects.toBeInstanceOf(ConnectionError);
      await expect(closed.orders.create({ ref: 'closed-write', amount: 1 })).resolves.toMatchObject({
        tenant_id: 'acme',
      });
    });
    expect(replicaReads(open.db)).toBe(1);
    expect(open.db.metrics().replicas![0]!.failures).toBe(1);
  });
});
