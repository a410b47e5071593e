import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, ConfigError, tenantFilter, withTenant } from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';
import { createTenantTables, type TenantDB } from './tenant-fixture.js';

const t = useTestDatabase<TenantDB>('tenant_missing_column');
const countryNames = async () =>
  (await sql<{ name: string }>`select name from countries order by code`.execute(t.db.kysely)).rows.map(
    (row) => row.name,
  );

beforeAll(async () => {
  await createTenantTables(t.db);
});

describe.each(['filter', 'rls', 'both'] as const)(
  'a database-wide tenantFilter({ mode: %s }) on a table without its column',
  (mode) => {
    it('is a ConfigError naming tenantColumn and skipMiddleware for reads and writes, before any SQL writes', async () => {
      const db = t.open({ middleware: [tenantFilter({ mode })] });
      const countries = new BaseRepository(db, { table: 'countries', primaryKey: 'code' });
      const calls: Array<() => Promise<unknown>> = [
        () => countries.findMany(),
        () => countries.findById('fr'),
        () => countries.count(),
        () => countries.create({ code: 'de', name: 'Germany' }),
        () => countries.update('fr', { name: 'Frankreich' }),
        () => countries.hardDelete('jp'),
      ];
      for (const call of calls) {
        const failure = await withTenant('acme', call).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ConfigError);
        expect(failure).toMatchObject({ option: 'tenantColumn', statusCode: 500 });
        expect((failure as Error).message).toContain('"tenant_id"');
        expect((failure as Error).message).toContain("add 'tenant' to the repository's skipMiddleware");
      }
      expect(await countryNames()).toEqual(['France', 'Japan']);
    });

    it("works once the table opts out with skipMiddleware: ['tenant'], or names its own tenantColumn", async () => {
      const db = t.open({ middleware: [tenantFilter({ mode })] });
      const shared = new BaseRepository(db, { table: 'countries', primaryKey: 'code', skipMiddleware: ['tenant'] });
      expect((await shared.findMany()).map((row) => row.name)).toEqual(['France', 'Japan']);
      const orders = new BaseRepository(db, { table: 'orders', tenantColumn: 'tenant_id' });
      await expect(withTenant('acme', () => orders.count())).resolves.toBe(0);
    });
  },
);
