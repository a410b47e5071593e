import { type DialectAdapter, type Kysely, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely';

import { MigrationError } from '../errors/migration-errors.js';
import type { LedgerTables } from './ledger.js';
import type { LoadedMigration } from './migration-types.js';

/**
 * One step with Kysely's `Migrator` (`migrateUp` or `migrateDown`): its ledger reads and
 * writes, ordering rules ("missing" and "out of order" checks) and result set. What it
 * does not give is supplied around it: `disableTransactions` because the caller opens one
 * transaction per migration (Kysely wraps the whole run in one, or none), and an adapter
 * whose lock hooks are no-ops, because Kysely's PostgreSQL lock is a SESSION advisory lock
 * (`pg_advisory_lock`) that leaks behind PgBouncer; the caller holds `migration-lock.ts`.
 */
export async function runKyselyStep(
  db: Kysely<unknown>,
  options: { tables: LedgerTables; migrations: readonly LoadedMigration[]; direction: 'up' | 'down' },
): Promise<string | undefined> {
  const migrator = new Migrator({
    db: withoutSessionLock(db, options.tables),
    provider: providerOf(options.migrations),
    migrationTableSchema: options.tables.schema,
    migrationTableName: options.tables.table,
    migrationLockTableName: options.tables.lockTable,
    disableTransactions: true,
  });
  const result = options.direction === 'up' ? await migrator.migrateUp() : await migrator.migrateDown();
  return outcome(result);
}

function outcome(result: MigrationResultSet): string | undefined {
  const failed = result.results?.find((each) => each.status === 'Error');
  if (result.error !== undefined) {
    const error = result.error;
    if (error instanceof MigrationError) throw error;
    const message = error instanceof Error ? error.message : JSON.stringify(error);
    if (failed === undefined) {
      const reason = /is missing/.test(message) ? 'missing' : 'out-of-order';
      throw new MigrationError(`Migrations cannot run: ${message}`, { reason, cause: error });
    }
    throw new MigrationError(
      `Migration ${failed.migrationName} (${failed.direction.toLowerCase()}) failed: ${message}`,
      {
        reason: 'failed',
        migration: failed.migrationName,
        cause: error,
      },
    );
  }
  return result.results?.find((each) => each.status === 'Success')?.migrationName;
}

function providerOf(migrations: readonly LoadedMigration[]): MigrationProvider {
  const entries = Object.fromEntries(
    migrations.map(({ name, module }) => [
      name,
      {
        up: async (db: Kysely<unknown>) => {
          await module.up(db);
          if (module.validate === undefined) return;
          let valid: boolean | void;
          try {
            valid = await module.validate(db);
          } catch (cause) {
            throw new MigrationError(
              `Migration ${name} did not validate and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`,
              {
                reason: 'validation',
                migration: name,
                cause,
              },
            );
          }
          if (valid === false)
            throw new MigrationError(
              `Migration ${name} did not validate (validate returned false) and was rolled back`,
              { reason: 'validation', migration: name },
            );
        },
        // Kysely skips a step without `down` silently; refusing is clearer.
        down: async (db: Kysely<unknown>) => {
          if (module.down === undefined)
            throw new MigrationError(`Migration ${name} has no down and cannot be reverted`, {
              reason: 'failed',
              migration: name,
            });
          await module.down(db);
        },
      },
    ]),
  );
  return { getMigrations: () => Promise.resolve(entries) };
}

/**
 * The ledger tables exist before any step (`ensureLedger`, under the lock), so Kysely's
 * existence checks are answered from them: its introspector lists every table of the
 * database and fails when another schema is dropped meanwhile ("schema does not exist").
 */
function ledgerIntrospection(tables: LedgerTables) {
  const table = (name: string) => ({ name, schema: tables.schema, isView: false, columns: [] });
  return {
    getSchemas: () => Promise.resolve([{ name: tables.schema }]),
    getTables: () => Promise.resolve([table(tables.table), table(tables.lockTable)]),
  };
}

function withoutSessionLock(db: Kysely<unknown>, tables: LedgerTables): Kysely<unknown> {
  const adapter: DialectAdapter = Object.create(db.getExecutor().adapter, {
    acquireMigrationLock: { value: () => Promise.resolve() },
    releaseMigrationLock: { value: () => Promise.resolve() },
  }) as DialectAdapter;
  const introspection = ledgerIntrospection(tables);
  // The Migrator reads `getExecutor().adapter` and `introspection`; everything else goes to `db` itself.
  return new Proxy(db, {
    get(target, property) {
      if (property === 'getExecutor') return () => ({ adapter });
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
