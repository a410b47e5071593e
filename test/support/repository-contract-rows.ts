import { beforeEach, describe, expect, it } from 'vitest';

import { ConflictError, NotFoundError, ValidationError } from '../../src/errors/index.js';
import type { OperationKind, RepositoryMiddleware } from '../../src/middleware/repository-middleware.js';
import {
  caught,
  contractColumns,
  type ContractContext,
  type ContractRepository,
  type ContractRow,
  MISSING_ID,
  person,
  teamScope,
} from './repository-contract.js';

type Rows = ReadonlyArray<Readonly<Record<string, unknown>>>;

/** What a middleware saw through `operation.rows` around one write. */
interface Seen {
  kind: OperationKind;
  hasRows: boolean;
  before: Rows;
  after: Rows;
}

/**
 * `operation.rows`, the row access writes give middleware (auditLog builds on it): the
 * rows a write targets before it runs, and rows by key after it, the same on both
 * implementations.
 */
export function rowsContract(context: ContractContext): void {
  let repo: ContractRepository;
  let seen: Seen[];
  const spy: RepositoryMiddleware = {
    name: 'rows-spy',
    async handle(operation, next) {
      const rows = operation.rows;
      if (rows === undefined) {
        seen.push({ kind: operation.kind, hasRows: false, before: [], after: [] });
        return next();
      }
      const entry: Seen = { kind: operation.kind, hasRows: true, before: await rows.targeted(), after: [] };
      seen.push(entry); // before the write, which may fail
      const result = await next();
      entry.after = await rows.byKeys(entry.before.map((row) => row.id));
      return result;
    },
  };
  const spied = async (middleware: RepositoryMiddleware[] = []) =>
    (await context.setup({ middleware: [...middleware, spy] })).repository;
  const last = () => seen.at(-1)!;
  const ids = (rows: Rows) => rows.map((row) => row.id);

  beforeEach(() => {
    repo = context.repository();
    seen = [];
  });

  describe('operation.rows', () => {
    let ann: ContractRow, bob: ContractRow, cat: ContractRow;
    beforeEach(async () => {
      [ann, bob, cat] = (await repo.createMany([
        person('ann', { team: 'red' }),
        person('bob', { team: 'red' }),
        person('cat', { team: 'blue' }),
      ])) as [ContractRow, ContractRow, ContractRow];
    });

    it('is absent on reads and present on every write', async () => {
      const spiedRepo = await spied();
      await spiedRepo.findById(ann.id);
      await spiedRepo.findMany();
      await spiedRepo.count();
      expect(seen.map((each) => each.hasRows)).toEqual([false, false, false]);
      await spiedRepo.create(person('dan'));
      await spiedRepo.createMany([person('eve')]);
      await spiedRepo.update(ann.id, { score: 1 });
      await spiedRepo.updateMany({ team: 'blue' }, { score: 2 });
      await spiedRepo.upsert(person('fay'), { conflictColumns: ['email'] });
      await spiedRepo.delete(ann.id);
      await spiedRepo.restore(ann.id);
      await spiedRepo.hardDelete(ann.id);
      expect(seen.slice(3).map((each) => [each.kind, each.hasRows])).toEqual([
        ['create', true],
        ['createMany', true],
        ['update', true],
        ['updateMany', true],
        ['upsert', true],
        ['delete', true],
        ['restore', true],
        ['hardDelete', true],
      ]);
    });

    it('columns() lists the table columns', async () => {
      let columns: ReadonlySet<string> | undefined;
      const peek: RepositoryMiddleware = {
        name: 'peek',
        handle: async (operation, next) => ((columns = await operation.rows?.columns()), next()),
      };
      await (await context.setup({ middleware: [peek] })).repository.create(person('dan'));
      expect([...(columns ?? [])].sort()).toEqual([...contractColumns].sort());
    });

    it('create targets nothing', async () => {
      await (await spied()).create(person('dan'));
      expect(last().before).toEqual([]);
    });

    it('update targets its row as it was; byKeys afterwards reads it as it is', async () => {
      const updated = await (await spied()).update(ann.id, { name: 'ann 2' });
      expect(last().before).toEqual([ann]);
      expect(last().after).toEqual([updated]);
    });

    it('update and delete do not target a soft-deleted row (the write does not reach it)', async () => {
      await repo.delete(ann.id);
      const spiedRepo = await spied();
      await caught(spiedRepo.update(ann.id, { name: 'x' }), NotFoundError);
      await caught(spiedRepo.delete(ann.id), NotFoundError);
      expect(seen.map((each) => [each.kind, each.before])).toEqual([
        ['update', []],
        ['delete', []],
      ]);
    });

    it('soft delete: before visible, after with the soft-delete column set (byKeys includes deleted rows)', async () => {
      await (await spied()).delete(ann.id);
      expect(last().before).toEqual([ann]);
      expect(ids(last().after)).toEqual([ann.id]);
      expect(last().after[0]!.deleted_at).toBeInstanceOf(Date);
    });

    it('hardDelete and restore target a soft-deleted row', async () => {
      await repo.delete(ann.id);
      const spiedRepo = await spied();
      await spiedRepo.restore(ann.id);
      expect(ids(last().before)).toEqual([ann.id]);
      expect(last().before[0]!.deleted_at).toBeInstanceOf(Date);
      expect(last().after[0]!.deleted_at).toBeNull();
      await repo.delete(ann.id);
      await spiedRepo.hardDelete(ann.id);
      expect(ids(last().before)).toEqual([ann.id]);
      expect(last().after).toEqual([]);
    });

    it('updateMany targets the matching visible rows in primary-key order, inside the scope', async () => {
      await repo.delete(bob.id);
      const dan = await repo.create(person('dan', { team: 'red' }));
      await (await spied()).updateMany({ team: ['red', 'blue'] }, { score: 5 });
      expect(ids(last().before)).toEqual([ann.id, cat.id, dan.id]);
      expect(last().after.map((row) => row.score)).toEqual([5, 5, 5]);
      await (await spied([teamScope('blue')])).updateMany({ score: 5 }, { score: 6 });
      expect(ids(last().before)).toEqual([cat.id]);
    });

    it("upsert targets the row with the input's conflict values, or nothing", async () => {
      const spiedRepo = await spied();
      await spiedRepo.upsert(person('ann', { score: 9 }), { conflictColumns: ['email'] });
      expect(last().before).toEqual([ann]);
      expect(last().after[0]!.score).toBe(9);
      await spiedRepo.upsert(person('new'), { conflictColumns: ['email'] });
      expect(last().before).toEqual([]);
      await repo.delete(bob.id);
      await caught(spiedRepo.upsert(person('bob'), { conflictColumns: ['email'] }), ConflictError);
      expect(last().before).toEqual([]); // the hidden row is not targeted; the write fails
    });

    it('byKeys keeps to the scope', async () => {
      let found: Rows = [];
      const peek: RepositoryMiddleware = {
        name: 'peek',
        handle: async (operation, next) => ((found = (await operation.rows?.byKeys([ann.id, cat.id])) ?? []), next()),
      };
      await (await context.setup({ middleware: [teamScope('blue'), peek] })).repository.create(person('dan'));
      expect(ids(found)).toEqual([cat.id]);
    });

    it('invalid arguments throw the ValidationError the write would, before any row is read', async () => {
      const spiedRepo = await spied();
      await caught(spiedRepo.update('abc' as unknown as number, { name: 'x' }), ValidationError);
      await caught(spiedRepo.updateMany({}, { score: 1 }), ValidationError);
      await caught(spiedRepo.updateMany({ nope: 1 } as never, { score: 1 }), ValidationError);
      await caught(spiedRepo.upsert(person('x'), { conflictColumns: [] }), ValidationError);
      expect(seen).toEqual([]);
      await caught(spiedRepo.delete(MISSING_ID), NotFoundError);
      expect(last().before).toEqual([]);
      expect(bob).toBeDefined();
    });
  });
}
