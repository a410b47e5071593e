import { describe, expect, it } from 'vitest';

import {
  argumentOf,
  type OperationDefinition,
  type OperationKind,
  OPERATIONS,
  type RepositoryOperation,
} from '../../src/index.js';
import { cache } from '../../src/middleware/cache/index.js';
import { fakeStore, peopleDescriptor, run } from './cache-fakes.js';

const kinds = Object.keys(OPERATIONS) as OperationKind[];

describe('the operation table', () => {
  it('names each operation once, with the reads and writes the repositories implement', () => {
    expect(kinds.filter((kind) => OPERATIONS[kind].access === 'read')).toEqual([
      'findById',
      'findByIds',
      'findOne',
      'findMany',
      'count',
      'exists',
      'paginate',
      'paginateByCursor',
      'stream',
    ]);
    expect(kinds.filter((kind) => OPERATIONS[kind].access === 'write')).toEqual([
      'create',
      'createMany',
      'update',
      'updateMany',
      'upsert',
      'delete',
      'hardDelete',
      'restore',
    ]);
    expect(kinds.filter((kind) => 'input' in OPERATIONS[kind])).toEqual(['create', 'createMany', 'upsert']);
  });

  it('finds an argument by its meaning', () => {
    expect(argumentOf('updateMany', [{ team: 'red' }, { name: 'x' }], 'where')).toEqual({ team: 'red' });
    expect(argumentOf('update', [1, { name: 'x' }], 'patch')).toEqual({ name: 'x' });
    expect(argumentOf('findMany', [{}], 'where')).toBeUndefined();
  });

  it.each(kinds.filter((kind) => OPERATIONS[kind].access === 'write'))(
    'the cache invalidates after %s because the table says it writes',
    async (kind) => {
      const store = fakeStore();
      const middleware = cache({ store, ttlSeconds: 60, keyPrefix: 'unit:' });
      await run([middleware], { kind, args: [1] }, () => 'written');
      expect(store.count('bumpVersion')).toBe(1);
    },
  );

  // The defect: the cache kept its own list of writes, so a write kind it did not know
  // skipped invalidation. Now the operation's definition decides.
  it('a write the cache has never heard of still invalidates', async () => {
    const store = fakeStore();
    const middleware = cache({ store, ttlSeconds: 60, keyPrefix: 'unit:' });
    const definition: OperationDefinition = { access: 'write', args: ['id'], targets: 'id' };
    const operation = {
      kind: 'archive' as OperationKind,
      definition,
      table: peopleDescriptor.table,
      args: [1],
      repository: peopleDescriptor,
      scope: {},
      transaction: undefined,
      session: undefined,
    } satisfies RepositoryOperation;
    await middleware.handle(operation, () => Promise.resolve('archived'));
    expect(store.count('bumpVersion')).toBe(1);
  });
});
