import type { Kysely } from 'kysely';

import { ConfigError } from '../errors/application-errors.js';
import type { TenantId } from '../middleware/tenant/tenant-context.js';

/**
 * What a seeder's `run` and `truncate` receive.
 *
 * @example
 * ```ts
 * async function seedPlans({ db, environment }: SeedContext<DB>) {
 *   await db.insertInto('plans').values({ name: environment === 'test' ? 'test-plan' : 'free' }).execute()
 * }
 * const plans = defineSeeder<DB>({ name: 'plans', run: seedPlans })
 * ```
 */
export interface SeedContext<DB> {
  /** The seeding transaction: everything the seeders write commits or rolls back together. */
  db: Kysely<DB>;
  environment: string;
  /** For a tenant seeder, the tenant it runs for (also current via `withTenant`). */
  tenant: TenantId | undefined;
}

/**
 * What `defineSeeder()` takes: a unique name, what it writes (`run`) and how to empty it
 * (`truncate`), its dependencies, environments, and whether it runs per tenant.
 *
 * @example
 * ```ts
 * const definition: SeederDefinition<DB> = {
 *   name: 'countries',
 *   environments: ['development', 'test'],
 *   run: async ({ db }) => void (await db.insertInto('countries').values({ code: 'NL', name: 'Netherlands' }).execute()),
 * }
 * const countries = defineSeeder(definition)
 * ```
 */
export interface SeederDefinition<DB> {
  /** Unique name; the tracking table records it. */
  name: string;
  run: (ctx: SeedContext<DB>) => Promise<void>;
  /** Empties what `run` wrote; called by `fresh` before running again. */
  truncate?: ((ctx: SeedContext<DB>) => Promise<void>) | undefined;
  /** Seeders that must run first. A `DatabaseSeeder` is a seeder that depends on the others. */
  dependsOn?: readonly string[] | undefined;
  /** Environments it runs in (`development`, `test`, ...). @default every environment */
  environments?: readonly string[] | undefined;
  /** A tenant seeder: runs once per tenant of `runSeeders({ tenants })`, inside `withTenant`. @default false */
  tenant?: boolean | undefined;
}

/**
 * A validated seeder.
 *
 * @example
 * ```ts
 * const seeders: Seeder<DB>[] = [
 *   defineSeeder<DB>({ name: 'plans', run: async ({ db }) => void (await db.insertInto('plans').values({ name: 'free' }).execute()) }),
 * ]
 * await runSeeders(db, seeders, { environment: 'development' })
 * ```
 */
export type Seeder<DB> = Readonly<SeederDefinition<DB>> & {
  readonly dependsOn: readonly string[];
  readonly tenant: boolean;
};

/**
 * Declares a seeder.
 *
 * @example
 * ```ts
 * const plans = defineSeeder<DB>({
 *   name: 'plans',
 *   run: async ({ db }) => void (await db.insertInto('plans').values([{ name: 'free' }, { name: 'pro' }]).execute()),
 *   truncate: async ({ db }) => void (await db.deleteFrom('plans').execute()),
 * })
 * const demoUsers = defineSeeder<DB>({
 *   name: 'demo-users',
 *   dependsOn: ['plans'],
 *   environments: ['development'],
 *   run: async ({ db }) => void (await db.insertInto('users').values({ email: 'demo@example.com' }).execute()),
 * })
 * const tenantBase = defineSeeder<DB>({
 *   name: 'tenant-base',
 *   tenant: true,
 *   run: async ({ db, tenant }) => void (await db.insertInto('categories').values({ name: `general (${tenant})` }).execute()),
 * })
 * ```
 *
 * @throws ConfigError naming the invalid field.
 */
export function defineSeeder<DB>(definition: SeederDefinition<DB>): Seeder<DB> {
  if (typeof definition.name !== 'string' || !/^[\w.:-]{1,200}$/.test(definition.name)) {
    throw new ConfigError('Invalid seeder name: expected 1-200 letters, digits, _ . : or -', { option: 'name' });
  }
  if (typeof definition.run !== 'function')
    throw new ConfigError(`Seeder ${definition.name}: run must be a function`, { option: 'run' });
  if (definition.truncate !== undefined && typeof definition.truncate !== 'function') {
    throw new ConfigError(`Seeder ${definition.name}: truncate must be a function`, { option: 'truncate' });
  }
  const dependsOn: readonly unknown[] = definition.dependsOn ?? [];
  if (!Array.isArray(dependsOn) || dependsOn.some((each) => typeof each !== 'string')) {
    throw new ConfigError(`Seeder ${definition.name}: dependsOn must be a list of seeder names`, {
      option: 'dependsOn',
    });
  }
  return Object.freeze({
    ...definition,
    dependsOn: Object.freeze(dependsOn.map(String)),
    tenant: definition.tenant === true,
  });
}
