import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import { BaseRepository, createDatabase, type Page, type Repository } from '../../src/index.js';

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
const users = new BaseRepository(db, {
  table: 'users',
  softDelete: 'deleted_at',
  timestamps: { createdAt: 'created_at' },
});
const tags = new BaseRepository<DB, 'tags', undefined, 'slug'>(db, { table: 'tags', primaryKey: 'slug' });

describe('BaseRepository types', () => {
  it('returns Selectable rows and takes the primary key type', () => {
    expectTypeOf(users.findById(1)).toEqualTypeOf<Promise<Selectable<UsersTable> | undefined>>();
    expectTypeOf(users.getById).parameter(0).toEqualTypeOf<number>();
    expectTypeOf(tags.getById).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(users.paginate()).toEqualTypeOf<Promise<Page<Selectable<UsersTable>>>>();
    expectTypeOf(users.count()).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error the id is a number
    void users.findById('1');
  });

  it('checks where keys and value types', () => {
    void users.findMany({ where: { team: 'core', email: ['a@x.io', 'b@x.io'] } });
    void users.findMany({ where: { team: null } });
    // @ts-expect-error unknown column
    void users.findMany({ where: { name: 'ada' } });
    // @ts-expect-error wrong value type
    void users.findOne({ email: 42 });
    // @ts-expect-error email is not nullable
    void users.findOne({ email: null });
  });

  it('checks orderBy columns', () => {
    void users.findMany({ orderBy: 'email' });
    void users.findMany({ orderBy: [{ column: 'created_at', direction: 'desc' }, 'email'] });
    // @ts-expect-error unknown column
    void users.findMany({ orderBy: 'password' });
    // @ts-expect-error not a direction
    void users.findMany({ orderBy: { column: 'email', direction: 'up' } });
  });

  it('types create and update input from Insertable and Updateable', () => {
    expectTypeOf(users.create).parameter(0).toEqualTypeOf<Insertable<UsersTable>>();
    expectTypeOf(users.update).parameter(1).toEqualTypeOf<Updateable<UsersTable>>();
    void users.create({ email: 'a@x.io' });
    // @ts-expect-error email is required
    void users.create({ team: 'core' });
    // @ts-expect-error wrong type
    void users.create({ email: 1 });
    // @ts-expect-error created_at cannot be updated (ColumnType update type never)
    void users.update(1, { created_at: new Date() });
  });

  it('offers restore and withDeleted only with a soft-delete column', () => {
    expectTypeOf(users.restore(1)).toEqualTypeOf<Promise<Selectable<UsersTable>>>();
    void users.findById(1, { withDeleted: true });
    // @ts-expect-error tags has no soft-delete column
    void tags.restore('x');
    // @ts-expect-error withDeleted would pretend to work
    void tags.findById('x', { withDeleted: true });
  });

  it('implements the shared Repository interface', () => {
    expectTypeOf(users).toMatchTypeOf<
      Repository<Selectable<UsersTable>, Insertable<UsersTable>, Updateable<UsersTable>, number, true>
    >();
    expectTypeOf(tags).toMatchTypeOf<
      Repository<Selectable<TagsTable>, Insertable<TagsTable>, Updateable<TagsTable>, string, false>
    >();
  });

  it('gives subclasses a typed, scoped query builder', () => {
    class UserRepository extends BaseRepository<DB, 'users', 'deleted_at'> {
      constructor() {
        super(db, { table: 'users', softDelete: 'deleted_at' });
      }
      byDomain(domain: string) {
        return this.query().where('email', 'like', `%@${domain}`).execute();
      }
      wrong() {
        // @ts-expect-error unknown column in a custom finder
        return this.query().where('nope', '=', 1);
      }
    }
    expectTypeOf(new UserRepository().byDomain('x.io')).toEqualTypeOf<Promise<Selectable<UsersTable>[]>>();
  });

  it('rejects option columns the table does not have', () => {
    // @ts-expect-error no such column
    new BaseRepository(db, { table: 'users', softDelete: 'removed_at' });
    // @ts-expect-error no such table
    new BaseRepository(db, { table: 'accounts' });
  });
});
