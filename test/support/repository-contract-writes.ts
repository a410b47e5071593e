import { beforeEach, describe, expect, it } from 'vitest';

import {
  ConflictError,
  NotFoundError,
  QueryError,
  TenantRequiredError,
  ValidationError,
} from '../../src/errors/index.js';
import type { RepositoryMiddleware, RepositoryOperation } from '../../src/middleware/repository-middleware.js';
import type { FindManyOptions } from '../../src/repository/repository-contract.js';
import type { Where } from '../../src/repository/where-filter.js';
import { sleep } from './async.js';
import {
  caught,
  collect,
  CONTRACT_TABLE,
  type ContractContext,
  type ContractInsert,
  type ContractRepository,
  type ContractRow,
  type ContractUpdate,
  idsOf,
  MISSING_ID,
  namesOf,
  person,
  teamScope,
} from './repository-contract.js';

/** Writes: soft delete, unique keys, batches, updates, upserts, validation, copies, middleware. */
export function writeContract(context: ContractContext): void {
  let repo: ContractRepository;
  beforeEach(() => {
    repo = context.repository();
  });

  describe('soft delete', () => {
    let ann: ContractRow, bob: ContractRow;
    beforeEach(async () => {
      [ann, bob] = (await repo.createMany([person('ann', { team: 'red' }), person('bob', { team: 'red' })])) as [
        ContractRow,
        ContractRow,
      ];
      await repo.delete(ann.id);
    });

    it('hides a deleted row from every read', async () => {
      expect(await repo.findById(ann.id)).toBeUndefined();
      await caught(repo.getById(ann.id), NotFoundError);
      expect(await repo.findByIds([ann.id, bob.id])).toEqual([bob]);
      expect(await repo.findOne({ name: 'ann' })).toBeUndefined();
      expect(idsOf(await repo.findMany())).toEqual([bob.id]);
      expect(await repo.count({ team: 'red' })).toBe(1);
      expect(await repo.exists({ name: 'ann' })).toBe(false);
      expect((await repo.paginate()).total).toBe(1);
      expect(idsOf((await repo.paginateByCursor()).items)).toEqual([bob.id]);
      expect(idsOf(await collect(repo.stream()))).toEqual([bob.id]);
    });

    it('withDeleted shows deleted rows', async () => {
      const deleted = await repo.findById(ann.id, { withDeleted: true });
      expect(deleted?.deleted_at).toBeInstanceOf(Date);
      expect(await repo.getById(ann.id, { withDeleted: true })).toEqual(deleted);
      expect(idsOf(await repo.findMany({ withDeleted: true }))).toEqual([ann.id, bob.id]);
      expect(await repo.count({ team: 'red' }, { withDeleted: true })).toBe(2);
      expect(await repo.exists({ name: 'ann' }, { withDeleted: true })).toBe(true);
      expect((await repo.paginate({ withDeleted: true })).total).toBe(2);
      expect(await collect(repo.stream(undefined, { withDeleted: true }))).toHaveLength(2);
    });

    it('restore makes the row visible again', async () => {
      const restored = await repo.restore(ann.id);
      expect(restored).toMatchObject({ id: ann.id, name: 'ann', deleted_at: null });
      expect(await repo.getById(ann.id)).toEqual(restored);
    });

    it('restore throws NotFoundError unless the row is soft-deleted', async () => {
      await caught(repo.restore(bob.id), NotFoundError);
      await caught(repo.restore(MISSING_ID), NotFoundError);
    });

    it('deleting twice, or a missing id, throws NotFoundError', async () => {
      await caught(repo.delete(ann.id), NotFoundError);
      await caught(repo.delete(MISSING_ID), NotFoundError);
    });

    it('hardDelete removes even a soft-deleted row', async () => {
      await repo.hardDelete(ann.id);
      expect(await repo.findById(ann.id, { withDeleted: true })).toBeUndefined();
      await caught(repo.restore(ann.id), NotFoundError);
      await caught(repo.hardDelete(ann.id), NotFoundError);
      await repo.hardDelete(bob.id);
      expect(await repo.count(undefined, { withDeleted: true })).toBe(0);
    });

    it('update and updateMany skip soft-deleted rows', async () => {
      await caught(repo.update(ann.id, { name: 'anna' }), NotFoundError);
      expect(await repo.updateMany({ team: 'red' }, { score: 9 })).toBe(1);
      expect(await repo.findById(ann.id, { withDeleted: true })).toMatchObject({ name: 'ann', score: 0 });
    });

    it('a soft-deleted row keeps its unique email', async () => {
      await caught(repo.create(person('ann')), ConflictError);
    });
  });

  describe('unique keys', () => {
    it('a duplicate email is a ConflictError naming the constraint', async () => {
      await repo.create(person('ann'));
      const error = await caught(repo.create({ email: 'ann@example.com', name: 'other' }), ConflictError);
      expect(error.constraint).toBe(`${CONTRACT_TABLE}_email_key`);
      expect(error.columns).toContain('email');
      expect(await repo.count()).toBe(1);
    });

    it('an update to a taken email is a ConflictError and changes nothing', async () => {
      const [ann, bob] = await repo.createMany([person('ann'), person('bob')]);
      await caught(repo.update(bob!.id, { email: 'ann@example.com', name: 'bobby' }), ConflictError);
      expect(await repo.getById(bob!.id)).toEqual(bob);
      expect(await repo.getById(ann!.id)).toEqual(ann);
    });

    it('an updateMany that would duplicate an email changes nothing', async () => {
      await repo.createMany([person('ann', { team: 'red' }), person('bob', { team: 'red' })]);
      await caught(repo.updateMany({ team: 'red' }, { email: 'same@example.com' }), ConflictError);
      expect(await repo.count({ email: 'same@example.com' })).toBe(0);
    });
  });

  describe('createMany', () => {
    it('returns the rows in input order', async () => {
      const created = await repo.createMany([person('cat'), person('ann'), person('bob')]);
      expect(namesOf(created)).toEqual(['cat', 'ann', 'bob']);
      expect(new Set(idsOf(created)).size).toBe(3);
      expect(await repo.count()).toBe(3);
    });

    it('with no inputs returns no rows', async () => {
      expect(await repo.createMany([])).toEqual([]);
    });

    it('writes nothing when one item conflicts with an existing row', async () => {
      await repo.create(person('ann'));
      await caught(repo.createMany([person('bob'), person('ann'), person('cat')]), ConflictError);
      expect(await repo.count()).toBe(1);
    });

    it('writes nothing when two items conflict with each other', async () => {
      await caught(repo.createMany([person('bob'), person('cat'), person('bob')]), ConflictError);
      expect(await repo.count()).toBe(0);
    });

    it('writes nothing when one item is invalid', async () => {
      await caught(repo.createMany([person('bob'), { email: 'not-an-email', name: 'cat' }]), ValidationError);
      expect(await repo.count()).toBe(0);
    });
  });

  describe('update', () => {
    it('changes the given columns and moves updated_at forward', async () => {
      const created = await repo.create(person('ann', { score: 1 }));
      await sleep(20);
      const updated = await repo.update(created.id, { score: 2 });
      expect(updated).toMatchObject({ id: created.id, name: 'ann', email: 'ann@example.com', score: 2 });
      expect(updated.updated_at.getTime()).toBeGreaterThan(created.updated_at.getTime());
      expect(updated.created_at.getTime()).toBe(created.created_at.getTime());
    });

    it('throws NotFoundError for a missing id', async () => {
      await caught(repo.update(MISSING_ID, { name: 'x' }), NotFoundError);
    });

    it('rejects a patch the schema rejects, changing nothing', async () => {
      const created = await repo.create(person('ann'));
      await caught(repo.update(created.id, { email: 'nope' }), ValidationError);
      expect(await repo.getById(created.id)).toEqual(created);
    });

    it('updateMany returns how many rows it updated', async () => {
      await repo.createMany([
        person('ann', { team: 'red' }),
        person('bob', { team: 'red' }),
        person('cat', { team: 'blue' }),
      ]);
      expect(await repo.updateMany({ team: 'red' }, { score: 4 })).toBe(2);
      expect(namesOf(await repo.findMany({ where: { score: 4 } }))).toEqual(['ann', 'bob']);
      expect(await repo.updateMany({ team: 'green' }, { score: 5 })).toBe(0);
    });
  });

  describe('upsert', () => {
    it('inserts, then updates the row with the same conflict columns', async () => {
      const inserted = await repo.upsert(person('ann', { score: 1 }), { conflictColumns: ['email'] });
      expect(inserted).toMatchObject({ name: 'ann', score: 1 });
      const updated = await repo.upsert(
        { email: 'ann@example.com', name: 'anna', score: 2 },
        { conflictColumns: ['email'] },
      );
      expect(updated).toMatchObject({ id: inserted.id, name: 'anna', score: 2 });
      expect(await repo.count()).toBe(1);
      expect(await repo.getById(inserted.id)).toEqual(updated);
    });

    it('upserts on the primary key', async () => {
      const created = await repo.create(person('ann'));
      const updated = await repo.upsert(
        { id: created.id, email: 'ann@example.com', name: 'anna' },
        { conflictColumns: ['id'] },
      );
      expect(updated).toMatchObject({ id: created.id, name: 'anna' });
      expect(await repo.count()).toBe(1);
    });

    it('never updates a soft-deleted row: the key stays taken (ConflictError)', async () => {
      const created = await repo.create(person('ann'));
      await repo.delete(created.id);
      await caught(
        repo.upsert({ email: 'ann@example.com', name: 'anna' }, { conflictColumns: ['email'] }),
        ConflictError,
      );
      expect((await repo.findById(created.id, { withDeleted: true }))?.name).toBe('ann');
    });

    it('rejects conflict columns that are not a unique key, as PostgreSQL does (42P10)', async () => {
      const error = await caught(repo.upsert(person('ann'), { conflictColumns: ['name'] }), QueryError);
      expect(error).toMatchObject({ sqlState: '42P10' });
      expect(await repo.count()).toBe(0);
    });
  });

  describe('unknown columns', () => {
    it('in where is a ValidationError', async () => {
      const where = { nope: 1 } as unknown as Where<ContractRow>;
      await caught(repo.findMany({ where }), ValidationError);
      await caught(repo.findOne(where), ValidationError);
      await caught(repo.count(where), ValidationError);
      await caught(repo.updateMany(where, { score: 1 }), ValidationError);
    });

    it('in orderBy is a ValidationError', async () => {
      const orderBy = 'nope' as keyof ContractRow;
      await caught(repo.findMany({ orderBy }), ValidationError);
      await caught(repo.paginateByCursor({ orderBy }), ValidationError);
    });

    it('in input is a ValidationError and nothing is written', async () => {
      await caught(repo.create({ ...person('ann'), nope: 1 } as ContractInsert), ValidationError);
      expect(await repo.count()).toBe(0);
      const created = await repo.create(person('bob'));
      await caught(repo.update(created.id, { nope: 1 } as ContractUpdate), ValidationError);
    });

    it('an input the schema rejects is a ValidationError with issues', async () => {
      const error = await caught(repo.create({ email: 'not-an-email', name: 'ann' }), ValidationError);
      expect(error.issues.some((issue) => issue.path.includes('email'))).toBe(true);
      expect(await repo.count()).toBe(0);
    });
  });

  describe('returned rows are copies', () => {
    it('mutating a returned row does not change the stored one', async () => {
      const created = await repo.create(person('ann'));
      const before = await repo.getById(created.id);
      created.name = 'changed';
      created.created_at.setTime(0);
      const found = (await repo.findMany())[0]!;
      found.score = 99;
      expect(await repo.getById(created.id)).toEqual(before);
    });

    it('mutating the input after create does not change the stored row', async () => {
      const input = person('ann', { created_at: new Date('2020-01-01T00:00:00.000Z') });
      const created = await repo.create(input);
      input.name = 'changed';
      input.created_at!.setTime(0);
      expect(await repo.getById(created.id)).toEqual(created);
      expect(created.created_at.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    });
  });

  describe('middleware', () => {
    let red: ContractRow, blue: ContractRow, none: ContractRow;
    beforeEach(async () => {
      [red, blue, none] = (await repo.createMany([
        person('ann', { team: 'red' }),
        person('bob', { team: 'blue' }),
        person('cat'),
      ])) as [ContractRow, ContractRow, ContractRow];
    });

    it('a scope restricts every read', async () => {
      const scoped = (await context.setup({ middleware: [teamScope('red')] })).repository;
      expect(idsOf(await scoped.findMany())).toEqual([red.id]);
      expect(await scoped.count()).toBe(1);
      expect(await scoped.exists({ name: 'bob' })).toBe(false);
      expect(await scoped.findById(blue.id)).toBeUndefined();
      await caught(scoped.getById(blue.id), NotFoundError);
      expect(idsOf(await scoped.findByIds([red.id, blue.id, none.id]))).toEqual([red.id]);
      expect(await scoped.findOne({ name: 'cat' })).toBeUndefined();
      expect((await scoped.paginate()).total).toBe(1);
      expect(idsOf((await scoped.paginateByCursor()).items)).toEqual([red.id]);
      expect(idsOf(await collect(scoped.stream()))).toEqual([red.id]);
    });

    it('a scope is stamped onto creates', async () => {
      const scoped = (await context.setup({ middleware: [teamScope('red')] })).repository;
      const created = await scoped.create(person('dan'));
      expect(created.team).toBe('red');
      expect((await repo.getById(created.id)).team).toBe('red');
      const [many] = await scoped.createMany([person('eve', { team: 'red' })]);
      expect(many!.team).toBe('red');
    });

    it('an input naming another scope value is a ValidationError', async () => {
      const scoped = (await context.setup({ middleware: [teamScope('red')] })).repository;
      await caught(scoped.create(person('dan', { team: 'blue' })), ValidationError);
      await caught(scoped.createMany([person('eve'), person('fay', { team: null })]), ValidationError);
      await caught(scoped.update(red.id, { team: 'blue' }), ValidationError);
      expect(await repo.count()).toBe(3);
      expect((await repo.getById(red.id)).team).toBe('red');
    });

    it('a scope restricts updates and deletes', async () => {
      const scoped = (await context.setup({ middleware: [teamScope('red')] })).repository;
      await caught(scoped.update(blue.id, { name: 'bobby' }), NotFoundError);
      await caught(scoped.delete(blue.id), NotFoundError);
      await caught(scoped.hardDelete(none.id), NotFoundError);
      expect(await scoped.updateMany({}, { score: 7 }, { all: true })).toBe(1);
      expect(await repo.count({ score: 7 })).toBe(1);
      expect(await repo.count()).toBe(3);
    });

    it('handle can short-circuit findById with a canned row', async () => {
      const canned: ContractRow = { ...red, id: MISSING_ID, name: 'canned' };
      const cache: RepositoryMiddleware = {
        name: 'cache',
        handle: (operation, next) => (operation.kind === 'findById' ? Promise.resolve(canned) : next()),
      };
      const cached = (await context.setup({ middleware: [cache] })).repository;
      expect(await cached.findById(MISSING_ID)).toEqual(canned);
      expect(await cached.count()).toBe(3);
    });

    it('handle can rewrite the arguments', async () => {
      const rewrite: RepositoryMiddleware = {
        name: 'rewrite',
        handle: (operation, next) => {
          if (operation.kind === 'findMany') {
            const [options] = operation.args as [FindManyOptions<ContractRow, true> | undefined];
            operation.args = [{ ...options, where: { ...options?.where, team: 'blue' } }];
          }
          if (operation.kind === 'create') operation.args = [{ ...(operation.args[0] as ContractInsert), score: 42 }];
          return next();
        },
      };
      const rewritten = (await context.setup({ middleware: [rewrite] })).repository;
      expect(idsOf(await rewritten.findMany())).toEqual([blue.id]);
      expect((await rewritten.create(person('dan'))).score).toBe(42);
    });

    it('a scope() that throws rejects the returned promise, never throws synchronously', async () => {
      const tenant: RepositoryMiddleware = {
        name: 'tenant',
        scope: () => {
          throw new TenantRequiredError('no tenant in context');
        },
      };
      const guarded = (await context.setup({ middleware: [tenant] })).repository;
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = guarded.count();
      }).not.toThrow();
      await caught(pending!, TenantRequiredError);
      await caught(collect(guarded.stream()), TenantRequiredError);
    });

    it('handle sees the operation kind, table and arguments', async () => {
      const seen: Array<Pick<RepositoryOperation, 'kind' | 'table' | 'args'>> = [];
      const spy: RepositoryMiddleware = {
        name: 'spy',
        handle: (operation, next) => {
          seen.push({ kind: operation.kind, table: operation.table, args: [...operation.args] });
          expect(operation.repository).toMatchObject({
            table: CONTRACT_TABLE,
            primaryKey: 'id',
            softDelete: 'deleted_at',
          });
          return next();
        },
      };
      const spied = (await context.setup({ middleware: [spy] })).repository;
      await spied.count({ team: 'red' });
      await spied.delete(red.id);
      expect(seen).toEqual([
        { kind: 'count', table: CONTRACT_TABLE, args: [{ team: 'red' }, undefined] },
        { kind: 'delete', table: CONTRACT_TABLE, args: [red.id] },
      ]);
    });
  });
}
