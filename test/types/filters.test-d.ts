import type { Generated } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import { BaseRepository, type ColumnFilter, createDatabase, type Where } from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';

interface TasksTable {
  id: Generated<number>;
  title: string;
  status: 'open' | 'closed';
  priority: number;
  done: boolean;
  owner: string | null;
  due: Date | null;
  big: bigint;
  doc: { tags: string[] } | null;
  meta: unknown;
}
interface DB {
  tasks: TasksTable;
}

const db = createDatabase<DB>();
const tasks = new BaseRepository(db, { table: 'tasks' });

describe('where operators are typed by column', () => {
  it('accepts the operators of each column type', () => {
    void tasks.findMany({
      where: {
        priority: { gte: 1, lt: 5 },
        title: { contains: 'a', startsWith: 'b', like: 'c%', ilike: '%d' },
        status: { in: ['open'], ne: 'closed' },
        owner: { isNull: false, notIn: ['ada'] },
        due: { between: [new Date(0), new Date()] },
        big: { gt: 10n },
        done: { eq: true },
        doc: { eq: { tags: ['x'] } },
      },
    });
    void tasks.count({ OR: [{ status: 'open' }, { priority: { gte: 3 } }], NOT: { owner: null } });
    void tasks.exists({ AND: [{ done: false }, { OR: [{ title: { contains: 'x' } }, { due: null }] }] });
    void tasks.updateMany({ priority: { lte: 0 } }, { done: true });
    void tasks.findOne({ meta: { eq: { any: 'thing' } } });
  });

  it('refuses an operator the column type does not have', () => {
    // @ts-expect-error no range on a boolean
    void tasks.findMany({ where: { done: { gt: true } } });
    // @ts-expect-error no like on a number
    void tasks.findMany({ where: { priority: { like: '1%' } } });
    // @ts-expect-error no contains on a date
    void tasks.count({ due: { contains: '2024' } });
    // @ts-expect-error no between on a boolean
    void tasks.count({ done: { between: [false, true] } });
    // @ts-expect-error isNull only on nullable columns
    void tasks.count({ title: { isNull: true } });
    // @ts-expect-error unknown operator
    void tasks.count({ priority: { greater: 1 } });
    // @ts-expect-error $-prefixed operators do not exist
    void tasks.count({ priority: { $gt: 1 } });
  });

  it('types operands by the column', () => {
    // @ts-expect-error in takes an array of the column's type
    void tasks.count({ priority: { in: ['1'] } });
    // @ts-expect-error in takes an array
    void tasks.count({ priority: { in: 1 } });
    // @ts-expect-error not a status
    void tasks.count({ status: { in: ['archived'] } });
    // @ts-expect-error between takes a pair
    void tasks.count({ priority: { between: [1] } });
    // @ts-expect-error gt takes the column's type
    void tasks.count({ due: { gt: 5 } });
    // @ts-expect-error eq null: use isNull
    void tasks.count({ owner: { eq: null } });
    // @ts-expect-error a json object is compared through eq, not as a bare object
    void tasks.count({ doc: { tags: ['x'] } });
  });

  it('checks columns inside AND, OR and NOT', () => {
    // @ts-expect-error unknown column inside OR
    void tasks.count({ OR: [{ nope: 1 }] });
    // @ts-expect-error NOT takes one filter, not a list
    void tasks.count({ NOT: [{ done: true }] });
    // @ts-expect-error OR takes a list
    void tasks.count({ OR: { done: true } });
  });

  it('exports the filter types, which the fake accepts too', () => {
    expectTypeOf<ColumnFilter<number>>().toMatchTypeOf<ColumnFilter<number>>();
    const priority: ColumnFilter<number> = { between: [1, 3] };
    const where: Where<{ id: number; title: string }> = { title: { startsWith: 'a' }, id: priority };
    const fake = new InMemoryRepository<{ id: number; title: string }>({ table: 't', columns: ['id', 'title'] });
    void fake.findMany({ where });
    // @ts-expect-error no like on a number in the fake either
    void fake.count({ id: { like: '1' } });
  });
});
