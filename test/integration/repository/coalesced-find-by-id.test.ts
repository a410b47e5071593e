import fc from 'fast-check';
import { type Generated, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import {
  BaseRepository,
  createDatabase,
  type Database,
  type RepositoryMiddleware,
  StatementTimeoutError,
  tenantFilter,
  tenantPolicySql,
  withTenant,
} from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { hasConcurrentSessions, isRealServer, useTestDatabase } from '../../support/test-database.js';
import { createAppRole, createTenantTables, type TenantDB } from '../middleware/tenant-fixture.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from './repository-fixture.js';

interface BigDB {
  big: { id: Generated<string>; label: string };
}

const spy = statementSpy();
const t = useTestDatabase<PeopleDB>('coalesce_find', spy.options);
let people: BaseRepository<PeopleDB, 'people', 'deleted_at'>;
/** The same table without coalescing: the reference every batched answer is compared with. */
let alone: BaseRepository<PeopleDB, 'people', 'deleted_at'>;

/** The other tables of this file, on the same handle. */
const other = <DB>() => t.db as unknown as Database<DB>;
const selects = () => spy.statements.filter((text) => text.startsWith('select * from "people"'));

beforeAll(async () => {
  await createPeopleTable(t.db);
  await createTenantTables(other<TenantDB>());
  await sql`create table big (id bigserial primary key, label text not null)`.execute(t.db.kysely);
  people = new BaseRepository(t.db, peopleOptions);
  alone = new BaseRepository(t.db, { ...peopleOptions, coalesce: false });
  await people.createMany(Array.from({ length: 10 }, (_, index) => ({ email: `p${index + 1}@x.io` })));
  await people.delete(3);
  await people.delete(7);
  await alone.findById(1); // loads the column catalog outside the counted statements
  await people.findById(1);
});
beforeEach(() => spy.clear());

describe('concurrent findById outside a transaction', () => {
  it('is one statement, and each caller gets what its own call returns (missing, soft-deleted, duplicates)', async () => {
    const ids = [1, 2, 3, 99, 5, 7, 2, 10, -1];
    const together = await Promise.all(ids.map((id) => people.findById(id)));
    expect(selects()).toEqual(['select * from "people" where "id" = any($1) and "deleted_at" is null']);
    const sequential = [];
    for (const id of ids) sequential.push(await alone.findById(id));
    expect(together).toEqual(sequential);
    expect(together.map((row) => row?.id)).toEqual([1, 2, undefined, undefined, 5, undefined, 2, 10, undefined]);
    expect(together[1]).not.toBe(together[6]); // one object per caller, as separate calls give
  });

  it('groups by scope: withDeleted and plain reads in the same tick are two statements', async () => {
    const [hidden, shown, other, otherShown] = await Promise.all([
      people.findById(3),
      people.findById(3, { withDeleted: true }),
      people.findById(4),
      people.findById(7, { withDeleted: true }),
    ]);
    expect(hidden).toBeUndefined();
    expect(shown?.id).toBe(3);
    expect(other?.id).toBe(4);
    expect(otherShown?.id).toBe(7);
    expect(new Set(selects())).toEqual(
      new Set([
        'select * from "people" where "id" = any($1) and "deleted_at" is null',
        'select * from "people" where "id" = any($1)',
      ]),
    );
  });

  it('a single call keeps the plain `id = $1` statement', async () => {
    expect((await people.findById(2))?.id).toBe(2);
    expect(selects()).toEqual(['select * from "people" where "id" = $1 and "deleted_at" is null']);
  });

  it('runs the middleware once per call, above the batch', async () => {
    const seen: unknown[] = [];
    const counting: RepositoryMiddleware = {
      name: 'counting',
      handle: async (operation, next) => {
        seen.push(operation.args[0]);
        const row = await next();
        return row === undefined ? 'none' : row;
      },
    };
    const watched = new BaseRepository(t.db, { ...peopleOptions, middleware: [counting] });
    const rows = await Promise.all([1, 99, 2].map((id) => watched.findById(id)));
    expect(seen).toEqual([1, 99, 2]);
    expect(rows.map((row) => (typeof row === 'string' ? row : row?.id))).toEqual([1, 'none', 2]);
    expect(selects().filter((text) => text.includes('any('))).toHaveLength(1);
  });

  it('never inside a transaction: every call is its own statement on the transaction connection', async () => {
    const rows = await t.db.transaction(() => Promise.all([1, 2, 4].map((id) => people.findById(id))));
    expect(rows.map((row) => row?.id)).toEqual([1, 2, 4]);
    expect(selects()).toEqual(Array(3).fill('select * from "people" where "id" = $1 and "deleted_at" is null'));
  });

  it('is off with { coalesce: false }', async () => {
    await Promise.all([1, 2].map((id) => alone.findById(id)));
    expect(selects()).toHaveLength(2);
    expect(selects().some((text) => text.includes('any('))).toBe(false);
  });

  it('an id the column type refuses fails only its own caller', async () => {
    const outOfRange = 2 ** 40; // a safe integer, but no int4
    const results = await Promise.allSettled([1, outOfRange, 2].map((id) => people.findById(id)));
    const own = await alone.findById(outOfRange).catch((error: unknown) => error);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { id: 1 } });
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { id: 2 } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { name: (own as Error).name } });
  });

  it.runIf(hasConcurrentSessions())('a statement error reaches every caller of the batch', async () => {
    const timed = t.open({ statementTimeoutMs: 300, ...spy.options });
    const repository = new BaseRepository(timed, peopleOptions);
    await repository.findById(1);
    spy.clear();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const locking = t.db.transaction(async () => {
      await sql`lock table people in access exclusive mode`.execute(t.db.kysely);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const results = await Promise.allSettled([1, 2, 99].map((id) => repository.findById(id)));
    release();
    await locking;
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const result of results)
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(StatementTimeoutError);
    expect(selects()).toEqual(['select * from "people" where "id" = any($1) and "deleted_at" is null']);
  });

  it('maps bigint keys back whatever their JavaScript type (number, string, bigint)', async () => {
    const big = new BaseRepository<BigDB, 'big'>(other<BigDB>(), { table: 'big' });
    await big.createMany([{ label: 'a' }, { label: 'b' }, { label: 'c' }]);
    const rows = await Promise.all([
      big.findById(1 as unknown as string),
      big.findById('2'),
      big.findById(3n as unknown as string),
      big.findById('4'),
    ]);
    expect(rows.map((row) => row?.label)).toEqual(['a', 'b', 'c', undefined]);
    expect(spy.statements.filter((text) => text.includes('"big" where "id" = any($1)'))).toHaveLength(1);
  });

  it('matches separate calls for any mix of ids and options (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: fc.integer({ min: -2, max: 14 }), withDeleted: fc.boolean() }), {
          minLength: 1,
          maxLength: 20,
        }),
        async (calls) => {
          const together = await Promise.all(calls.map((call) => people.findById(call.id, call)));
          const separate = [];
          for (const call of calls) separate.push(await alone.findById(call.id, call));
          expect(together).toEqual(separate);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('tenant scope', () => {
  beforeAll(async () => {
    await sql`insert into orders (tenant_id, ref, amount) values ('acme', 'a1', 1), ('globex', 'g1', 2), ('acme', 'a2', 3)`.execute(
      t.db.kysely,
    );
  });

  it('filter mode: two tenants in the same tick share one batch, each getting only its own rows', async () => {
    const db = t.open({
      middleware: [tenantFilter({ mode: 'filter' })],
      ...spy.options,
    }) as unknown as Database<TenantDB>;
    const orders = new BaseRepository(db, { table: 'orders' });
    await withTenant('acme', () => orders.findById(1));
    spy.clear();
    const [acme, globex] = await Promise.all([
      withTenant('acme', () => Promise.all([1, 2, 3].map((id) => orders.findById(id)))),
      withTenant('globex', () => Promise.all([1, 2, 3].map((id) => orders.findById(id)))),
    ]);
    expect(acme.map((row) => row?.ref)).toEqual(['a1', undefined, 'a2']);
    expect(globex.map((row) => row?.ref)).toEqual([undefined, 'g1', undefined]);
    expect(spy.statements).toEqual(['select * from "orders" where "id" = any($1) and "tenant_id" = any($2)']);
  });

  describe.runIf(isRealServer())('rls mode', () => {
    let app: Database<TenantDB>;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      await sql.raw(tenantPolicySql({ table: 'orders' })).execute(t.db.kysely);
      const role = await createAppRole(other<TenantDB>(), inject('databaseUrl'), t.schema, 'coalesce');
      drop = role.drop;
      app = createDatabase<TenantDB>({
        ...role.options,
        searchPath: [t.schema],
        logger: 'silent',
        middleware: [tenantFilter({ mode: 'rls' })],
        ...spy.options,
      });
    });
    afterAll(async () => {
      await app.close();
      await drop();
    });

    it('each call runs in its own transaction with its tenant set, so nothing is shared', async () => {
      const orders = new BaseRepository(app, { table: 'orders' });
      const [acme, globex] = await Promise.all([
        withTenant('acme', () => Promise.all([1, 2, 3].map((id) => orders.findById(id)))),
        withTenant('globex', () => Promise.all([1, 2, 3].map((id) => orders.findById(id)))),
      ]);
      expect(acme.map((row) => row?.ref)).toEqual(['a1', undefined, 'a2']);
      expect(globex.map((row) => row?.ref)).toEqual([undefined, 'g1', undefined]);
      expect(spy.statements.some((text) => text.includes('any('))).toBe(false);
    });
  });
});
