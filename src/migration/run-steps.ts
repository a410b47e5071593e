import { type Kysely, sql } from 'kysely';

import { behindTransactionPooler } from '../connection/pooler-mode.js';
import type { Database } from '../database.js';
import { runKyselyStep } from './kysely-step.js';
import { ensureLedger, type LedgerTables, readLedger, recordApplied } from './ledger.js';
import { acquireLease, lockInTransaction, type LockSettings, retryWhileLeased } from './migration-lock.js';
import { assertIntact, migrationStatuses } from './migration-status.js';
import type { LoadedMigration, MigrationRunResult, MigrationStep } from './migration-types.js';

/**
 * Reported before and after each migration runs.
 *
 * @example
 * ```ts
 * const migrator = createMigrator(db, {
 *   folder: 'migrations',
 *   onProgress: (event: MigrationProgress) => {
 *     if (event.phase === 'done') console.log(`${event.direction} ${event.migration} in ${event.durationMs} ms`)
 *   },
 * })
 * ```
 */
export interface MigrationProgress {
  migration: string;
  direction: 'up' | 'down';
  phase: 'start' | 'done';
  /** Set when `phase` is `done`. */
  durationMs?: number;
}

/** Everything a run needs; built once per migrator. */
export interface StepContext {
  readonly database: Database<unknown>;
  readonly tables: LedgerTables;
  readonly lock: LockSettings;
  readonly migrations: readonly LoadedMigration[];
  readonly appliedBy: string;
  readonly onProgress: ((event: MigrationProgress) => void) | undefined;
}

/** The next step given what is applied (in ledger order) and how many steps this run did. */
export type Plan = (applied: readonly string[], done: number) => { name: string; direction: 'up' | 'down' } | undefined;

/** Thrown at the end of a dry run to roll its transaction back; never escapes. */
class DryRunRollback extends Error {}

/**
 * Runs `plan` step by step: each migration in its own transaction (or, with
 * `transaction: false`, under a lease), re-reading the ledger under the lock each time,
 * so concurrent runners apply each migration exactly once. A dry run wraps everything in
 * one transaction that is rolled back, and stops before a `transaction: false` migration.
 */
export async function runPlan(ctx: StepContext, plan: Plan, options: { dryRun: boolean }): Promise<MigrationRunResult> {
  const executed: MigrationStep[] = [];
  const skipped: string[] = [];
  const body = async () => {
    await ctx.database.transaction(async () => {
      await lockInTransaction(kysely(ctx), ctx.lock, { ledgerReady: false });
      await ensureLedger(kysely(ctx), ctx.tables);
      // Refuse even when there is nothing to do: a drifted ledger is an error in itself.
      assertIntact(migrationStatuses(ctx.migrations, await readLedger(kysely(ctx), ctx.tables)));
    });
    for (;;) {
      const next = plan(await appliedNames(ctx), executed.length);
      if (next === undefined) return;
      const migration = find(ctx, next.name);
      if (options.dryRun && !migration.transactional) {
        skipped.push(next.name);
        return;
      }
      const outcome = migration.transactional
        ? await transactionalStep(ctx, plan, executed.length)
        : await leasedStep(ctx, plan, executed.length, next.name);
      if (outcome === 'done') return;
      if (outcome !== 'retry') executed.push(outcome);
    }
  };
  if (!options.dryRun) {
    await body();
  } else {
    try {
      await ctx.database.transaction(async () => {
        await body();
        throw new DryRunRollback('dry run');
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
  }
  return { executed, dryRun: options.dryRun, skipped };
}

function kysely(ctx: StepContext): Kysely<unknown> {
  return ctx.database.kysely;
}

function find(ctx: StepContext, name: string): LoadedMigration {
  const migration = ctx.migrations.find((each) => each.name === name);
  // The plan only names migrations it found among ctx.migrations.
  if (migration === undefined) throw new Error(`internal: migration ${name} not loaded`);
  return migration;
}

async function appliedNames(ctx: StepContext): Promise<string[]> {
  return (await readLedger(kysely(ctx), ctx.tables)).map((row) => row.name);
}

/** Reads the ledger (under the lock), refuses edited or missing migrations, and plans. */
async function planUnderLock(ctx: StepContext, plan: Plan, done: number) {
  const ledger = await readLedger(kysely(ctx), ctx.tables);
  assertIntact(migrationStatuses(ctx.migrations, ledger));
  return plan(
    ledger.map((row) => row.name),
    done,
  );
}

function searchPath(ctx: StepContext): string {
  const schema = `"${ctx.tables.schema.replaceAll('"', '""')}"`;
  return ctx.tables.schema === 'public' ? schema : `${schema}, public`;
}

async function execute(
  ctx: StepContext,
  db: Kysely<unknown>,
  name: string,
  direction: 'up' | 'down',
): Promise<MigrationStep> {
  ctx.onProgress?.({ migration: name, direction, phase: 'start' });
  const started = performance.now();
  const ran = await runKyselyStep(db, { tables: ctx.tables, migrations: ctx.migrations, direction });
  const durationMs = Math.round(performance.now() - started);
  // Kysely picks the step from the same ledger, read under the same lock.
  if (ran !== name) throw new Error(`internal: planned ${direction} ${name} but Kysely ran ${ran ?? 'nothing'}`);
  if (direction === 'up')
    await recordApplied(db, ctx.tables, {
      name,
      checksum: find(ctx, name).checksum,
      durationMs,
      appliedBy: ctx.appliedBy,
    });
  ctx.onProgress?.({ migration: name, direction, phase: 'done', durationMs });
  return { name, direction, durationMs };
}

async function transactionalStep(
  ctx: StepContext,
  plan: Plan,
  done: number,
): Promise<MigrationStep | 'done' | 'retry'> {
  return retryWhileLeased(ctx.lock, (deadline) =>
    ctx.database.transaction(async () => {
      await sql`select set_config('search_path', ${searchPath(ctx)}, true)`.execute(kysely(ctx));
      await lockInTransaction(kysely(ctx), ctx.lock, { ledgerReady: true, deadline });
      const next = await planUnderLock(ctx, plan, done);
      if (next === undefined) return 'done';
      // Another runner got further meanwhile and the next one needs a lease: go round again.
      if (!find(ctx, next.name).transactional) return 'retry';
      return execute(ctx, kysely(ctx), next.name, next.direction);
    }),
  );
}

async function leasedStep(
  ctx: StepContext,
  plan: Plan,
  done: number,
  expected: string,
): Promise<MigrationStep | 'done' | 'retry'> {
  const lease = await acquireLease(ctx.database, ctx.lock);
  try {
    const next = await planUnderLock(ctx, plan, done);
    if (next === undefined) return 'done';
    if (next.name !== expected) return 'retry';
    // Behind PgBouncer in transaction mode a session search_path would be set on one
    // server connection and reset on another (or none): it would leak to other clients.
    // There the step's statements get only the database's own settings; name schemas.
    if (behindTransactionPooler(ctx.database)) return await execute(ctx, kysely(ctx), next.name, next.direction);
    // One pooled connection for the whole step; the session search_path is reset after.
    return await kysely(ctx)
      .connection()
      .execute(async (connection) => {
        await sql`select set_config('search_path', ${searchPath(ctx)}, false)`.execute(connection);
        try {
          return await execute(ctx, connection, next.name, next.direction);
        } finally {
          await sql`reset search_path`.execute(connection);
        }
      });
  } finally {
    await lease.release();
  }
}
