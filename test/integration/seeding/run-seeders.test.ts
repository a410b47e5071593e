import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { currentTenant, defineSeeder, runSeeders, type Seeder } from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';

interface DB {
  plans: { name: string };
  users: { email: string; plan: string };
  tenant_settings: { tenant: string; theme: string };
}

const t = useTestDatabase<DB>('seeding');
const log: string[] = [];

const plans = defineSeeder<DB>({
  name: 'plans',
  run: async ({ db }) => {
    log.push('plans');
    await db
      .insertInto('plans')
      .values([{ name: 'free' }, { name: 'pro' }])
      .execute();
  },
  truncate: async ({ db }) => {
    log.push('truncate plans');
    await db.deleteFrom('plans').execute();
  },
});
const users = defineSeeder<DB>({
  name: 'users',
  dependsOn: ['plans'],
  environments: ['development', 'test'],
  run: async ({ db }) => {
    log.push('users');
    await db.insertInto('users').values({ email: 'demo@example.com', plan: 'pro' }).execute();
  },
  truncate: async ({ db }) => {
    log.push('truncate users');
    await db.deleteFrom('users').execute();
  },
});
const tenantBase = defineSeeder<DB>({
  name: 'tenant-base',
  tenant: true,
  run: async ({ db, tenant }) => {
    log.push(`tenant ${String(tenant)} (current ${String(currentTenant())})`);
    await db
      .insertInto('tenant_settings')
      .values({ tenant: String(tenant), theme: 'light' })
      .execute();
  },
});
const everything = defineSeeder<DB>({
  name: 'database',
  dependsOn: ['users', 'tenant-base'],
  run: async () => void log.push('database'),
});
const all: Seeder<DB>[] = [everything, tenantBase, users, plans];

async function count(table: keyof DB): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.db.kysely);
  return rows[0]!.n;
}

describe('runSeeders', () => {
  beforeAll(async () => {
    await sql`create table plans (name text primary key); create table users (email text primary key, plan text not null references plans(name)); create table tenant_settings (tenant text primary key, theme text)`.execute(
      t.db.kysely,
    );
  });

  it('runs in dependency order, tenant seeders once per tenant inside withTenant, and records each', async () => {
    log.length = 0;
    const report = await runSeeders(t.db, all, {
      environment: 'development',
      tenants: async () => ['acme', 'globex'],
      schema: t.schema,
    });
    expect(log).toEqual(['plans', 'users', 'tenant acme (current acme)', 'tenant globex (current globex)', 'database']);
    expect(report.ran.map((run) => `${run.name}${run.tenant ? `@${String(run.tenant)}` : ''}`)).toEqual([
      'plans',
      'users',
      'tenant-base@acme',
      'tenant-base@globex',
      'database',
    ]);
    expect(await count('tenant_settings')).toBe(2);
  });

  it('skips what already ran, runs a new tenant only, and fresh truncates dependents first', async () => {
    log.length = 0;
    const again = await runSeeders(t.db, all, {
      environment: 'development',
      tenants: ['acme', 'globex', 'initech'],
      schema: t.schema,
    });
    expect(again.ran.map((run) => `${run.name}@${String(run.tenant)}`)).toEqual(['tenant-base@initech']);
    expect(again.skipped.filter((each) => each.reason === 'already-ran')).toHaveLength(5);
    log.length = 0;
    await runSeeders(t.db, all, { environment: 'development', only: ['users'], fresh: true, schema: t.schema });
    expect(log).toEqual(['truncate users', 'truncate plans', 'plans', 'users']);
    expect(await count('users')).toBe(1);
  });

  it('rolls every seeder back when one fails', async () => {
    const broken = defineSeeder<DB>({
      name: 'broken',
      dependsOn: ['plans'],
      run: async ({ db }) =>
        void (await db.insertInto('users').values({ email: 'x@example.com', plan: 'missing' }).execute()),
    });
    await expect(
      runSeeders(t.db, [plans, broken], { environment: 'test', fresh: true, schema: t.schema }),
    ).rejects.toMatchObject({ name: 'ForeignKeyViolationError' });
    expect(await count('plans')).toBe(2);
    const { rows } = await sql<{ name: string }>`select name from data_layer_seeds where name = 'broken'`.execute(
      t.db.kysely,
    );
    expect(rows).toEqual([]);
  });

  it('refuses production unless allowed, and rejects unknown, cyclic or environment-excluded dependencies', async () => {
    await expect(runSeeders(t.db, all, { environment: 'production', schema: t.schema })).rejects.toMatchObject({
      name: 'ConfigError',
      option: 'allowProduction',
    });
    const a = defineSeeder<DB>({ name: 'a', dependsOn: ['b'], run: async () => {} });
    const b = defineSeeder<DB>({ name: 'b', dependsOn: ['a'], run: async () => {} });
    await expect(runSeeders(t.db, [a, b], { environment: 'test' })).rejects.toThrow(
      'Seeders depend on each other in a cycle: a -> b -> a',
    );
    await expect(runSeeders(t.db, [a], { environment: 'test' })).rejects.toThrow(
      'Seeder a depends on b, which is not defined',
    );
    await expect(runSeeders(t.db, [everything, tenantBase, users, plans], { environment: 'staging' })).rejects.toThrow(
      'Seeder database depends on users, which does not run in environment staging',
    );
    await expect(runSeeders(t.db, all, { environment: 'test', only: ['nope'] })).rejects.toMatchObject({
      option: 'only',
    });
    expect(() => defineSeeder({ name: 'bad name!', run: async () => {} })).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'name' }),
    );
    const produced = await runSeeders(t.db, [plans], {
      environment: 'production',
      allowProduction: true,
      schema: t.schema,
    });
    expect(produced.skipped).toEqual([{ name: 'plans', tenant: undefined, reason: 'already-ran' }]);
  });
});
