import type { Database } from '../database.js';
import { ConfigError } from '../errors/application-errors.js';
import { DataLayerError } from '../errors/data-layer-error.js';
import type { MigrationState } from './migration-types.js';
import { createMigrator, type MigratorOptions } from './migrator.js';

/**
 * Options of `migrateTenants()`: the migrator's options (without `schema`), the tenant
 * schemas or how to list them, what to run, and how many at once.
 *
 * @example
 * ```ts
 * const options: MigrateTenantsOptions = { folder: 'migrations/tenant', tenants: () => listTenantSchemas(), concurrency: 2, stopOnError: true }
 * const report = await migrateTenants(db, options)
 * ```
 */
export interface MigrateTenantsOptions extends Omit<MigratorOptions, 'schema' | 'onProgress'> {
  /** Tenant schemas, or `tenants` to look them up. */
  schemas?: readonly string[] | undefined;
  tenants?: (() => Promise<readonly string[]>) | undefined;
  /** What to do in each schema. @default 'latest' */
  action?: 'latest' | 'status' | undefined;
  /** Schemas migrated at the same time (keep it at most the pool size). @default 4 */
  concurrency?: number | undefined;
  /** After the first failure, start no other schema (they are reported `skipped`). @default false */
  stopOnError?: boolean | undefined;
  /** Called as each schema starts and finishes, for progress on long runs. */
  onProgress?: ((event: TenantProgress) => void) | undefined;
}

/**
 * Reported by `migrateTenants({ onProgress })` as each schema starts, finishes or fails.
 *
 * @example
 * ```ts
 * const onProgress = (event: TenantProgress) => console.log(`[${event.completed}/${event.total}] ${event.schema} ${event.phase}`)
 * await migrateTenants(db, { folder: 'migrations/tenant', tenants: () => listTenantSchemas(), onProgress })
 * ```
 */
export interface TenantProgress {
  schema: string;
  phase: 'start' | 'done' | 'failed';
  /** Schemas finished so far, and in all. */
  completed: number;
  total: number;
}

/**
 * How one tenant schema's migration went: ok, failed (with a code and a message without
 * secrets) or skipped, and the migrations it ran.
 *
 * @example
 * ```ts
 * const { tenants } = await migrateTenants(db, { folder: 'migrations/tenant', schemas: ['acme'] })
 * const failed: TenantResult[] = tenants.filter((each) => each.outcome === 'failed')
 * for (const each of failed) console.error(each.schema, each.error?.migration, each.error?.message)
 * ```
 */
export interface TenantResult {
  schema: string;
  outcome: 'ok' | 'failed' | 'skipped';
  executed: string[];
  /** Why it failed: a stable code, the migration and a message without secrets. */
  error?: { code: string; migration: string | undefined; message: string };
}

/**
 * What `migrateTenants()` returns: one result per tenant schema, and a schema x migration
 * state matrix read after the run.
 *
 * @example
 * ```ts
 * const report: TenantMigrationReport = await migrateTenants(db, { folder: 'migrations/tenant', schemas: ['acme', 'globex'] })
 * for (const schema of Object.keys(report.matrix)) console.log(schema, report.migrations.map((name) => report.matrix[schema]?.[name]))
 * ```
 */
export interface TenantMigrationReport {
  tenants: TenantResult[];
  /** Every migration name, in order: the matrix columns. */
  migrations: string[];
  /** schema → migration → state, read after the run. */
  matrix: Record<string, Record<string, MigrationState>>;
}

/**
 * Runs the same migrations into each tenant schema, each with its own ledger and lock
 * (so a re-run resumes where it stopped), `concurrency` at a time, and returns a tenant x
 * migration status matrix.
 *
 * @example
 * ```ts
 * const report = await migrateTenants(db, { folder: 'migrations/tenant', tenants: () => listTenantSchemas(), concurrency: 4 })
 * const failed = report.tenants.filter((each) => each.outcome === 'failed')
 * ```
 */
export async function migrateTenants<DB>(
  db: Database<DB>,
  options: MigrateTenantsOptions,
): Promise<TenantMigrationReport> {
  const {
    schemas: given,
    tenants: lookup,
    action = 'latest',
    concurrency = 4,
    stopOnError = false,
    onProgress,
    ...migratorOptions
  } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConfigError('Invalid concurrency: expected a positive integer', { option: 'concurrency' });
  const schemas = given ?? (lookup ? await lookup() : undefined);
  if (schemas === undefined) throw new ConfigError('migrateTenants needs schemas or tenants', { option: 'schemas' });
  const migrators = schemas.map((schema) => createMigrator(db, { ...migratorOptions, schema }));
  const results: TenantResult[] = schemas.map((schema) => ({ schema, outcome: 'skipped', executed: [] }));
  let next = 0;
  let completed = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < schemas.length) {
      const index = next++;
      const schema = schemas[index]!;
      onProgress?.({ schema, phase: 'start', completed, total: schemas.length });
      try {
        const executed =
          action === 'latest' ? (await migrators[index]!.latest()).executed.map((step) => step.name) : [];
        results[index] = { schema, outcome: 'ok', executed };
        completed += 1;
        onProgress?.({ schema, phase: 'done', completed, total: schemas.length });
      } catch (error) {
        results[index] = { schema, outcome: 'failed', executed: [], error: summarize(error) };
        completed += 1;
        onProgress?.({ schema, phase: 'failed', completed, total: schemas.length });
        if (stopOnError) stopped = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, schemas.length) }, worker));

  const migrations = new Set<string>();
  const matrix: Record<string, Record<string, MigrationState>> = {};
  for (const [index, schema] of schemas.entries()) {
    const statuses = await migrators[index]!.status();
    matrix[schema] = Object.fromEntries(statuses.map((status) => [status.name, status.state]));
    for (const status of statuses) migrations.add(status.name);
  }
  return { tenants: results, migrations: [...migrations].sort(), matrix };
}

function summarize(error: unknown): TenantResult['error'] {
  if (error instanceof DataLayerError) {
    return { code: error.code, migration: (error as { migration?: string }).migration, message: error.message };
  }
  return { code: 'UNKNOWN', migration: undefined, message: error instanceof Error ? error.message : 'unknown error' };
}
