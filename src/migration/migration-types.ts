import type { Migration } from 'kysely';

/** The Kysely handle a migration receives: untyped, because the schema is what it changes. */
export type MigrationDb = Parameters<Migration['up']>[0];

/** Per-migration settings, exported as `config` from a migration file. */
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

/** A migration with its name and the checksum of its normalized source. */
export interface LoadedMigration {
  readonly name: string;
  readonly module: MigrationModule;
  readonly checksum: string;
  readonly transactional: boolean;
}

/** Where a migration stands against the ledger. */
export type MigrationState = 'applied' | 'pending' | 'missing' | 'changed';

/** One line of `migrator.status()`. */
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

/** What one run did, migration by migration, in order. */
export interface MigrationStep {
  name: string;
  direction: 'up' | 'down';
  durationMs: number;
}

export interface MigrationRunResult {
  /** The migrations that ran (for `dryRun`, ran and were rolled back). */
  executed: MigrationStep[];
  dryRun: boolean;
  /** Migrations a dry run could not try (`transaction: false` cannot be rolled back). */
  skipped: string[];
}
