import { describe, expect, it, vi } from 'vitest';

import { ConnectionError, NotFoundError, type OperationKind, OPERATIONS } from '../../src/index.js';
import { cache } from '../../src/middleware/cache/index.js';
import { gate } from '../support/async.js';
import { fakeStore, fakeTransaction, run } from './cache-fakes.js';

const setup = () => {
  const store = fakeStore();
  return { store, middleware: cache({ store, ttlSeconds: 60, keyPrefix: 'unit:' }) };
};
// Every write of the operation table: a new one is covered without editing this list.
const WRITES = (Object.keys(OPERATIONS) as OperationKind[]).filter((kind) => OPERATIONS[kind].access === 'write');

describe('cache(): writes', () => {
  it.each(WRITES)('%s outside a transaction invalidates the table once it succeeded', async (kind) => {
    const { store, middleware } = setup();
    let value = 'before';
    const read = () => run([middleware], { kind: 'findById', args: [1, undefined] }, () => value);
    await read();
    let bumpedBeforeWriteReturned = false;
    await run([middleware], { kind, args: [1] }, () => {
      value = 'after';
      bumpedBeforeWriteReturned = store.count('bumpVersion') > 0;
      return 'written';
    });
    expect(bumpedBeforeWriteReturned).toBe(false);
    expect(await read()).toBe('after');
    expect(middleware.metrics()).toEqual({ hits: 0, misses: 2, invalidations: 1, errors: 0 });
  });

  it('only invalidates the table written to', async () => {
    const { middleware } = setup();
    const orders = { table: 'orders', primaryKey: 'id', softDelete: undefined, tenantColumn: undefined };
    const execute = vi.fn(() => 'row');
    await run([middleware], { kind: 'findById', args: [1, undefined] }, execute);
    await run([middleware], { kind: 'create', args: [{}], repository: orders }, () => 'order');
    await run([middleware], { kind: 'findById', args: [1, undefined] }, execute);
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('a write that failed without writing (a library error) invalidates nothing', async () => {
    const { store, middleware } = setup();
    const failing = () => {
      throw new NotFoundError('no row', { table: 'people' });
    };
    await expect(run([middleware], { kind: 'update', args: [1, {}] }, failing)).rejects.toBeInstanceOf(NotFoundError);
    expect(store.count('bumpVersion')).toBe(0);
  });

  it('a write that failed in a way that may have written (lost connection, foreign error) still invalidates', async () => {
    const { store, middleware } = setup();
    const lost = () => {
      throw new ConnectionError('connection lost during COMMIT');
    };
    await expect(run([middleware], { kind: 'update', args: [1, {}] }, lost)).rejects.toBeInstanceOf(ConnectionError);
    await expect(
      run([middleware], { kind: 'update', args: [1, {}] }, () =>
        Promise.reject(new Error('from a middleware after the write')),
      ),
    ).rejects.toThrow();
    expect(store.count('bumpVersion')).toBe(2);
  });

  it('inside a transaction invalidates after commit, once per table, and never after rollback', async () => {
    const { store, middleware } = setup();
    let value = 'before';
    const read = () => run([middleware], { kind: 'findById', args: [1, undefined] }, () => value);
    await read();

    const committed = fakeTransaction();
    await run([middleware], { kind: 'update', args: [1, {}], transaction: committed }, () => (value = 'after'));
    await run([middleware], { kind: 'update', args: [2, {}], transaction: committed }, () => 'also');
    expect(store.count('bumpVersion')).toBe(0);
    expect(committed.pending).toBe(1);
    expect(await read()).toBe('before'); // still the committed state, as far as the cache knows
    await committed.commit();
    expect(await read()).toBe('after');

    const rolledBack = fakeTransaction();
    await run([middleware], { kind: 'update', args: [1, {}], transaction: rolledBack }, () => 'never committed');
    rolledBack.rollback();
    expect(store.count('bumpVersion')).toBe(1);
    expect(await read()).toBe('after');
    expect(middleware.metrics()).toEqual({ hits: 2, misses: 2, invalidations: 1, errors: 0 });
  });

  it('a failed write inside a transaction registers nothing', async () => {
    const { middleware } = setup();
    const transaction = fakeTransaction();
    await expect(
      run([middleware], { kind: 'create', args: [{}], transaction }, () => Promise.reject(new Error('duplicate'))),
    ).rejects.toThrow();
    expect(transaction.pending).toBe(0);
  });

  it('invalidates at once when the transaction no longer takes hooks', async () => {
    const { store, middleware } = setup();
    const ended = {
      afterCommit: () => {
        throw new Error('already ended');
      },
      afterRollback: () => {},
    };
    await expect(run([middleware], { kind: 'update', args: [1, {}], transaction: ended }, () => 'x')).resolves.toBe(
      'x',
    );
    expect(store.count('bumpVersion')).toBe(1);
  });

  it('a reader that raced a write only fills the old version: the next read misses', async () => {
    const { store, middleware } = setup();
    let value = 'old';
    const readerQueried = gate();
    const releaseReader = gate();
    // The reader reads the version, then the database (old value), then stalls before its fill.
    const reader = run([middleware], { kind: 'findById', args: [1, undefined] }, async () => {
      const seen = value;
      readerQueried.open();
      await releaseReader.promise;
      return seen;
    });
    await readerQueried.promise;
    await run([middleware], { kind: 'update', args: [1, {}] }, () => (value = 'new')); // commits and bumps
    releaseReader.open();
    expect(await reader).toBe('old'); // what it read is what it gets
    expect(store.entries.size).toBe(1); // filled, under the old version
    expect(await run([middleware], { kind: 'findById', args: [1, undefined] }, () => value)).toBe('new');
  });
});

describe('cache().invalidate(table)', () => {
  it('invalidates a table written outside the repositories, and never throws', async () => {
    const { store, middleware } = setup();
    let value = 'before';
    const read = () => run([middleware], { kind: 'count', args: [undefined, undefined] }, () => value);
    await read();
    value = 'after raw SQL';
    expect(await read()).toBe('before');
    await middleware.invalidate('people');
    expect(await read()).toBe('after raw SQL');
    store.failing.add('bumpVersion');
    await expect(middleware.invalidate('people')).resolves.toBeUndefined();
    expect(middleware.metrics()).toMatchObject({ invalidations: 1, errors: 1 });
  });
});
