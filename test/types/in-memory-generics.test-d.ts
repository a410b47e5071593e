import { describe, expectTypeOf, it } from 'vitest';

import type { Repository } from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';

interface Row {
  slug: string;
  label: string;
  deleted_at: Date | null;
}
type Insert = { slug: string; label: string };
type Update = { label?: string };

describe('InMemoryRepository generic parameters', () => {
  it('follow Repository<Row, Insert, Update, Id, SoftDeletable>', () => {
    expectTypeOf<InMemoryRepository<Row, Insert, Update, string, true>>().toExtend<
      Repository<Row, Insert, Update, string, true>
    >();
    expectTypeOf<InMemoryRepository<Row, Insert, Update, string, false>>().toExtend<
      Repository<Row, Insert, Update, string, false>
    >();
    // The fourth parameter is the id, the fifth soft delete: the old order no longer compiles.
    // @ts-expect-error `true` is not the id type and `string` is not a boolean
    expectTypeOf<InMemoryRepository<Row, Insert, Update, true, string>>().toBeObject();
  });

  it('keeps the defaults: id from the row, no soft delete', () => {
    type Tag = { id: number; name: string };
    expectTypeOf<InMemoryRepository<Tag>>().toEqualTypeOf<
      InMemoryRepository<Tag, Partial<Tag>, Partial<Tag>, number, false>
    >();
    expectTypeOf<InMemoryRepository<Tag>>().toExtend<Repository<Tag, Partial<Tag>, Partial<Tag>, number, false>>();
  });

  it('types the id of reads and restore by the fourth parameter', () => {
    const tags = new InMemoryRepository<Row, Insert, Update, string, true>({
      table: 'tags',
      columns: ['slug', 'label', 'deleted_at'],
      primaryKey: 'slug',
      softDelete: 'deleted_at',
    });
    expectTypeOf(tags.findById).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(tags.restore('a')).toEqualTypeOf<Promise<Row>>();
    // @ts-expect-error the id is a string
    void tags.findById(1);

    const plain = new InMemoryRepository<Row, Insert, Update, string>({ table: 'tags', columns: ['slug', 'label'] });
    // @ts-expect-error restore needs SoftDeletable = true
    void plain.restore('a');
  });
});
