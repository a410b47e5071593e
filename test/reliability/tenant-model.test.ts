import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  BaseRepository,
  createDatabase,
  type Database,
  NotFoundError,
  SerializationFailureError,
  tenantFilter,
  tenantPolicySql,
  TenantRequiredError,
  tenantTransaction,
  TransactionError,
  withTenant,
} from '../../src/index.js';
import { createAppRole } from '../integration/middleware/tenant-fixture.js';
import { isRealServer, useTestDatabase } from '../support/test-database.js';

/**
 * Model-based property test of tenant isolation (issue 8): random programs of nested
 * `withTenant`, `db.transaction` (savepoints that release or roll back, a retried
 * outermost attempt), `tenantTransaction`, concurrent branches, repository reads,
 * streams and updates, and raw `db.kysely` reads that only row-level security guards.
 * The invariant, checked after every step: no row of another tenant is ever returned,
 * repository reads (and raw reads inside a transaction) return exactly the current
 * tenant's rows, a write to another tenant's
 * row is refused (and never lands), and no tenant means nothing (fail closed).
 */
interface ModelDB {
  model_rows: { id: number; tenant_id: string; amount: number };
}

type Mode = 'filter' | 'rls' | 'both';
type Leaf =
  { kind: 'read' } | { kind: 'count' } | { kind: 'raw' } | { kind: 'stream' } | { kind: 'update'; row: number };
type Step =
  | Leaf
  | { kind: 'tenant'; tenant: number; body: Step[] }
  | { kind: 'tx'; end: 'commit' | 'throw' | 'retry'; body: Step[] }
  | { kind: 'tenantTx'; body: Step[] }
  | { kind: 'parallel'; body: Step[] };

const TENANTS = ['t0', 't1', 't2'] as const;
const ROWS = TENANTS.flatMap((tenant, index) => [1, 2].map((n) => ({ id: index * 2 + n, tenant })));
const NUM_RUNS = Number(process.env.TENANT_MODEL_RUNS ?? 60);

const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  fc.constant({ kind: 'read' as const }),
  fc.constant({ kind: 'count' as const }),
  { arbitrary: fc.constant({ kind: 'raw' as const }), weight: 2 },
  fc.constant({ kind: 'stream' as const }),
  fc.record({ kind: fc.constant('update' as const), row: fc.integer({ min: 0, max: ROWS.length - 1 }) }),
);
const { program } = fc.letrec<{ step: Step; body: Step[]; program: Step[] }>((tie) => ({
  step: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    { arbitrary: leaf, weight: 3 },
    {
      arbitrary: fc.record({
        kind: fc.constant('tenant' as const),
        tenant: fc.integer({ min: 0, max: TENANTS.length - 1 }),
        body: tie('body'),
      }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('tx' as const),
        end: fc.constantFrom('commit' as const, 'throw' as const, 'retry' as const),
        body: tie('body'),
      }),
      weight: 3,
    },
    fc.record({ kind: fc.constant('tenantTx' as const), body: tie('body') }),
    fc.record({ kind: fc.constant('parallel' as const), body: tie('body') }),
  ),
  body: fc.array(tie('step'), { maxLength: 3 }),
  program: fc.array(tie('step'), { minLength: 1, maxLength: 4 }),
}));

const t = useTestDatabase<ModelDB>('tenant_model');
let app: { url: string; drop: () => Promise<void> } | undefined;
const databases: Array<Database<ModelDB>> = [];
/** Every amount ever written, and the tenant it was written under. */
const writers = new Map<number, string>();
let nextAmount = 1_000;

class PlannedRollback extends Error {}

