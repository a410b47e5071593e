import type { Migration } from 'kysely';

/**
 * The Kysely handle a migration receives: untyped, because the schema is what it changes.
 *
 * @example
 * ```ts
 * // migrations/0001_users.ts
 * export async function up(db: MigrationDb) {
 *   await db.schema.createTable('users').addColumn('id', 'serial', (column) => column.primaryKey()).addColumn('email', 'text', (column) => column.notNull().unique()).execute()
 * }
 * export async function down(db: MigrationDb) {
 *   await db.schema.dropTable('users').execute()
 * }
 * ```
 */
export type MigrationDb = Parameters<Migration['up']>[0];

/**
 * Per-migration settings, exported as `config` from a migration file.
 *
 * @example
 * ```ts
 * // migrations/0007_orders_status_index.ts
 * export const config: MigrationConfig = { transaction: false } // CREATE INDEX CONCURRENTLY cannot run in a transaction
 * export async function up(db: MigrationDb) {
 *   await sql`create index concurrently orders_status_idx on orders (status)`.execute(db)
 * }
 * ```
 */
export interface MigrationConfig {
  /**
   * Run this migration in its own transaction (the default). `false` for statements that
   * cannot run in one: `CREATE INDEX CONCURRENTLY`, `ALTER TYPE ... ADD VALUE` (before 12).
   * @default true
   */
  transaction?: boolean | undefined;
}

/**
 * What a migration file exports (or one entry of the `migrations` option).
 *
 * @example
 * ```ts
 * export async function up(db: Kysely<any>) { await db.schema.createTable('users').addColumn('id', 'serial', (c) => c.primaryKey()).execute() }
 * export async function down(db: Kysely<any>) { await db.schema.dropTable('users').execute() }
 * export const config = { transaction: true }
 * ```
 */
export interface MigrationModule {
  up: (db: MigrationDb) => Promise<void>;
  down?: ((db: MigrationDb) => Promise<void>) | undefined;
  config?: MigrationConfig | undefined;
  /**
   * Runs after `up` in the same transaction; `false` or a throw rolls the migration back.
   * A backfill proves it left no row behind.
   */
  validate?: ((db: MigrationDb) => Promise<boolean | void>) | undefined;
}

/**
 * A migration with its name and the checksum of its normalized source.
 *
 * @example
 * ```ts
 * const loaded: readonly LoadedMigration[] = await migrator.load()
 * for (const migration of loaded) console.log(migration.name, migration.checksum.slice(0, 12), migration.transactional)
 * ```
 */
export interface LoadedMigration {
  readonly name: string;
  readonly module: MigrationModule;
  readonly checksum: string;
  readonly transactional: boolean;
}

/**
 * Where a migration stands against the ledger.
 *
 * @example
 * ```ts
 * const needsAttention: MigrationState[] = ['pending', 'missing', 'changed']
 * const rows = (await migrator.status()).filter((row) => needsAttention.includes(row.state))
 * ```
 */
export type MigrationState = 'applied' | 'pending' | 'missing' | 'changed';

/**
 * One line of `migrator.status()`.
 *
 * @example
 * ```ts
 * const rows: MigrationStatus[] = await migrator.status()
 * for (const row of rows) console.log(row.name.padEnd(40), row.state, row.appliedAt?.toISOString() ?? '')
 * ```
 */
export interface MigrationStatus {
  name: string;
  state: MigrationState;
  appliedAt: Date | undefined;
  durationMs: number | undefined;
  /** The checksum of the source on disk (or, for `missing`, the one recorded). */
  checksum: string | undefined;
  /** The checksum recorded when it was applied (differs from `checksum` when `changed`). */
  appliedChecksum: string | undefined;
}

/**
 * What one run did, migration by migration, in order.
 *
 * @example
 * ```ts
 * const { executed } = await migrator.latest()
 * const slowest: MigrationStep | undefined = [...executed].sort((a, b) => b.durationMs - a.durationMs)[0]
 * ```
 */
export interface MigrationStep {
  name: string;
  direction: 'up' | 'down';
  durationMs: number;
}

/**
 * What `migrator.latest()`, `up()`, `down()` and `to()` return: the migrations that ran, and
 * for a dry run what it could not try.
 *
 * @example
 * ```ts
 * const result: MigrationRunResult = await migrator.latest({ dryRun: true })
 * console.log(result.executed.map((step) => step.name), 'skipped:', result.skipped)
 * ```
 */
export interface MigrationRunResult {
  /** The migrations that ran (for `dryRun`, ran and were rolled back). */
  executed: MigrationStep[];
  dryRun: boolean;
  /** Migrations a dry run could not try (`transaction: false` cannot be rolled back). */
  skipped: string[];
}
