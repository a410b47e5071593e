import { describe, expect, it, vi } from 'vitest';

import type { OperationKind } from '../../src/index.js';
import { cache } from '../../src/middleware/cache/index.js';
import { gate } from '../support/async.js';
import { fakeStore, fakeTransaction, peopleDescriptor, run } from './cache-fakes.js';

const setup = (extra: { tables?: string[]; varyBy?: () => unknown } = {}) => {
  const store = fakeStore();
  const middleware = cache({ store, ttlSeconds: 60, keyPrefix: 'unit:', ...extra });
  return { store, middleware };
};

const READS: Array<[OperationKind, unknown[]]> = [
  ['findById', [1, undefined]],
  ['findByIds', [[1, 2], undefined]],
  ['findOne', [{ email: 'a@x.io' }, undefined]],
  ['findMany', [{ where: { team: 'red' }, limit: 10 }]],
  ['count', [{ team: 'red' }, undefined]],
  ['paginate', [{ page: 2, pageSize: 5 }]],
];

describe('cache(): reads', () => {
  it.each(READS)('caches %s: the second identical call is a hit', async (kind, args) => {
    const { middleware } = setup();
    const execute = vi.fn(() => ({ kind, at: new Date(0) }));
    expect(await run([middleware], { kind, args }, execute)).toEqual({ kind, at: new Date(0) });
    expect(await run([middleware], { kind, args }, execute)).toEqual({ kind, at: new Date(0) });
    expect(execute).toHaveBeenCalledTimes(1);
    expect(middleware.metrics()).toEqual({ hits: 1, misses: 1, invalidations: 0, errors: 0 });
  });

  it.each<OperationKind>(['exists', 'paginateByCursor', 'stream'])('never caches %s', async (kind) => {
    const { store, middleware } = setup();
    const execute = vi.fn(() => true);
    await run([middleware], { kind, args: [{}] }, execute);
    await run([middleware], { kind, args: [{}] }, execute);
    expect(execute).toHaveBeenCalledTimes(2);
    expect(store.calls).toEqual([]);
  });

  it('caches a "not found" (undefined) too', async () => {
    const { middleware } = setup();
    const execute = vi.fn(() => undefined);
    await run([middleware], { kind: 'findById', args: [404, undefined] }, execute);
    expect(await run([middleware], { kind: 'findById', args: [404, undefined] }, execute)).toBeUndefined();
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('keys on kind, arguments, scope, repository settings and varyBy', async () => {
    let tenant = 'a';
    const { store, middleware } = setup({ varyBy: () => tenant });
    const execute = vi.fn(() => 'row');
    await run([middleware], { kind: 'findById', args: [1, undefined] }, execute);
    await run([middleware], { kind: 'findById', args: ['1', undefined] }, execute); // '1' is not 1
    await run([middleware], { kind: 'findById', args: [1, { withDeleted: true }] }, execute);
    await run([middleware], { kind: 'findOne', args: [1, undefined] }, execute);
    await run([middleware], { kind: 'findById', args: [1, undefined], scope: { team: 'red' } }, execute);
    await run([middleware], { kind: 'findById', args: [1, undefined], scope: { team: 'blue' } }, execute);
    await run(
      [middleware],
      { kind: 'findById', args: [1, undefined], repository: { ...peopleDescriptor, softDelete: undefined } },
      execute,
    );
    tenant = 'b';
    await run([middleware], { kind: 'findById', args: [1, undefined] }, execute);
    expect(execute).toHaveBeenCalledTimes(8);
    expect(new Set(store.entries.keys()).size).toBe(8);
    tenant = 'a';
    await run([middleware], { kind: 'findById', args: [1, undefined], scope: { team: 'red' } }, execute);
    expect(execute).toHaveBeenCalledTimes(8);
  });

  it('keys every operator filter apart, and the same filter in any key order together', async () => {
    const { middleware } = setup();
    const execute = vi.fn(() => 3);
    const filters: unknown[] = [
      { score: 1 },
      { score: { eq: 1 } },
      { score: { gt: 1 } },
      { score: { gte: 1 } },
      { score: { between: [1, 2] } },
      { score: { between: [2, 1] } },
      { score: { in: [1, 2] } },
      { score: { notIn: [1, 2] } },
      { team: { like: 'r%' } },
      { team: { ilike: 'r%' } },
      { team: { contains: 'r%' } },
      { team: { startsWith: 'r%' } },
      { team: { isNull: true } },
      { team: { isNull: false } },
      { OR: [{ team: 'red' }, { score: 1 }] },
      { AND: [{ team: 'red' }, { score: 1 }] },
      { NOT: { OR: [{ team: 'red' }, { score: 1 }] } },
      { OR: [{ team: 'red' }, { score: { gte: new Date(0) } }] },
      { OR: [{ team: 'red' }, { score: { gte: new Date(1) } }] },
    ];
    for (const filter of filters) await run([middleware], { kind: 'count', args: [filter, undefined] }, execute);
    expect(execute).toHaveBeenCalledTimes(filters.length);
    const reordered = { OR: [{ score: { lte: 2, gte: 1 } }, { team: 'red' }], NOT: { team: null } };
    await run([middleware], { kind: 'count', args: [reordered, undefined] }, execute);
    await run(
      [middleware],
      {
        kind: 'count',
        args: [{ NOT: { team: null }, OR: [{ score: { gte: 1, lte: 2 } }, { team: 'red' }] }, undefined],
      },
      execute,
    );
    expect(execute).toHaveBeenCalledTimes(filters.length + 1);
  });

  it('lays keys out as <prefix>e:<table>:<version>:<kind>:<digest>, versions as <prefix>v:<table>', async () => {
    const { store, middleware } = setup();
    await run([middleware], { kind: 'findById', args: [1, undefined] }, () => 'row');
    expect([...store.versions.keys()]).toEqual(['unit:v:people']);
    expect([...store.entries.keys()][0]).toMatch(/^unit:e2:people:v1:findById:[A-Za-z0-9_-]{43}$/);
  });

  it('does not cache calls whose arguments cannot be keyed reliably', async () => {
    const { store, middleware } = setup();
    class Opaque {}
    const execute = vi.fn(() => 'row');
    await run([middleware], { kind: 'findOne', args: [{ email: new Opaque() }, undefined] }, execute);
    await run([middleware], { kind: 'findOne', args: [{ email: new Opaque() }, undefined] }, execute);
    expect(execute).toHaveBeenCalledTimes(2);
    expect(store.calls).toEqual([]);
  });

  it('only caches the tables it is given', async () => {
    const { store, middleware } = setup({ tables: ['orders'] });
    const execute = vi.fn(() => 'row');
    await run([middleware], { kind: 'findById', args: [1, undefined] }, execute);
    await run([middleware], { kind: 'findById', args: [1, undefined] }, execute);
    await run([middleware], { kind: 'update', args: [1, {}] }, execute);
    expect(execute).toHaveBeenCalledTimes(3);
    expect(store.calls).toEqual([]);
  });

  it('inside a transaction neither reads nor fills the cache', async () => {
    const { store, middleware } = setup();
    const transaction = fakeTransaction();
    const execute = vi.fn(() => 'uncommitted view');
    await run([middleware], { kind: 'findById', args: [1, undefined], transaction }, execute);
    await run([middleware], { kind: 'findById', args: [1, undefined], transaction }, execute);
    expect(execute).toHaveBeenCalledTimes(2);
    expect(store.calls).toEqual([]);
    expect(middleware.metrics()).toEqual({ hits: 0, misses: 0, invalidations: 0, errors: 0 });
  });

  it('returns independent copies: mutating a result never changes the next hit', async () => {
    const { middleware } = setup();
    const original = { id: 1, at: new Date(1_000), tags: ['a'] };
    const first = (await run(
      [middleware],
      { kind: 'findById', args: [1, undefined] },
      () => original,
    )) as typeof original;
    first.tags.push('mutated by the first caller');
    first.at.setTime(0);
    const second = (await run(
      [middleware],
      { kind: 'findById', args: [1, undefined] },
      () => original,
    )) as typeof original;
    expect(second).toEqual({ id: 1, at: new Date(1_000), tags: ['a'] });
    expect(second.at).toBeInstanceOf(Date);
    second.tags.length = 0;
    expect(await run([middleware], { kind: 'findById', args: [1, undefined] }, () => original)).toEqual({
      id: 1,
      at: new Date(1_000),
      tags: ['a'],
    });
  });

  it('runs one query for concurrent identical misses, and gives every caller its own copy', async () => {
    for (const async of [false, true]) {
      const { store, middleware } = setup();
      store.async = async;
      const open = gate();
      const execute = vi.fn(async () => {
        await open.promise;
        return { id: 1, at: new Date(0) };
      });
      const calls = Array.from({ length: 10 }, () =>
        run([middleware], { kind: 'findById', args: [1, undefined] }, execute),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
      open.open();
      const rows = await Promise.all(calls);
      expect(execute).toHaveBeenCalledTimes(1);
      expect(new Set(rows).size).toBe(10);
      for (const row of rows) expect(row).toEqual({ id: 1, at: new Date(0) });
      expect(middleware.metrics()).toMatchObject({ hits: 9, misses: 1 });
    }
  });
});
