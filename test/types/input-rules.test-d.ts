import type { Generated } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import {
  BaseRepository,
  createDatabase,
  type ManyRowsOptions,
  type Repository,
  type ValidationError,
} from '../../src/index.js';
import { type ColumnType, InMemoryRepository } from '../../src/testing/index.js';

interface DB {
  people: { id: Generated<number>; team: string | null; score: number };
}

const people = new BaseRepository(createDatabase<DB>(), { table: 'people' });

describe('input rules types', () => {
  it('updateMany takes an optional { all } opt-in', () => {
    expectTypeOf(people.updateMany).parameter(2).toEqualTypeOf<ManyRowsOptions | undefined>();
    expectTypeOf<ManyRowsOptions>().toEqualTypeOf<{ readonly all?: boolean }>();
    void people.updateMany({}, { score: 1 }, { all: true });
    // @ts-expect-error all is a boolean
    void people.updateMany({}, { score: 1 }, { all: 'yes' });
    expectTypeOf<Repository<{ id: number }, object, object, number>['updateMany']>()
      .parameter(2)
      .toEqualTypeOf<ManyRowsOptions | undefined>();
  });

  it('ValidationError names the column', () => {
    expectTypeOf<ValidationError['column']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ValidationError['issues'][number]['column']>().toEqualTypeOf<string | undefined>();
  });

  it('the fake takes PostgreSQL column types for its columns only', () => {
    interface Row {
      id: number;
      mood: string;
    }
    const mood: ColumnType = { name: 'mood', labels: ['happy', 'sad'] };
    void new InMemoryRepository<Row>({ table: 'rows', columns: ['id', 'mood'], columnTypes: { id: 'int4', mood } });
    // @ts-expect-error not a column
    void new InMemoryRepository<Row>({ table: 'rows', columns: ['id', 'mood'], columnTypes: { nope: 'int4' } });
  });
});
