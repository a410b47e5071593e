import { randomBytes } from 'node:crypto';

import { sql } from 'kysely';

import type { Database } from '../database.js';
import { MigrationError } from '../errors/migration-errors.js';
import { catalogDiff, catalogSnapshot } from './catalog-snapshot.js';
import type { LoadedMigration } from './migration-types.js';

/**
 * Proof that every migration's down reverses its up.
 *
 * @example
 * ```ts
 * const report: VerifyReport = await migrator.verify()
 * console.log(`verified ${report.verified.length} migrations in ${report.scratchSchema}`)
 * ```
 */
export interface VerifyReport {
  /** The scratch schema used (already dropped). */
  scratchSchema: string;
  verified: string[];
}

/** The part of a migrator that `verify` drives, created for the scratch schema. */
export interface ScratchMigrator {
  load(): Promise<readonly LoadedMigration[]>;
  up(): Promise<unknown>;
  down(): Promise<unknown>;
}

const SHOWN = 8;

/**
 * In a scratch schema (dropped after, whatever happens): for each migration, snapshot the
 * catalog, run `up`, run `down`, compare with the snapshot, then `up` again so the next
 * migration starts from the right place. Fails on the first migration whose down does not
 * restore the schema, saying what differs.
 */
export async function verifyMigrations(
  database: Database<unknown>,
  options: { tableName: string; migrator: (schema: string) => ScratchMigrator },
): Promise<VerifyReport> {
  const scratchSchema = `verify_${randomBytes(6).toString('hex')}`;
  const migrator = options.migrator(scratchSchema);
  const migrations = await migrator.load();
  const verified: string[] = [];
  await sql`create schema ${sql.id(scratchSchema)}`.execute(database.kysely);
  try {
    const snapshot = () => catalogSnapshot(database.kysely, scratchSchema, options.tableName);
    for (const migration of migrations) {
      if (migration.module.down === undefined) {
        throw new MigrationError(`verify: migration ${migration.name} has no down, so it cannot be reverted`, {
          reason: 'verify',
          migration: migration.name,
        });
      }
      const before = await snapshot();
      await migrator.up();
      await migrator.down();
      const differences = catalogDiff(before, await snapshot());
      if (differences.length > 0) {
        const shown = differences.slice(0, SHOWN).join('; ');
        const more = differences.length > SHOWN ? `; and ${differences.length - SHOWN} more` : '';
        throw new MigrationError(
          `verify: the down of migration ${migration.name} does not restore the schema (- missing after down, + left behind): ${shown}${more}`,
          {
            reason: 'verify',
            migration: migration.name,
          },
        );
      }
      await migrator.up();
      verified.push(migration.name);
    }
  } finally {
    await sql`drop schema if exists ${sql.id(scratchSchema)} cascade`.execute(database.kysely);
  }
  return { scratchSchema, verified };
}
