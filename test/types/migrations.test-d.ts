import type { Kysely } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import {
  createMigrator,
  type Database,
  defineSeeder,
  type MigrationModule,
  type MigrationRunResult,
  type MigrationState,
  type Migrator,
  runSeeders,
  type SeedReport,
  type TenantId,
} from '../../src/index.js';

interface DB {
  plans: { name: string };
}
declare const db: Database<DB>;

describe('schema lifecycle types', () => {
  it('createMigrator returns a Migrator whose runs and status are typed', () => {
    const migrator = createMigrator(db, { folder: 'migrations' });
    expectTypeOf(migrator).toEqualTypeOf<Migrator>();
    expectTypeOf(migrator.latest()).resolves.toEqualTypeOf<MigrationRunResult>();
    expectTypeOf<Awaited<ReturnType<Migrator['status']>>[number]['state']>().toEqualTypeOf<MigrationState>();
    // @ts-expect-error repair needs a reason
    void migrator.repair({ accept: '0001' });
  });

  it('seeders see the typed transaction and the tenant', () => {
    const seeder = defineSeeder<DB>({
      name: 'plans',
      run: async ({ db: tx, tenant }) => {
        expectTypeOf(tx).toEqualTypeOf<Kysely<DB>>();
        expectTypeOf(tenant).toEqualTypeOf<TenantId | undefined>();
        await tx.insertInto('plans').values({ name: 'free' }).execute();
        // @ts-expect-error not a table of DB
        await tx.insertInto('nope').values({}).execute();
      },
    });
    expectTypeOf(runSeeders(db, [seeder], { environment: 'test' })).resolves.toEqualTypeOf<SeedReport>();
  });

  it('a migration module needs up', () => {
    // @ts-expect-error up is required
    const missing: MigrationModule = { down: async () => {} };
    void missing;
  });
});
