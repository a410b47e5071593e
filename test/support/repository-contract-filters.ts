import { beforeEach, describe, expect, it } from 'vitest';

import { ValidationError } from '../../src/errors/index.js';
import type { Where } from '../../src/repository/where-filter.js';
import {
  caught,
  collect,
  type ContractContext,
  type ContractRepository,
  type ContractRow,
  namesOf,
  person,
  teamScope,
} from './repository-contract.js';

/** A filter TypeScript would refuse, passed the way request input arrives. */
const bad = (value: unknown): Where<ContractRow> => value as Where<ContractRow>;

/** Filter operators and AND/OR/NOT: the same rows, NULL semantics and refusals on both implementations. */
export function filterContract(context: ContractContext): void {
  describe('filter operators', () => {
    let repo: ContractRepository;
    beforeEach(async () => {
      repo = context.repository();
      await repo.createMany([
        person('ann', { team: 'red', score: 3, created_at: new Date('2024-01-01T00:00:00.000Z') }),
        person('bob', { team: 'blue', score: 1, created_at: new Date('2024-02-01T00:00:00.000Z') }),
        person('cat', { team: null, score: 2, created_at: new Date('2024-03-01T00:00:00.000Z') }),
        person('dan', { team: 'red', score: 5, created_at: new Date('2024-04-01T00:00:00.000Z') }),
      ]);
    });
    const names = async (where: Where<ContractRow>) => namesOf(await repo.findMany({ where }));

    it('compares numbers, text and timestamps with gt, gte, lt, lte and between', async () => {
      expect(await names({ score: { gt: 2 } })).toEqual(['ann', 'dan']);
      expect(await names({ score: { gte: 2, lt: 5 } })).toEqual(['ann', 'cat']);
      expect(await names({ score: { lte: 1 } })).toEqual(['bob']);
      expect(await names({ score: { between: [2, 3] } })).toEqual(['ann', 'cat']);
      expect(await names({ score: { between: [3, 2] } })).toEqual([]); // not symmetric, as in SQL
      expect(await names({ score: { gt: '2' as unknown as number } })).toEqual(['ann', 'dan']); // '2' from a URL
      expect(await names({ name: { gt: 'bob' } })).toEqual(['cat', 'dan']);
      expect(await names({ created_at: { gte: new Date('2024-03-01T00:00:00.000Z') } })).toEqual(['cat', 'dan']);
      const iso = '2024-02-15T00:00:00Z' as unknown as Date;
      expect(await names({ created_at: { lt: iso } })).toEqual(['ann', 'bob']);
    });

    it('eq, ne, in and notIn, where ne and notIn never match NULL', async () => {
      expect(await names({ team: { eq: 'red' } })).toEqual(['ann', 'dan']);
      expect(await names({ team: { ne: 'red' } })).toEqual(['bob']);
      expect(await names({ team: { in: ['blue', 'green'] } })).toEqual(['bob']);
      expect(await names({ team: { notIn: ['red'] } })).toEqual(['bob']);
      expect(await names({ team: { in: [] } })).toEqual([]);
      // An empty exclusion list excludes nothing, NULLs included (`<> ALL('{}')` is true).
      expect(await names({ team: { notIn: [] } })).toEqual(['ann', 'bob', 'cat', 'dan']);
    });

    it('isNull, and NOT with three-valued logic', async () => {
      expect(await names({ team: { isNull: true } })).toEqual(['cat']);
      expect(await names({ team: { isNull: false } })).toEqual(['ann', 'bob', 'dan']);
      expect(await names({ NOT: { team: 'red' } })).toEqual(['bob']); // NOT (NULL = 'red') is unknown
      expect(await names({ NOT: { team: null } })).toEqual(['ann', 'bob', 'dan']);
      expect(await names({ NOT: { team: { notIn: [] } } })).toEqual([]);
      expect(await names({ NOT: { NOT: { team: 'blue' } } })).toEqual(['bob']);
    });

    it('combines filters with AND, OR and NOT', async () => {
      expect(await names({ OR: [{ team: 'blue' }, { score: { gte: 3 } }], NOT: { name: 'dan' } })).toEqual([
        'ann',
        'bob',
      ]);
      expect(await names({ AND: [{ team: 'red' }, { score: { lt: 5 } }] })).toEqual(['ann']);
      expect(await names({ OR: [{ AND: [{ team: 'red' }, { score: 5 }] }, { team: null }] })).toEqual(['cat', 'dan']);
      // NULL OR true is true; NULL OR false is unknown, so the row stays out.
      expect(await names({ OR: [{ team: { ne: 'red' } }, { score: 2 }] })).toEqual(['bob', 'cat']);
      expect(await names({ team: 'red', OR: [{ score: 3 }, { score: 5 }] })).toEqual(['ann', 'dan']);
    });

    it('applies the filter in findOne, count, exists, paginate, paginateByCursor, stream and updateMany', async () => {
      const where: Where<ContractRow> = { OR: [{ team: 'blue' }, { score: { gte: 3 } }] };
      expect((await repo.findOne(where))?.name).toBe('ann');
      expect(await repo.count(where)).toBe(3);
      expect(await repo.exists({ score: { gt: 5 } })).toBe(false);
      expect(await repo.exists({ score: { gte: 5 } })).toBe(true);
      const page = await repo.paginate({ where, pageSize: 2, orderBy: 'name' });
      expect(page).toMatchObject({ total: 3, totalPages: 2 });
      expect(namesOf(page.items)).toEqual(['ann', 'bob']);
      const first = await repo.paginateByCursor({ where, limit: 2 });
      const second = await repo.paginateByCursor({ where, limit: 2, after: first.nextCursor });
      expect(namesOf([...first.items, ...second.items])).toEqual(['ann', 'bob', 'dan']);
      expect(namesOf(await collect(repo.stream({ score: { between: [2, 3] } }, { batchSize: 1 })))).toEqual([
        'ann',
        'cat',
      ]);
      expect(await repo.updateMany({ team: { ne: 'red' } }, { score: 10 })).toBe(1);
      expect(await names({ score: 10 })).toEqual(['bob']);
    });

    it('binds a cursor to the filter: the same filter in any key order continues, another one is refused', async () => {
      const where: Where<ContractRow> = { score: { gte: 1, lt: 5 }, OR: [{ team: 'red' }, { team: null }] };
      const { nextCursor } = await repo.paginateByCursor({ where, limit: 1 });
      const reordered = bad({ OR: [{ team: 'red' }, { team: null }], score: { lt: 5, gte: 1 } });
      expect(namesOf((await repo.paginateByCursor({ where: reordered, limit: 5, after: nextCursor })).items)).toEqual([
        'cat',
      ]);
      await caught(repo.paginateByCursor({ where: { score: { gt: 1, lt: 5 } }, after: nextCursor }), ValidationError);
      await caught(
        repo.paginateByCursor({ where: { ...where, OR: [{ team: 'red' }, { team: 'blue' }] }, after: nextCursor }),
        ValidationError,
      );
    });

    it('binds a cursor to the whole filter, however deep it nests', async () => {
      const nest = (leaf: Where<ContractRow>): Where<ContractRow> => {
        let where = leaf;
        for (let level = 0; level < 8; level++) where = { OR: [where, { name: 'zed' }] };
        return where;
      };
      const { nextCursor } = await repo.paginateByCursor({ where: nest({ score: { gte: 1 } }), limit: 1 });
      expect(nextCursor).toBeDefined();
      await caught(repo.paginateByCursor({ where: nest({ score: { gte: 2 } }), after: nextCursor }), ValidationError);
      const next = await repo.paginateByCursor({ where: nest({ score: { gte: 1 } }), after: nextCursor });
      expect(next.items).toHaveLength(3);
    });

    it('a filter cannot reach outside the middleware scope, whatever it ORs', async () => {
      const { repository: red } = await context.setup({ middleware: [teamScope('red')] });
      const escape: Where<ContractRow> = { OR: [{ team: 'blue' }, { team: null }, { score: { gte: 0 } }] };
      expect(namesOf(await red.findMany({ where: escape }))).toEqual(['ann', 'dan']);
      expect(await red.count({ NOT: { team: 'red' } })).toBe(0);
      expect(await red.updateMany(escape, { score: 7 })).toBe(2);
      expect(await names({ score: 7 })).toEqual(['ann', 'dan']);
    });
  });

  describe('pattern operators', () => {
    let repo: ContractRepository;
    beforeEach(async () => {
      repo = context.repository();
      const named = (name: string, index: number) => person(`p${index}`, { name });
      await repo.createMany(['50% off', '50 off', 'a_b', 'axb', 'back\\slash', 'Ann', 'ann', 'ANNA'].map(named));
    });
    const names = async (where: Where<ContractRow>) => namesOf(await repo.findMany({ where })).sort();

    it('like and ilike use % and _ as wildcards and \\ as the escape', async () => {
      expect(await names({ name: { like: 'a_b' } })).toEqual(['a_b', 'axb']);
      expect(await names({ name: { like: 'a\\_b' } })).toEqual(['a_b']);
      expect(await names({ name: { like: '50\\%%' } })).toEqual(['50% off']);
      expect(await names({ name: { like: 'ann%' } })).toEqual(['ann']);
      expect(await names({ name: { ilike: 'ann%' } })).toEqual(['ANNA', 'Ann', 'ann']);
      expect(await names({ name: { ilike: 'ANN' } })).toEqual(['Ann', 'ann']);
    });

    it('contains and startsWith match %, _ and \\ literally', async () => {
      expect(await names({ name: { contains: '%' } })).toEqual(['50% off']);
      expect(await names({ name: { contains: '_' } })).toEqual(['a_b']);
      expect(await names({ name: { contains: '\\' } })).toEqual(['back\\slash']);
      expect(await names({ name: { startsWith: '50' } })).toEqual(['50 off', '50% off']);
      expect(await names({ name: { startsWith: 'a_' } })).toEqual(['a_b']);
      expect(await names({ name: { contains: 'nn' } })).toEqual(['Ann', 'ann']);
      expect(await names({ NOT: { name: { contains: 'a' } } })).toEqual(['50 off', '50% off', 'ANNA', 'Ann']);
    });
  });

  describe('bad filters are a ValidationError naming the column, never SQL', () => {
    let repo: ContractRepository;
    beforeEach(async () => {
      repo = context.repository();
      await repo.create(person('ann', { team: 'red', score: 1 }));
    });

    async function rejected(where: Where<ContractRow>, column: string | undefined, code: string): Promise<void> {
      const error = await caught(repo.findMany({ where }), ValidationError);
      expect(error.statusCode).toBe(400);
      expect(error.issues[0]?.code).toBe(code);
      if (column !== undefined) {
        expect(error.column).toBe(column);
        expect(error.message).toContain(column);
      }
    }

    it('an unknown or $-prefixed operator names the column and the operator', async () => {
      await rejected(bad({ score: { greater: 1 } }), 'score', 'unknown_operator');
      await rejected(bad({ score: { $gt: 1 } }), 'score', 'unsupported_operator');
      await rejected(bad({ score: {} }), 'score', 'unknown_operator');
      await rejected(bad({ name: { eq: { $ne: 'x' } } }), 'name', 'unsupported_operator');
      await rejected(bad({ score: { toString: 1 } }), 'score', 'unknown_operator');
      const error = await caught(repo.findMany({ where: bad({ OR: [{ score: { greater: 1 } }] }) }), ValidationError);
      expect(error.message).toContain('greater');
      expect(error.issues[0]?.path).toEqual(['where', 'OR', 0, 'score', 'greater']);
    });

    it('undefined anywhere is refused, in every method, and nothing is written', async () => {
      const filters = [
        { score: { gte: undefined } },
        { OR: [{ team: 'red' }, { score: undefined }] },
        { NOT: undefined },
        { AND: undefined },
        { team: { in: ['red', undefined] } },
        { score: { between: [1, undefined] } },
      ];
      for (const filter of filters) {
        const where = bad(filter);
        for (const call of [
          repo.findMany({ where }),
          repo.findOne(where),
          repo.count(where),
          repo.exists(where),
          repo.paginate({ where }),
          repo.paginateByCursor({ where }),
          collect(repo.stream(where)),
          repo.updateMany(where, { score: 9 }),
        ]) {
          const error = await caught(call, ValidationError);
          expect(error.issues[0]?.code, JSON.stringify(filter)).toBe('undefined_filter');
        }
      }
      expect((await repo.findMany())[0]?.score).toBe(1);
    });

    it('malformed operands: wrong type, between without two values, null where a value is needed', async () => {
      await rejected(bad({ score: { gt: 'abc' } }), 'score', 'invalid_type');
      await rejected(bad({ score: { in: 3 } }), 'score', 'invalid_type');
      await rejected(bad({ score: { between: [1] } }), 'score', 'invalid_between');
      await rejected(bad({ score: { between: [1, 2, 3] } }), 'score', 'invalid_between');
      await rejected(bad({ score: { between: 1 } }), 'score', 'invalid_between');
      await rejected(bad({ score: { eq: null } }), 'score', 'invalid_type');
      await rejected(bad({ team: { notIn: ['red', null] } }), 'team', 'invalid_type');
      await rejected(bad({ team: { isNull: 'yes' } }), 'team', 'invalid_type');
      await rejected(bad({ created_at: { gt: 'garbage' } }), 'created_at', 'invalid_type');
      await rejected(bad({ name: { like: 5 } }), 'name', 'invalid_type');
      await rejected(bad({ name: { like: 'ends with \\' } }), 'name', 'invalid_pattern');
      await rejected(bad({ name: { contains: 'a\u0000b' } }), 'name', 'invalid_type');
    });

    it('an operator the column type does not have', async () => {
      await rejected(bad({ score: { like: '1%' } }), 'score', 'invalid_operator');
      await rejected(bad({ created_at: { contains: '2024' } }), 'created_at', 'invalid_operator');
    });

    it('empty AND/OR lists and empty nested filters are refused (they would mean every row or none)', async () => {
      await rejected(bad({ AND: [] }), undefined, 'empty_filter');
      await rejected(bad({ OR: [] }), undefined, 'empty_filter');
      await rejected(bad({ NOT: {} }), undefined, 'empty_filter');
      await rejected(bad({ OR: [{ team: 'red' }, {}] }), undefined, 'empty_filter');
      await rejected(bad({ OR: { team: 'red' } }), undefined, 'invalid_type');
      await rejected(bad({ OR: [{ nope: 1 }] }), undefined, 'unknown_column');
      await caught(repo.updateMany(bad({ AND: [{}] }), { score: 9 }), ValidationError);
      expect((await repo.findMany())[0]?.score).toBe(1);
    });

    it('nesting deeper than the limit is refused', async () => {
      let where: unknown = { team: 'red' };
      for (let level = 0; level < 9; level++) where = { NOT: where };
      await rejected(bad(where), undefined, 'filter_too_deep');
      let allowed: unknown = { team: 'red' };
      for (let level = 0; level < 8; level++) allowed = { NOT: allowed };
      expect(await repo.count(bad(allowed))).toBe(1);
    });
  });
}
