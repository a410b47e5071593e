import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

import type { Database } from '../database.js';
import { ConfigError } from '../errors/application-errors.js';
import { MigrationError } from '../errors/migration-errors.js';
import { ledgerExists, type LedgerTables, ledgerTables, readLedger, recordRepair } from './ledger.js';
import { loadMigrations, type MigrationSource } from './load-migrations.js';
import { lockInTransaction, type LockSettings, retryWhileLeased } from './migration-lock.js';
import { migrationStatuses } from './migration-status.js';
import type { LoadedMigration, MigrationModule, MigrationRunResult, MigrationStatus } from './migration-types.js';
import { type MigrationProgress, type Plan, runPlan, type StepContext } from './run-steps.js';
import { verifyMigrations, type VerifyReport } from './verify-migrations.js';

/**
 * Options of `createMigrator()`: where the migrations are (a folder or modules), the schema
 * and ledger table, lock timeouts, and a progress callback.
 *
 * @example
 * ```ts
 * const options: MigratorOptions = { folder: 'migrations', schema: 'app', lockTimeoutMs: 120_000, appliedBy: process.env.DEPLOY_USER }
 * const migrator = createMigrator(db, options)
 * ```
 */
export interface MigratorOptions {
  /** A folder of migration files (`.js`, `.mjs`, `.cjs`; `.ts` under tsx), applied in name order. */
  folder?: string | undefined;
  /** Migrations as an object keyed by name, instead of `folder` (for bundled apps). */
  migrations?: Readonly<Record<string, MigrationModule>> | undefined;
  /** Schema of the ledger and the `search_path` migrations run with. @default 'public' */
  schema?: string | undefined;
  /** Ledger table; `<tableName>_lock` and `<tableName>_repairs` sit beside it. @default 'data_layer_migrations' */
  tableName?: string | undefined;
  /** How long to wait for another runner's lock before a `MigrationError`. @default 60000 */
  lockTimeoutMs?: number | undefined;
  /** Lease length for `transaction: false` migrations, renewed while they run. @default 30000 */
  leaseMs?: number | undefined;
  /** Recorded in the ledger as who applied each migration. @default `user@host` */
  appliedBy?: string | undefined;
  /** Called before and after each migration. */
  onProgress?: ((event: MigrationProgress) => void) | undefined;
}

/**
 * Options of the migrator's runs: `dryRun` applies and rolls back, to see what would run.
 *
 * @example
 * ```ts
 * const options: RunOptions = { dryRun: true }
 * const { executed } = await migrator.latest(options)
 * ```
 */
export interface RunOptions {
  /** Run the migrations and roll everything back, returning what ran. @default false */
  dryRun?: boolean | undefined;
}

/**
 * Options of `migrator.repair()`: which `changed` migration's current source to accept, why,
 * and who accepts it.
 *
 * @example
 * ```ts
 * const repair: RepairOptions = { accept: '0003_orders', reason: 'comment-only edit', by: 'ops@example.com' }
 * await migrator.repair(repair)
 * ```
 */
export interface RepairOptions {
  /** The `changed` migration whose current source is accepted as the new baseline. */
  accept: string;
  /** Why the edit is accepted; recorded in `<tableName>_repairs`. */
  reason: string;
  /** Who accepts it. @default `user@host` */
  by?: string | undefined;
}

/**
 * What `db.health({ migrator })` reports.
 *
 * @example
 * ```ts
 * const summary: MigrationSummary = await migrator.summary()
 * if (summary.changed > 0) throw new Error(`${summary.changed} applied migrations were edited`)
 * ```
 */
export interface MigrationSummary {
  /** The last applied migration, if any. */
  latest: string | undefined;
  pending: number;
  /** Applied migrations that were edited or deleted since. */
  changed: number;
}

/**
 * Applies, reverts and inspects one schema's migrations.
 *
 * @example
 * ```ts
 * const migrator: Migrator = createMigrator(db, { folder: 'migrations' })
 * await migrator.latest()
 * await migrator.verify() // every down reverses its up, proven in a scratch schema
 * ```
 */
