import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  BaseRepository,
  type RepositoryMiddleware,
  StatementTimeoutError,
  tenantFilter,
  withTenant,
} from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { hasConcurrentSessions, useTestDatabase } from '../../support/test-database.js';

/** Keyed by (tenant, id): the same id exists in several tenants, as with a composite key. */
interface DocsDB {
  docs: { tenant_id: string; id: number; label: string; deleted_at: Date | null };
  ranked: { tenant_no: number; id: number; label: string };
}

const TENANTS = ['acme', 'globex', 'initech'] as const;
const spy = statementSpy();
const t = useTestDatabase<DocsDB>('coalesce_tenants', {
  ...spy.options,
  middleware: [tenantFilter({ mode: 'filter' })],
});
let docs: BaseRepository<DocsDB, 'docs', 'deleted_at'>;
/** The same table without coalescing: what each caller's own call returns. */
let alone: BaseRepository<DocsDB, 'docs', 'deleted_at'>;
const batched = () => spy.statements.filter((text) => text.includes('any($1)'));

beforeAll(async () => {
  await sql`
    create table docs (tenant_id text not null, id int not null, label text not null, deleted_at timestamptz, primary key (tenant_id, id));
    insert into docs (tenant_id, id, label, deleted_at) values
      ('acme', 1, 'acme 1', null), ('globex', 1, 'globex 1', null), ('initech', 1, 'initech 1', now()),
      ('acme', 2, 'acme 2', null), ('initech', 2, 'initech 2', null),
      ('globex', 3, 'globex 3', null), ('acme', 4, 'acme 4', now()), ('globex', 4, 'globex 4', null);
    create table ranked (tenant_no int not null, id int not null, label text not null, primary key (tenant_no, id));
    insert into ranked values (1, 1, 'one 1'), (10, 1, 'ten 1'), (1, 2, 'one 2');
  `.execute(t.db.kysely);
  const options = { table: 'docs', primaryKey: 'id', softDelete: 'deleted_at' } as const;
  docs = new BaseRepository(t.db, options);
  alone = new BaseRepository(t.db, { ...options, coalesce: false });
  await withTenant('acme', () => Promise.all([docs.findById(1), alone.findById(1)])); // loads the catalog
});
beforeEach(() => spy.clear());

type Call = { tenant: string; id: number; withDeleted?: boolean };
const inTenant = (repository: typeof docs, call: Call) =>
  withTenant(call.tenant, () => repository.findById(call.id, call.withDeleted ? { withDeleted: true } : undefined));
async function separately(calls: readonly Call[]) {
  const rows = [];
  for (const call of calls) rows.push(await inTenant(alone, call));
  return rows;
}