function interpreter(mode: Mode, db: Database<ModelDB>) {
  const rows = new BaseRepository(db, { table: 'model_rows' });
  const rawRlsApplies = mode !== 'filter'; // the filter-mode connection is a superuser: no RLS
  type Row = { id: number; tenant_id: string };
  const fail = (message: string): never => {
    throw new Error(`isolation violated (${mode}): ${message}`);
  };
  const describeRows = (found: readonly Row[]) =>
    found
      .map((row) => `${row.tenant_id}:${row.id}`)
      .sort()
      .join(',');
  const exactly = (tenant: string, found: readonly Row[], what: string) => {
    const want = describeRows(
      ROWS.filter((row) => row.tenant === tenant).map((row) => ({ id: row.id, tenant_id: row.tenant })),
    );
    if (describeRows(found) !== want)
      fail(`${what} under ${tenant} returned [${describeRows(found)}], expected [${want}]`);
  };
  const onlyOwn = (tenant: string | undefined, found: readonly Row[], what: string) => {
    const foreign = found.filter((row) => row.tenant_id !== tenant);
    if (foreign.length > 0) fail(`${what} under ${tenant ?? 'no tenant'} returned [${describeRows(foreign)}]`);
  };
  const refusedWithoutTenant = async (what: string, work: () => Promise<unknown>) => {
    const error = await work().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!(error instanceof TenantRequiredError)) fail(`${what} without a tenant did not fail closed: ${String(error)}`);
  };
  const rawRead = async (): Promise<Row[]> =>
    (await sql<Row>`select id, tenant_id from model_rows`.execute(db.kysely)).rows;

  async function leafStep(step: Leaf, tenant: string | undefined, inTransaction: boolean): Promise<void> {
    switch (step.kind) {
      case 'raw': {
        if (!rawRlsApplies) return;
        const found = await rawRead();
        onlyOwn(tenant, found, 'raw db.kysely read');
        // In a transaction, raw SQL runs with the tenant of its own context; outside one, with none.
        if (inTransaction && tenant !== undefined) exactly(tenant, found, 'raw db.kysely read in a transaction');
        return;
      }
      case 'read':
        if (tenant === undefined) return refusedWithoutTenant('findMany', () => rows.findMany());
        return exactly(tenant, await rows.findMany(), 'findMany');
      case 'count': {
        if (tenant === undefined) return refusedWithoutTenant('count', () => rows.count());
        const count = await rows.count();
        if (count !== ROWS.filter((row) => row.tenant === tenant).length) fail(`count under ${tenant} was ${count}`);
        return;
      }
      case 'stream': {
        const consume = async () => {
          const seen: Row[] = [];
          for await (const row of rows.stream()) seen.push(row);
          return seen;
        };
        if (tenant === undefined) return refusedWithoutTenant('stream', consume);
        const result = await consume().catch((error: unknown) => error);
        // In rls/both mode a stream needs a transaction opened under its tenant; otherwise it fails closed.
        if (result instanceof TransactionError && mode !== 'filter') return;
        if (!Array.isArray(result)) return fail(`stream under ${tenant} threw ${String(result)}`);
        return exactly(tenant, result as Row[], 'stream');
      }
      case 'update': {
        const target = ROWS[step.row]!;
        const amount = nextAmount++;
        if (tenant === undefined) return refusedWithoutTenant('update', () => rows.update(target.id, { amount }));
        writers.set(amount, tenant);
        const result = await rows.update(target.id, { amount }).catch((error: unknown) => error);
        if (target.tenant === tenant) {
          if (result instanceof Error)
            fail(`update of its own row ${target.id} under ${tenant} failed: ${result.message}`);
        } else if (!(result instanceof NotFoundError)) {
          fail(
            `update of ${target.tenant}'s row ${target.id} under ${tenant} was not refused: ${result instanceof Error ? result.message : 'it succeeded'}`,
          );
        }
        return;
      }
    }
  }

  async function run(steps: readonly Step[], tenant: string | undefined, inTransaction: boolean): Promise<void> {
    for (const step of steps) await runStep(step, tenant, inTransaction);
  }

  async function runStep(step: Step, tenant: string | undefined, inTransaction: boolean): Promise<void> {
    switch (step.kind) {
      case 'tenant': {
        const next = TENANTS[step.tenant]!;
        return withTenant(next, () => run(step.body, next, inTransaction));
      }
      case 'tx': {
        if (step.end === 'throw') {
          const error = await db
            .transaction(async () => {
              await run(step.body, tenant, true);
              throw new PlannedRollback();
            })
            .catch((caught: unknown) => caught);
          if (!(error instanceof PlannedRollback)) throw error;
          return;
        }
        if (step.end === 'retry' && !inTransaction) {
          let attempt = 0;
          return db.transaction(
            async () => {
              attempt++;
              await run(step.body, tenant, true);
              if (attempt === 1) throw new SerializationFailureError('planned retry', { sqlState: '40001' });
            },
            { retries: 1 },
          );
        }
        return db.transaction(() => run(step.body, tenant, true));
      }
      case 'tenantTx': {
        if (tenant === undefined)
          return refusedWithoutTenant('tenantTransaction', () => tenantTransaction(db, async () => undefined));
        return tenantTransaction(db, async (tx) => {
          if (rawRlsApplies)
            exactly(
              tenant,
              (await sql<Row>`select id, tenant_id from model_rows`.execute(tx)).rows,
              'raw read in tenantTransaction',
            );
          await run(step.body, tenant, true);
        });
      }
      case 'parallel': {
        // Concurrent branches share the ambient transaction's connection; outside one they
        // would be separate transactions that can deadlock on each other's rows, so run in turn.
        if (!inTransaction) return run(step.body, tenant, false);
        const settled = await Promise.allSettled(step.body.map((each) => runStep(each, tenant, true)));
        const failed = settled.find((each) => each.status === 'rejected');
        if (failed) throw failed.reason;
        return;
      }
      default:
        return leafStep(step, tenant, inTransaction);
    }
  }

  return (steps: readonly Step[]) => run(steps, undefined, false);
}

