import { type Kysely, sql } from 'kysely';

import type { Database } from '../database.js';
import { ConfigError } from '../errors/application-errors.js';
import { type TenantId, withTenant } from '../middleware/tenant/tenant-context.js';
import { defineSeeder, type Seeder } from './define-seeder.js';
import { seedOrder } from './seed-order.js';

/**
 * Options of `runSeeders()`: the environment, which seeders and tenants, whether to truncate
 * and run again, and where seeds are tracked.
 *
 * @example
 * ```ts
 * const options: RunSeedersOptions = { environment: process.env.NODE_ENV ?? 'development', fresh: process.argv.includes('--fresh') }
 * const plans = defineSeeder<DB>({ name: 'plans', run: async ({ db }) => void (await db.insertInto('plans').values({ name: 'free' }).execute()) })
 * await runSeeders(db, [plans], options)
 * ```
 */
export interface RunSeedersOptions {
  /** Which environment this is: selects seeders by their `environments`. */
  environment: string;
  /** Run only these seeders (and what they depend on). */
  only?: readonly string[] | undefined;
  /** Tenants that tenant seeders run for, once each, inside `withTenant`. */
  tenants?: readonly TenantId[] | (() => Promise<readonly TenantId[]>) | undefined;
  /** Truncate (each seeder's `truncate`, dependents first) and run again, even if they ran. @default false */
  fresh?: boolean | undefined;
  /** `environment: 'production'` is refused unless this is true. @default false */
  allowProduction?: boolean | undefined;
  /** Schema of the tracking table. @default 'public' */
  schema?: string | undefined;
  /** @default 'data_layer_seeds' */
  tableName?: string | undefined;
}

/**
 * One seeder run: its name, and the tenant it ran for (tenant seeders).
 *
 * @example
 * ```ts
 * const plans = defineSeeder<DB>({ name: 'plans', run: async ({ db }) => void (await db.insertInto('plans').values({ name: 'free' }).execute()) })
 * const ran: SeedRun[] = (await runSeeders(db, [plans], { environment: 'test' })).ran
 * ```
 */
export interface SeedRun {
  name: string;
  tenant: TenantId | undefined;
}

/**
 * What `runSeeders()` returns: the seeders that ran (per tenant), and those skipped and why.
 *
 * @example
 * ```ts
 * const plans = defineSeeder<DB>({ name: 'plans', run: async ({ db }) => void (await db.insertInto('plans').values({ name: 'free' }).execute()) })
 * const report: SeedReport = await runSeeders(db, [plans], { environment: 'development' })
 * for (const skipped of report.skipped) console.log(`${skipped.name}: ${skipped.reason}`)
 * ```
 */
export interface SeedReport {
  ran: SeedRun[];
  /** Seeders that had already run (and `fresh` was not set), and tenant seeders without `tenants`. */
  skipped: (SeedRun & { reason: 'already-ran' | 'no-tenants' })[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * Runs seeders in dependency order, all in one transaction, recording each in a tracking
 * table so a seeder that already ran is skipped (unless `fresh`).
 *
 * @example
 * ```ts
 * const plans = defineSeeder<DB>({ name: 'plans', run: async ({ db }) => void (await db.insertInto('plans').values({ name: 'free' }).execute()) })
 * const report = await runSeeders(db, [plans], { environment: 'development', tenants: ['acme', 'globex'] })
 * console.log(report.ran, report.skipped)
 * ```
 *
 * @throws ConfigError for `environment: 'production'` without `allowProduction`, unknown
 * or cyclic dependencies; a seeder's own error rolls every seeder back.
 */
export async function runSeeders<DB>(
  db: Database<DB>,
  seeders: readonly Seeder<DB>[],
  options: RunSeedersOptions,
): Promise<SeedReport> {
  if (typeof options.environment !== 'string' || options.environment === '')
    throw new ConfigError('runSeeders needs an environment', { option: 'environment' });
  if (options.environment === 'production' && options.allowProduction !== true) {
    throw new ConfigError('Refusing to seed environment production: pass allowProduction: true if this is intended', {
      option: 'allowProduction',
    });
  }
  const schema = options.schema ?? 'public';
  const tableName = options.tableName ?? 'data_layer_seeds';
  for (const [option, value] of [
    ['schema', schema],
    ['tableName', tableName],
  ] as const) {
    if (!IDENTIFIER.test(value))
      throw new ConfigError(`Invalid ${option}: expected a plain SQL identifier`, { option });
  }
  // Plain objects (a --config file without defineSeeder) are validated the same way.
  const ordered = seedOrder(
    seeders.map((seeder) => defineSeeder<DB>(seeder)),
    { environment: options.environment, only: options.only },
  );
  const tenants = typeof options.tenants === 'function' ? await options.tenants() : options.tenants;
  const table = sql.table(`${schema}.${tableName}`);
  const report: SeedReport = { ran: [], skipped: [] };

  await db.transaction(async (tx) => {
    const kysely = tx as unknown as Kysely<unknown>;
    await sql`select pg_advisory_xact_lock(hashtext('data-layer-seeds'), hashtext(${`${schema}.${tableName}`}))`.execute(
      kysely,
    );
    await sql`create table if not exists ${table} (name text not null, tenant text not null default '', environment text not null,
      ran_at timestamptz not null default now(), primary key (name, tenant))`.execute(kysely);
    const runsFor = (seeder: Seeder<DB>): (TenantId | undefined)[] =>
      seeder.tenant ? [...(tenants ?? [])] : [undefined];
    const within = <T>(tenant: TenantId | undefined, fn: () => Promise<T>) =>
      tenant === undefined ? fn() : withTenant(tenant, fn);
    const context = (tenant: TenantId | undefined) => ({ db: tx, environment: options.environment, tenant });

    if (options.fresh === true) {
      for (const seeder of [...ordered].reverse()) {
        for (const tenant of runsFor(seeder)) {
          if (seeder.truncate) await within(tenant, () => seeder.truncate!(context(tenant)));
          await sql`delete from ${table} where name = ${seeder.name} and tenant = ${tenant === undefined ? '' : String(tenant)}`.execute(
            kysely,
          );
        }
      }
    }
    for (const seeder of ordered) {
      if (seeder.tenant && (tenants === undefined || tenants.length === 0)) {
        report.skipped.push({ name: seeder.name, tenant: undefined, reason: 'no-tenants' });
        continue;
      }
      for (const tenant of runsFor(seeder)) {
        const key = tenant === undefined ? '' : String(tenant);
        const { rows } = await sql<{
          found: number;
        }>`select 1 as found from ${table} where name = ${seeder.name} and tenant = ${key}`.execute(kysely);
        if (rows.length > 0) {
          report.skipped.push({ name: seeder.name, tenant, reason: 'already-ran' });
          continue;
        }
        await within(tenant, () => seeder.run(context(tenant)));
        await sql`insert into ${table} (name, tenant, environment) values (${seeder.name}, ${key}, ${options.environment})`.execute(
          kysely,
        );
        report.ran.push({ name: seeder.name, tenant });
      }
    }
  });
  return report;
}
