import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import {
  BaseRepository,
  createDatabase,
  type IdOf,
  type InsertOf,
  type Repository,
  type RowOf,
  type UpdateOf,
} from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';

interface UsersTable {
  id: Generated<number>;
  email: string;
  team: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  deleted_at: Date | null;
}
interface TagsTable {
  slug: string;
  label: string;
}
interface DB {
  users: UsersTable;
  tags: TagsTable;
}

const db = createDatabase<DB>();
const users = new BaseRepository(db, { table: 'users', softDelete: 'deleted_at' });

describe('row type helpers', () => {
  it('are the Kysely row types of the table', () => {
    expectTypeOf<RowOf<DB, 'users'>>().toEqualTypeOf<Selectable<UsersTable>>();
    expectTypeOf<InsertOf<DB, 'users'>>().toEqualTypeOf<Insertable<UsersTable>>();
    expectTypeOf<UpdateOf<DB, 'users'>>().toEqualTypeOf<Updateable<UsersTable>>();
    expectTypeOf<IdOf<DB, 'tags', 'slug'>>().toEqualTypeOf<string>();
  });

  it('unwrap generated and update-only column types', () => {
    expectTypeOf<RowOf<DB, 'users'>>().toEqualTypeOf<{
      id: number;
      email: string;
      team: string | null;
      created_at: Date;
      deleted_at: Date | null;
    }>();
    expectTypeOf<InsertOf<DB, 'users'>['id']>().toEqualTypeOf<number | undefined>();
    // @ts-expect-error created_at is typed never on update, so it is not part of the patch
    expectTypeOf<UpdateOf<DB, 'users'>>().toHaveProperty('created_at');
    // @ts-expect-error only tables of DB
    expectTypeOf<RowOf<DB, 'nope'>>().toBeObject();
  });

  it('are what the repository reads, creates and updates', () => {
    expectTypeOf(users.findById(1)).toEqualTypeOf<Promise<RowOf<DB, 'users'> | undefined>>();
    expectTypeOf(users.create).parameter(0).toEqualTypeOf<InsertOf<DB, 'users'>>();
    expectTypeOf(users.update).parameter(1).toEqualTypeOf<UpdateOf<DB, 'users'>>();
    expectTypeOf(users).toExtend<
      Repository<RowOf<DB, 'users'>, InsertOf<DB, 'users'>, UpdateOf<DB, 'users'>, IdOf<DB, 'users', 'id'>, true>
    >();
  });

  it('type an in-memory fake of the same table', () => {
    const fake = new InMemoryRepository<RowOf<DB, 'users'>, InsertOf<DB, 'users'>, UpdateOf<DB, 'users'>, number, true>(
      { table: 'users', columns: ['id', 'email', 'team', 'created_at', 'deleted_at'], softDelete: 'deleted_at' },
    );
    expectTypeOf(fake.restore(1)).toEqualTypeOf<Promise<RowOf<DB, 'users'>>>();
  });
});
