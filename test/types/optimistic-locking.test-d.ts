import type { Generated } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import { BaseRepository, type Database, type StaleRowError } from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';

interface DB {
  documents: { id: Generated<number>; title: string; version: Generated<number> };
}
declare const db: Database<DB>;
const docs = new BaseRepository(db, { table: 'documents', version: 'version' });

describe('optimistic locking types', () => {
  it('takes an expected version or a row read earlier', async () => {
    const read = await docs.getById(1);
    expectTypeOf(await docs.update(1, { title: 'b' }, { expectedVersion: read.version })).toEqualTypeOf(read);
    await docs.update(1, { title: 'b' }, { expected: read });
    await docs.delete(1, { expectedVersion: 3n });
    await docs.hardDelete(1, { expectedVersion: '3' });
    // @ts-expect-error a version is an integer (number, bigint or decimal string)
    await docs.update(1, { title: 'b' }, { expectedVersion: { v: 1 } });
    // @ts-expect-error expected is a row of this table
    await docs.update(1, { title: 'b' }, { expected: { nope: 1 } });
  });

  it('names a column of the table as the version', () => {
    // @ts-expect-error not a column of documents
    new BaseRepository(db, { table: 'documents', version: 'revision' });
    new InMemoryRepository<{ id: number; version: number }>({
      table: 't',
      columns: ['id', 'version'],
      version: 'version',
    });
    // @ts-expect-error not a column of the fake's row
    new InMemoryRepository<{ id: number }>({ table: 't', columns: ['id'], version: 'version' });
  });

  it('StaleRowError carries what a 409 body needs', () => {
    expectTypeOf<StaleRowError['statusCode']>().toEqualTypeOf<409>();
    expectTypeOf<StaleRowError['expectedVersion']>().toEqualTypeOf<string>();
    expectTypeOf<StaleRowError['table']>().toEqualTypeOf<string>();
  });
});