export interface Migrator {
  readonly schema: string;
  readonly tableName: string;
  /** Applies every pending migration, each in its own transaction. */
  latest(options?: RunOptions): Promise<MigrationRunResult>;
  /** Applies the next pending migration. */
  up(options?: RunOptions): Promise<MigrationRunResult>;
  /** Reverts the last applied migration. */
  down(options?: RunOptions): Promise<MigrationRunResult>;
  /** Migrates up or down until `name` is the last applied migration. */
  to(name: string, options?: RunOptions): Promise<MigrationRunResult>;
  /** Every migration on disk and in the ledger, with its state; creates nothing. */
  status(): Promise<MigrationStatus[]>;
  summary(): Promise<MigrationSummary>;
  /** Accepts the current source of a `changed` migration, recording who, when and why. */
  repair(options: RepairOptions): Promise<void>;
  /**
   * Proves each migration's down reverses its up, in a scratch schema that is dropped
   * after; the target schema is never touched. Throws a `MigrationError` (reason `verify`)
   * naming the first migration whose down leaves the schema different, and how.
   */
  verify(): Promise<VerifyReport>;
  /** The migrations, loaded and checksummed. */
  load(): Promise<readonly LoadedMigration[]>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * Creates a migrator over Kysely's `Migrator`, with a checksummed ledger, one
 * transaction per migration, and a lock that works behind PgBouncer.
 *
 * @example
 * ```ts
 * const migrator = createMigrator(db, { folder: 'migrations', schema: 'app' })
 * const { executed } = await migrator.latest()
 * for (const row of await migrator.status()) console.log(row.name, row.state)
 * ```
 *
 * @throws ConfigError for an invalid option; the methods throw `MigrationError`.
 */
export function createMigrator<DB>(db: Database<DB>, options: MigratorOptions): Migrator {
  const source = migrationSource(options);
  const schema = identifier(options.schema ?? 'public', 'schema');
  const tableName = identifier(options.tableName ?? 'data_layer_migrations', 'tableName');
  const database = db as unknown as Database<unknown>;
  const tables = ledgerTables(schema, tableName);
  const lockTimeoutMs = positive(options.lockTimeoutMs ?? 60_000, 'lockTimeoutMs');
  const leaseMs = positive(options.leaseMs ?? 30_000, 'leaseMs');
  const appliedBy = options.appliedBy ?? whoAmI();
  let loaded: Promise<LoadedMigration[]> | undefined;
  const load = () => {
    // A failed load (a file with a syntax error, ...) is retried on the next call.
    loaded ??= loadMigrations(source).catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };

  const context = async (): Promise<StepContext> => {
    const lock: LockSettings = { tables, owner: `${appliedBy}#${randomUUID()}`, lockTimeoutMs, leaseMs };
    return { database, tables, lock, migrations: await load(), appliedBy, onProgress: options.onProgress };
  };
  const run = async (plan: (migrations: readonly LoadedMigration[]) => Plan, runOptions: RunOptions = {}) => {
    const ctx = await context();
    return runPlan(ctx, plan(ctx.migrations), { dryRun: runOptions.dryRun ?? false });
  };
  const status = async () =>
    migrationStatuses(
      await load(),
      (await ledgerExists(database.kysely, tables)) ? await readLedger(database.kysely, tables) : [],
    );

  return onPrimary(database, {
    schema,
    tableName,
    load,
    latest: (runOptions) => run((migrations) => (applied) => firstPending(migrations, applied), runOptions),
    up: (runOptions) =>
      run((migrations) => (applied, done) => (done >= 1 ? undefined : firstPending(migrations, applied)), runOptions),
    down: (runOptions) =>
      run(
        () => (applied, done) =>
          done >= 1 || applied.length === 0 ? undefined : { name: applied.at(-1)!, direction: 'down' },
        runOptions,
      ),
    to: async (name, runOptions) => {
      if (!(await load()).some((migration) => migration.name === name)) {
        throw new MigrationError(`Migration ${name} does not exist`, { reason: 'unknown-migration', migration: name });
      }
      return run(
        (migrations) => (applied) => {
          if (applied.includes(name))
            return applied.at(-1) === name ? undefined : { name: applied.at(-1)!, direction: 'down' };
          return firstPending(migrations, applied);
        },
        runOptions,
      );
    },
    status,
    summary: async () => {
      const statuses = await status();
      const applied = statuses.filter((each) => each.state !== 'pending');
      return {
        latest: applied.sort((a, b) => (a.appliedAt?.getTime() ?? 0) - (b.appliedAt?.getTime() ?? 0)).at(-1)?.name,
        pending: statuses.filter((each) => each.state === 'pending').length,
        changed: statuses.filter((each) => each.state === 'changed' || each.state === 'missing').length,
      };
    },
    verify: () =>
      verifyMigrations(database, {
        tableName,
        migrator: (scratch) => createMigrator(db, { ...options, schema: scratch, onProgress: undefined }),
      }),
    repair: (repairOptions) => repair(database, tables, { lockTimeoutMs, leaseMs, appliedBy }, load, repairOptions),
  });
}

/** With `replicas`, everything a migrator runs (ledger reads and locks included) uses the primary. */
function onPrimary<M extends object>(database: Database<unknown>, migrator: M): M {
  return Object.fromEntries(
    Object.entries(migrator).map(([key, value]) => [
      key,
      typeof value === 'function'
        ? (...args: unknown[]) => database.primary(() => (value as (...args: unknown[]) => unknown)(...args))
        : value,
    ]),
  ) as M;
}

function firstPending(migrations: readonly LoadedMigration[], applied: readonly string[]) {
  const next = migrations.find((migration) => !applied.includes(migration.name));
  return next === undefined ? undefined : { name: next.name, direction: 'up' as const };
}

async function repair(
  database: Database<unknown>,
  tables: LedgerTables,
  settings: { lockTimeoutMs: number; leaseMs: number; appliedBy: string },
  load: () => Promise<LoadedMigration[]>,
  options: RepairOptions,
): Promise<void> {
  if (typeof options.reason !== 'string' || options.reason.trim() === '')
    throw new ConfigError('repair() needs a reason', { option: 'reason' });
  const migrations = await load();
  const migration = migrations.find((each) => each.name === options.accept);
  if (migration === undefined)
    throw new MigrationError(`Migration ${options.accept} does not exist`, {
      reason: 'unknown-migration',
      migration: options.accept,
    });
  const lock: LockSettings = { tables, owner: `${settings.appliedBy}#${randomUUID()}`, ...settings };
  await retryWhileLeased(lock, (deadline) =>
    database.transaction(async () => {
      await lockInTransaction(database.kysely, lock, { ledgerReady: true, deadline });
      const row = (await readLedger(database.kysely, tables)).find((each) => each.name === options.accept);
      if (row === undefined)
        throw new MigrationError(`Migration ${options.accept} is not applied: there is nothing to repair`, {
          reason: 'unknown-migration',
          migration: options.accept,
        });
      if (row.checksum === migration.checksum) return;
      await recordRepair(database.kysely, tables, {
        name: migration.name,
        previous: row.checksum,
        accepted: migration.checksum,
        reason: options.reason.trim(),
        by: options.by ?? settings.appliedBy,
      });
    }),
  );
}

function migrationSource(options: MigratorOptions): MigrationSource {
  if (options.folder !== undefined && options.migrations !== undefined)
    throw new ConfigError('Pass either folder or migrations, not both', { option: 'folder' });
  if (typeof options.folder === 'string' && options.folder !== '') return { folder: options.folder };
  if (options.migrations !== undefined && typeof options.migrations === 'object')
    return { migrations: options.migrations };
  throw new ConfigError('createMigrator needs a folder or a migrations object', { option: 'folder' });
}

function identifier(value: string, option: string): string {
  if (!IDENTIFIER.test(value))
    throw new ConfigError(`Invalid ${option}: expected a plain SQL identifier (letters, digits, _; at most 63)`, {
      option,
    });
  return value;
}

function positive(value: number, option: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new ConfigError(`Invalid ${option}: expected a positive integer of milliseconds`, { option });
  return value;
}

function whoAmI(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}