/** No row holds an amount written under another tenant: read as the superuser, after the run. */
async function assertNoForeignWrites(mode: Mode): Promise<void> {
  const stored = await t.db.kysely.selectFrom('model_rows').select(['id', 'tenant_id', 'amount']).execute();
  for (const row of stored) {
    const writer = writers.get(row.amount);
    if (writer !== undefined && writer !== row.tenant_id)
      throw new Error(`isolation violated (${mode}): ${writer} wrote ${row.tenant_id}'s row ${row.id}`);
  }
}

describe.runIf(isRealServer())(
  'tenant isolation, model-based: random nestings of tenants, transactions and savepoints',
  () => {
    beforeAll(async () => {
      await sql`create table model_rows (id int primary key, tenant_id text not null, amount int not null)`.execute(
        t.db.kysely,
      );
      await t.db.kysely
        .insertInto('model_rows')
        .values(ROWS.map((row) => ({ id: row.id, tenant_id: row.tenant, amount: 0 })))
        .execute();
      await sql.raw(tenantPolicySql({ table: 'model_rows' })).execute(t.db.kysely);
      app = await createAppRole(t.db, inject('databaseUrl'), t.schema, 'model');
    });
    afterAll(async () => {
      await Promise.all(databases.map((db) => db.close()));
      await app?.drop();
    });

    it.each(['filter', 'rls', 'both'] as const)(
      '%s mode: zero rows of another tenant, ever, and no write to another tenant’s row',
      async (mode) => {
        // filter mode connects as the superuser (RLS bypassed), so only the filter protects it.
        const connection = mode === 'filter' ? t.options : { connectionString: app!.url, searchPath: [t.schema] };
        const db = createDatabase<ModelDB>({
          ...connection,
          logger: 'silent',
          pool: { max: 4 },
          // Its own name: the idle-in-transaction check below must not count other test files' sessions.
          applicationName: `tenant-model-${mode}`,
          middleware: [tenantFilter({ mode })],
        });
        databases.push(db);
        const runProgram = interpreter(mode, db);
        await fc.assert(
          fc.asyncProperty(program, async (steps) => {
            await runProgram(steps);
            await assertNoForeignWrites(mode);
          }),
          { numRuns: NUM_RUNS },
        );
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from pg_stat_activity where application_name = ${`tenant-model-${mode}`} and state like 'idle in transaction%'`.execute(
          db.kysely,
        );
        expect(rows[0]!.n).toBe(0);
      },
      120_000,
    );
  },
);
