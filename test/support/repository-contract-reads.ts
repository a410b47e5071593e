import { beforeEach, describe, expect, it } from 'vitest';

import { NotFoundError, ValidationError } from '../../src/errors/index.js';
import type { OrderBy } from '../../src/repository/order-by.js';
import type { Where } from '../../src/repository/where-filter.js';
import {
  caught,
  collect,
  type ContractContext,
  type ContractRepository,
  type ContractRow,
  idsOf,
  MISSING_ID,
  namesOf,
  person,
  sortedIds,
} from './repository-contract.js';

/** Reads: create and read, filters, ordering, both paginations, streaming. */
export function readContract(context: ContractContext): void {
  let repo: ContractRepository;
  beforeEach(() => {
    repo = context.repository();
  });

  /** Pages of `paginateByCursor` until the last one. */
  async function walk(options: {
    limit: number;
    orderBy?: OrderBy<ContractRow>;
    where?: Where<ContractRow>;
  }): Promise<ContractRow[][]> {
    const pages: ContractRow[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await repo.paginateByCursor({ ...options, after });
      pages.push(page.items);
      if (!page.hasNextPage) return pages;
      after = page.nextCursor;
      expect(pages.length).toBeLessThan(100);
    }
  }

  describe('create and read', () => {
    it('create returns the row with column defaults and timestamps', async () => {
      const created = await repo.create(person('ann'));
      expect(created).toMatchObject({ email: 'ann@example.com', name: 'ann', score: 0, team: null, deleted_at: null });
      expect(typeof created.id).toBe('number');
      expect(created.created_at).toBeInstanceOf(Date);
      expect(created.updated_at).toBeInstanceOf(Date);
    });

    it('create keeps the optional columns it is given', async () => {
      const createdAt = new Date('2020-01-02T03:04:05.000Z');
      const created = await repo.create(person('ann', { score: 7, team: 'red', created_at: createdAt }));
      expect(created).toMatchObject({ score: 7, team: 'red', created_at: createdAt });
    });

    it('round-trips create, read, update and delete', async () => {
      const created = await repo.create(person('ann'));
      expect(await repo.getById(created.id)).toEqual(created);
      expect(await repo.findById(created.id)).toEqual(created);
      const updated = await repo.update(created.id, { name: 'anna' });
      expect(await repo.getById(created.id)).toEqual(updated);
      await repo.delete(created.id);
      expect(await repo.findById(created.id)).toBeUndefined();
    });

    it('getById throws NotFoundError for a missing id', async () => {
      await caught(repo.getById(MISSING_ID), NotFoundError);
    });

    it('findById returns undefined for a missing id', async () => {
      expect(await repo.findById(MISSING_ID)).toBeUndefined();
    });

    it('findByIds returns the rows that exist and ignores missing ids', async () => {
      const [ann, bob] = await repo.createMany([person('ann'), person('bob'), person('cat')]);
      const found = await repo.findByIds([bob!.id, MISSING_ID, ann!.id]);
      expect(sortedIds(found)).toEqual([ann!.id, bob!.id].sort((a, b) => a - b));
    });

    it('findByIds with no ids returns no rows', async () => {
      await repo.create(person('ann'));
      expect(await repo.findByIds([])).toEqual([]);
    });
  });

  describe('where filters', () => {
    let ann: ContractRow, bob: ContractRow, cat: ContractRow, dan: ContractRow;
    beforeEach(async () => {
      [ann, bob, cat, dan] = (await repo.createMany([
        person('ann', { team: 'red', score: 3 }),
        person('bob', { team: 'blue', score: 1 }),
        person('cat', { team: null, score: 2 }),
        person('dan', { team: 'red', score: 5 }),
      ])) as [ContractRow, ContractRow, ContractRow, ContractRow];
    });

    it('a value means equality', async () => {
      expect(namesOf(await repo.findMany({ where: { team: 'red' } }))).toEqual(['ann', 'dan']);
    });

    it('an array means IN', async () => {
      expect(namesOf(await repo.findMany({ where: { name: ['bob', 'dan', 'zed'] } }))).toEqual(['bob', 'dan']);
    });

    it('null means IS NULL', async () => {
      expect(namesOf(await repo.findMany({ where: { team: null } }))).toEqual(['cat']);
    });

    it('several columns must all match', async () => {
      expect(namesOf(await repo.findMany({ where: { team: 'red', score: 5 } }))).toEqual(['dan']);
    });

    it('findOne returns the first match in the default order', async () => {
      expect((await repo.findOne({ team: 'red' }))?.id).toBe(ann.id);
      expect((await repo.findOne({ team: ['blue', 'red'] }))?.id).toBe(ann.id);
    });

    it('findOne returns undefined when nothing matches', async () => {
      expect(await repo.findOne({ team: 'green' })).toBeUndefined();
    });

    it('count and exists apply the filter', async () => {
      expect(await repo.count()).toBe(4);
      expect(await repo.count({ team: 'red' })).toBe(2);
      expect(await repo.count({ team: 'green' })).toBe(0);
      expect(await repo.exists({ email: 'bob@example.com' })).toBe(true);
      expect(await repo.exists({ email: 'zed@example.com' })).toBe(false);
    });

    it('the default order is by id ascending', async () => {
      expect(idsOf(await repo.findMany())).toEqual([ann.id, bob.id, cat.id, dan.id]);
    });
  });

  describe('order, limit and offset', () => {
    beforeEach(async () => {
      await repo.createMany([
        person('ann', { score: 3 }),
        person('bob', { score: 1 }),
        person('cat', { score: 4 }),
        person('dan', { score: 2 }),
      ]);
    });

    it('orders descending', async () => {
      expect(namesOf(await repo.findMany({ orderBy: { column: 'score', direction: 'desc' } }))).toEqual([
        'cat',
        'ann',
        'dan',
        'bob',
      ]);
    });

    it('applies limit and offset after ordering', async () => {
      expect(namesOf(await repo.findMany({ orderBy: 'score', limit: 2, offset: 1 }))).toEqual(['dan', 'ann']);
      expect(namesOf(await repo.findMany({ orderBy: 'score', offset: 3 }))).toEqual(['cat']);
      expect(await repo.findMany({ limit: 0 })).toEqual([]);
    });

    it('breaks ties by the primary key, in the direction of the last term', async () => {
      await repo.createMany([person('eve', { score: 9 }), person('fay', { score: 9 }), person('gus', { score: 9 })]);
      const ascending = (await repo.findMany({ orderBy: 'score' })).slice(-3);
      expect(idsOf(ascending)).toEqual(sortedIds(ascending));
      const descending = await repo.findMany({ orderBy: { column: 'score', direction: 'desc' }, limit: 3 });
      expect(idsOf(descending)).toEqual(sortedIds(descending).reverse());
    });

    it('rejects a negative or fractional limit or offset', async () => {
      await caught(repo.findMany({ limit: -1 }), ValidationError);
      await caught(repo.findMany({ offset: -1 }), ValidationError);
      await caught(repo.findMany({ limit: 1.5 }), ValidationError);
    });
  });

  describe('paginate', () => {
    beforeEach(async () => {
      await repo.createMany(
        ['ann', 'bob', 'cat', 'dan', 'eve'].map((each, index) =>
          person(each, { team: index % 2 === 0 ? 'red' : 'blue' }),
        ),
      );
    });

    it('reports totals and page math', async () => {
      const first = await repo.paginate({ pageSize: 2 });
      expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2, totalPages: 3 });
      expect(namesOf(first.items)).toEqual(['ann', 'bob']);
      expect(namesOf((await repo.paginate({ page: 3, pageSize: 2 })).items)).toEqual(['eve']);
      const beyond = await repo.paginate({ page: 4, pageSize: 2 });
      expect(beyond).toMatchObject({ items: [], total: 5, totalPages: 3 });
    });

    it('defaults to the first page of 20', async () => {
      expect(await repo.paginate()).toMatchObject({ total: 5, page: 1, pageSize: 20, totalPages: 1 });
    });

    it('counts only the rows matching where, in the given order', async () => {
      const page = await repo.paginate({
        where: { team: 'red' },
        orderBy: { column: 'name', direction: 'desc' },
        pageSize: 2,
      });
      expect(page).toMatchObject({ total: 3, totalPages: 2 });
      expect(namesOf(page.items)).toEqual(['eve', 'cat']);
    });

    it('no matching rows means no pages', async () => {
      await repo.updateMany({}, { team: 'green' }, { all: true });
      expect(await repo.paginate({ where: { team: 'red' } })).toMatchObject({ items: [], total: 0, totalPages: 0 });
    });

    it('rejects a page below 1 and a page size outside 1..1000', async () => {
      await caught(repo.paginate({ page: 0 }), ValidationError);
      await caught(repo.paginate({ page: 1.5 }), ValidationError);
      await caught(repo.paginate({ pageSize: 0 }), ValidationError);
      await caught(repo.paginate({ pageSize: 1001 }), ValidationError);
    });
  });

  describe('paginateByCursor', () => {
    it('walks every row once, in order', async () => {
      await repo.createMany(['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus'].map((each) => person(each)));
      const pages = await walk({ limit: 3 });
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(idsOf(pages.flat())).toEqual(idsOf(await repo.findMany()));
    });

    it('walks a column with ties without duplicates or gaps', async () => {
      const scores = [3, 1, 3, 2, 3, 1, 2];
      await repo.createMany(scores.map((score, index) => person(`p${'abcdefg'[index]!}`, { score })));
      const orderBy: OrderBy<ContractRow> = { column: 'score', direction: 'desc' };
      const pages = await walk({ limit: 2, orderBy });
      expect(idsOf(pages.flat())).toEqual(idsOf(await repo.findMany({ orderBy })));
    });

    it('is stable when rows are inserted between pages', async () => {
      await repo.createMany(['bob', 'dan', 'fay', 'hal'].map((each) => person(each)));
      const first = await repo.paginateByCursor({ orderBy: 'name', limit: 2 });
      expect(namesOf(first.items)).toEqual(['bob', 'dan']);
      await repo.create(person('amy')); // before the cursor: must not appear
      await repo.create(person('eve')); // after it: must appear
      const rest: ContractRow[] = [];
      let after = first.nextCursor;
      while (after !== undefined) {
        const page = await repo.paginateByCursor({ orderBy: 'name', limit: 2, after });
        rest.push(...page.items);
        after = page.nextCursor;
      }
      expect(namesOf([...first.items, ...rest])).toEqual(['bob', 'dan', 'eve', 'fay', 'hal']);
    });

    it('has no next page when the last page is exactly full', async () => {
      await repo.createMany([person('ann'), person('bob')]);
      const page = await repo.paginateByCursor({ limit: 2 });
      expect(page).toMatchObject({ hasNextPage: false, nextCursor: undefined });
      expect(page.items).toHaveLength(2);
    });

    it('applies where to every page', async () => {
      await repo.createMany(
        ['ann', 'bob', 'cat', 'dan', 'eve'].map((each, index) => person(each, { team: index === 1 ? 'blue' : 'red' })),
      );
      const pages = await walk({ limit: 2, where: { team: 'red' } });
      expect(namesOf(pages.flat())).toEqual(['ann', 'cat', 'dan', 'eve']);
    });

    it('rejects a cursor it did not make', async () => {
      await repo.createMany([person('ann'), person('bob')]);
      await caught(repo.paginateByCursor({ after: 'not a cursor' }), ValidationError);
      await caught(repo.paginateByCursor({ after: Buffer.from('{"o":1}').toString('base64url') }), ValidationError);
    });

    it('rejects a cursor made for another order', async () => {
      await repo.createMany([person('ann'), person('bob')]);
      const { nextCursor } = await repo.paginateByCursor({ orderBy: 'name', limit: 1 });
      expect(nextCursor).toBeDefined();
      await caught(repo.paginateByCursor({ orderBy: 'score', after: nextCursor }), ValidationError);
    });

    it('rejects a limit outside 1..1000', async () => {
      await caught(repo.paginateByCursor({ limit: 0 }), ValidationError);
      await caught(repo.paginateByCursor({ limit: 1001 }), ValidationError);
    });
  });

  describe('stream', () => {
    it('yields every visible row in the default order', async () => {
      const created = await repo.createMany(['ann', 'bob', 'cat', 'dan', 'eve'].map((each) => person(each)));
      await repo.delete(created[2]!.id);
      const streamed = await collect(repo.stream(undefined, { batchSize: 2 }));
      expect(idsOf(streamed)).toEqual(idsOf(created).filter((id) => id !== created[2]!.id));
    });

    it('applies where', async () => {
      await repo.createMany([person('ann', { team: 'red' }), person('bob', { team: 'blue' })]);
      expect(namesOf(await collect(repo.stream({ team: 'blue' })))).toEqual(['bob']);
    });

    it('can stop early', async () => {
      await repo.createMany(['ann', 'bob', 'cat', 'dan', 'eve'].map((each) => person(each)));
      const seen: string[] = [];
      for await (const row of repo.stream(undefined, { batchSize: 2 })) {
        seen.push(row.name);
        if (seen.length === 3) break;
      }
      expect(seen).toEqual(['ann', 'bob', 'cat']);
      expect(await repo.count()).toBe(5);
    });

    it('rejects a batch size below 1', async () => {
      await caught((async () => collect(repo.stream(undefined, { batchSize: 0 })))(), ValidationError);
    });
  });
}