describe('findById batches across tenants (filter mode)', () => {
  it('interleaved tenants asking for the same ids: one statement, each caller only its own tenant row', async () => {
    const calls: Call[] = [
      { tenant: 'acme', id: 1 },
      { tenant: 'globex', id: 1 },
      { tenant: 'initech', id: 1 }, // soft-deleted in initech
      { tenant: 'globex', id: 2 }, // only acme and initech have 2
      { tenant: 'acme', id: 2 },
      { tenant: 'initech', id: 3 }, // only globex has 3
      { tenant: 'acme', id: 4 }, // soft-deleted in acme, present in globex
      { tenant: 'globex', id: 4 },
      { tenant: 'acme', id: 1 }, // duplicate
    ];
    const together = await Promise.all(calls.map((call) => inTenant(docs, call)));
    expect(batched()).toEqual([
      'select * from "docs" where "id" = any($1) and "tenant_id" = any($2) and "deleted_at" is null',
    ]);
    expect(together.map((row) => row?.label)).toEqual([
      'acme 1',
      'globex 1',
      undefined,
      undefined,
      'acme 2',
      undefined,
      undefined,
      'globex 4',
      'acme 1',
    ]);
    expect(together).toEqual(await separately(calls));
    expect(together[0]).not.toBe(together[8]); // one object per caller
  });

  it('withDeleted and plain reads of several tenants: one statement per shape, right rows', async () => {
    const calls: Call[] = [
      { tenant: 'initech', id: 1, withDeleted: true },
      { tenant: 'acme', id: 4, withDeleted: true },
      { tenant: 'globex', id: 1, withDeleted: true },
      { tenant: 'initech', id: 1 },
      { tenant: 'acme', id: 4 },
    ];
    const together = await Promise.all(calls.map((call) => inTenant(docs, call)));
    expect(together.map((row) => row?.label)).toEqual(['initech 1', 'acme 4', 'globex 1', undefined, undefined]);
    expect(together).toEqual(await separately(calls));
    expect(new Set(batched())).toEqual(
      new Set([
        'select * from "docs" where "id" = any($1) and "tenant_id" = any($2)',
        'select * from "docs" where "id" = any($1) and "tenant_id" = any($2) and "deleted_at" is null',
      ]),
    );
  });

  it('matches separate calls and never hands out another tenant row, for any interleaving (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            tenant: fc.constantFrom(...TENANTS),
            id: fc.integer({ min: 0, max: 5 }),
            withDeleted: fc.boolean(),
          }),
          { minLength: 1, maxLength: 24 },
        ),
        async (calls) => {
          const together = await Promise.all(calls.map((call) => inTenant(docs, call)));
          together.forEach((row, index) => {
            if (row !== undefined) expect([row.tenant_id, row.id]).toEqual([calls[index]?.tenant, calls[index]?.id]);
          });
          expect(together).toEqual(await separately(calls));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('runs the middleware once per call with its own tenant, above the batch', async () => {
    const seen: unknown[] = [];
    const counting: RepositoryMiddleware = {
      name: 'counting',
      handle: async (operation, next) => {
        seen.push([operation.scope, operation.args[0]]);
        const row = (await next()) as { label: string } | undefined;
        return row === undefined ? 'none' : row.label.toUpperCase();
      },
    };
    const watched = new BaseRepository(t.db, { table: 'docs', primaryKey: 'id', middleware: [counting] });
    const rows = await Promise.all([
      withTenant('globex', () => watched.findById(1)),
      withTenant('acme', () => watched.findById(3)),
      withTenant('acme', () => watched.findById(1)),
    ]);
    expect(rows).toEqual(['GLOBEX 1', 'none', 'ACME 1']);
    expect(seen).toEqual([
      [{ tenant_id: 'globex' }, 1],
      [{ tenant_id: 'acme' }, 3],
      [{ tenant_id: 'acme' }, 1],
    ]);
    expect(batched()).toHaveLength(1);
  });

  it('an integer tenant column: 1, 10 and "1" are told apart exactly as the server does', async () => {
    const ranked = new BaseRepository<DocsDB, 'ranked'>(t.db, {
      table: 'ranked',
      primaryKey: 'id',
      tenantColumn: 'tenant_no',
    });
    const calls: Array<[number | string, number]> = [
      [1, 1],
      [10, 1],
      ['1', 2],
      [10, 2],
      ['10', 1],
    ];
    const rows = await Promise.all(calls.map(([tenant, id]) => withTenant(tenant, () => ranked.findById(id))));
    expect(rows.map((row) => row?.label)).toEqual(['one 1', 'ten 1', 'one 2', undefined, 'ten 1']);
    expect(batched()).toEqual(['select * from "ranked" where "id" = any($1) and "tenant_no" = any($2)']);
  });

  it('a tenant value the column refuses fails only its own callers', async () => {
    const ranked = new BaseRepository<DocsDB, 'ranked'>(t.db, {
      table: 'ranked',
      primaryKey: 'id',
      tenantColumn: 'tenant_no',
    });
    const outOfRange = 2 ** 40; // a safe integer, but no int4
    const results = await Promise.allSettled([
      withTenant(1, () => ranked.findById(1)),
      withTenant(outOfRange, () => ranked.findById(1)),
      withTenant(10, () => ranked.findById(1)),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { label: 'one 1' } });
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { label: 'ten 1' } });
    expect(results[1]).toMatchObject({ status: 'rejected' });
  });

  it.runIf(hasConcurrentSessions())('a statement error reaches every caller of every tenant in the batch', async () => {
    const timed = t.open({ statementTimeoutMs: 300, ...spy.options, middleware: [tenantFilter({ mode: 'filter' })] });
    const repository = new BaseRepository(timed, { table: 'docs', primaryKey: 'id' });
    await withTenant('acme', () => repository.findById(1));
    spy.clear();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const locking = t.db.transaction(async () => {
      await sql`lock table docs in access exclusive mode`.execute(t.db.kysely);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const results = await Promise.allSettled(
      (['acme', 'globex', 'initech'] as const).map((tenant) => withTenant(tenant, () => repository.findById(1))),
    );
    release();
    await locking;
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(StatementTimeoutError);
    }
    expect(batched()).toEqual(['select * from "docs" where "id" = any($1) and "tenant_id" = any($2)']);
  });
});
