import { beforeEach, describe, expect, it } from 'vitest';

import { ValidationError } from '../../src/errors/index.js';
import { tenantFilter, withTenant } from '../../src/middleware/tenant/index.js';
import { cursorPayload, editedCursor, withValue } from './cursor-tampering.js';
import { caught, type ContractContext, type ContractRepository, person, teamScope } from './repository-contract.js';

/** Cursor binding and tampering: the fake and PostgreSQL refuse the same cursors. */
export function cursorContract(context: ContractContext): void {
  let repo: ContractRepository;

  async function rejected(promise: Promise<unknown>, column?: string): Promise<void> {
    const error = await caught(promise, ValidationError);
    expect(error.statusCode).toBe(400);
    if (column !== undefined) expect(error.issues[0]?.path).toEqual(['after', column]);
  }

  describe('paginateByCursor cursors', () => {
    beforeEach(async () => {
      repo = context.repository();
      await repo.createMany(
        ['ann', 'bob', 'cat', 'dan', 'eve'].map((each, index) =>
          person(each, { team: index % 2 === 0 ? 'red' : 'blue', score: index % 2 }),
        ),
      );
    });

    it('are bound to the where filter', async () => {
      const { nextCursor } = await repo.paginateByCursor({ where: { team: 'red' }, limit: 1 });
      await rejected(repo.paginateByCursor({ where: { team: 'blue' }, after: nextCursor }));
      await rejected(repo.paginateByCursor({ after: nextCursor }));
      expect((await repo.paginateByCursor({ where: { team: 'red' }, after: nextCursor })).items).toHaveLength(2);
    });

    it('are bound to the middleware scope and the tenant', async () => {
      const red = (await context.setup({ middleware: [teamScope('red')] })).repository;
      const blue = (await context.setup({ middleware: [teamScope('blue')] })).repository;
      const { nextCursor } = await red.paginateByCursor({ limit: 1 });
      await rejected(blue.paginateByCursor({ after: nextCursor }));
      const tenants = (await context.setup({ middleware: [tenantFilter({ column: 'team' })] })).repository;
      const fromRed = await withTenant('red', () => tenants.paginateByCursor({ limit: 1 }));
      await withTenant('blue', () => rejected(tenants.paginateByCursor({ after: fromRed.nextCursor })));
    });

    it('with an edited value are a ValidationError naming the column', async () => {
      const { nextCursor } = await repo.paginateByCursor({ orderBy: 'score', limit: 1 });
      const cursor = nextCursor!;
      const [score] = cursorPayload(cursor).c as [[string, string]];
      for (const value of [7, { $bigint: 'abc' }, [1, 2], null, [score[0], 'garbage'], [score[0], [1, 2]]]) {
        await rejected(repo.paginateByCursor({ orderBy: 'score', after: withValue(cursor, 0, value) }), 'score');
      }
      await rejected(
        repo.paginateByCursor({ orderBy: 'score', after: editedCursor(cursor, (payload) => ({ ...payload, c: 'x' })) }),
      );
    });
  });
}
