import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  ConflictError,
  NotFoundError,
  NotNullViolationError,
  TenantRequiredError,
  ValidationError,
} from '../../src/errors/index.js';
import type { RepositoryMiddleware, RepositoryOperation } from '../../src/middleware/repository-middleware.js';
import { InMemoryRepository, type InMemoryRepositoryOptions } from '../../src/testing/in-memory-repository.js';
import {
  CONTRACT_TABLE,
  contractColumns,
  contractColumnTypes,
  type ContractInsert,
  type ContractRow,
  contractSchemas,
  type ContractUpdate,
  repositoryContract,
} from '../support/repository-contract.js';

const contractOptions: InMemoryRepositoryOptions<ContractRow> = {
  table: CONTRACT_TABLE,
  columns: contractColumns,
  columnTypes: contractColumnTypes,
  softDelete: 'deleted_at',
  timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  schemas: contractSchemas,
  uniqueKeys: [['email']],
  defaults: () => ({ score: 0, team: null }),
  defaultOrderBy: 'id',
};

type People = InMemoryRepository<ContractRow, ContractInsert, ContractUpdate, number, true>;
const people = (options: Partial<InMemoryRepositoryOptions<ContractRow>> = {}): People =>
  new InMemoryRepository({ ...contractOptions, ...options });

// One table for the whole contract run, like the PostgreSQL one; reset() empties it.
let table: People | undefined;
repositoryContract('InMemoryRepository', async ({ middleware }) => {
  const base = (table ??= people());
  return {
    repository: middleware === undefined ? base : base.withMiddleware(middleware),
    reset: async () => base.clear(),
  };
});

const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const seedRow = (id: number, name: string, extra: Partial<ContractRow> = {}): ContractRow => ({
  id,
  email: `${name}@example.com`,
  name,
  score: 0,
  team: null,
  created_at: day('2024-01-01'),
  updated_at: day('2024-01-01'),
  deleted_at: null,
  ...extra,
});

interface Tag {
  slug: string;
  label: string;
}

describe('InMemoryRepository (fake-specific)', () => {
  describe('seed, rows() and clear()', () => {
    it('stores seed rows as given, Dates included', async () => {
      const repo = people({ seed: [seedRow(5, 'ann', { team: 'red' })] });
      const ann = await repo.getById(5);
      expect(ann).toEqual(seedRow(5, 'ann', { team: 'red' }));
      expect(ann.created_at).toBeInstanceOf(Date);
    });

    it('generates ids after the largest seeded id', async () => {
      const repo = people({ seed: [seedRow(7, 'ann'), seedRow(3, 'bob')] });
      expect((await repo.create({ email: 'cat@example.com', name: 'cat' })).id).toBe(8);
    });

    it('rejects duplicate seed rows with a ConflictError', () => {
      expect(() => people({ seed: [seedRow(1, 'ann'), seedRow(2, 'ann')] })).toThrow(ConflictError);
      expect(() => people({ seed: [seedRow(1, 'ann'), seedRow(1, 'bob')] })).toThrow(ConflictError);
    });

    it('rows() returns copies of everything, soft-deleted rows included, ignoring middleware', async () => {
      const repo = people({ seed: [seedRow(2, 'bob', { team: 'blue' }), seedRow(1, 'ann', { team: 'red' })] });
      await repo.delete(1);
      const scoped = repo.withMiddleware([{ name: 'red', scope: () => ({ team: 'red' }) }]);
      const rows = scoped.rows();
      expect(rows.map((row) => row.id)).toEqual([1, 2]);
      expect(rows[0]!.deleted_at).toBeInstanceOf(Date);
      rows[1]!.name = 'changed';
      expect(repo.rows()[1]!.name).toBe('bob');
    });

    it('clear() empties the table and restarts generated ids', async () => {
      const repo = people();
      await repo.createMany([
        { email: 'ann@example.com', name: 'ann' },
        { email: 'bob@example.com', name: 'bob' },
      ]);
      repo.clear();
      expect(repo.rows()).toEqual([]);
      expect((await repo.create({ email: 'cat@example.com', name: 'cat' })).id).toBe(1);
    });

    it('withMiddleware() shares rows and ids with the original', async () => {
      const repo = people();
      const other = repo.withMiddleware([]);
      const ann = await other.create({ email: 'ann@example.com', name: 'ann' });
      const bob = await repo.create({ email: 'bob@example.com', name: 'bob' });
      expect(bob.id).toBe(ann.id + 1);
      expect(await repo.getById(ann.id)).toEqual(ann);
      repo.clear();
      expect(await other.count()).toBe(0);
    });
  });

  describe('ids', () => {
    it('auto-increments integers from 1 and never reuses them', async () => {
      const repo = people();
      const [ann, bob] = await repo.createMany([
        { email: 'ann@example.com', name: 'ann' },
        { email: 'bob@example.com', name: 'bob' },
      ]);
      expect([ann!.id, bob!.id]).toEqual([1, 2]);
      await repo.hardDelete(2);
      expect((await repo.create({ email: 'cat@example.com', name: 'cat' })).id).toBe(3);
    });

    it('skips past an explicitly given id', async () => {
      const repo = people();
      await repo.create({ id: 10, email: 'ann@example.com', name: 'ann' });
      expect((await repo.create({ email: 'bob@example.com', name: 'bob' })).id).toBe(11);
    });

    it('uses generateId when the input has no primary key', async () => {
      const tags = new InMemoryRepository<Tag>({
        table: 'tags',
        columns: ['slug', 'label'],
        primaryKey: 'slug',
        generateId: () => randomUUID(),
      });
      const tag = await tags.create({ label: 'news' });
      expect(tag.slug).toMatch(/^[0-9a-f-]{36}$/);
      expect(await tags.create({ slug: 'sports', label: 'Sports' })).toEqual({ slug: 'sports', label: 'Sports' });
      expect(await tags.findById('sports')).toEqual({ slug: 'sports', label: 'Sports' });
    });

    it('names the primary key constraint on a duplicate id', async () => {
      const repo = people();
      const ann = await repo.create({ email: 'ann@example.com', name: 'ann' });
      const error = await repo
        .create({ id: ann.id, email: 'bob@example.com', name: 'bob' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({
        constraint: `${CONTRACT_TABLE}_pkey`,
        columns: ['id'],
        table: CONTRACT_TABLE,
        sqlState: '23505',
      });
    });

    it('a null primary key is a NotNullViolationError', async () => {
      const repo = people();
      await expect(
        repo.create({ id: null as unknown as number, email: 'ann@example.com', name: 'ann' }),
      ).rejects.toBeInstanceOf(NotNullViolationError);
    });
  });

  describe('unique keys', () => {
    interface Member {
      id: number;
      org: string;
      email: string | null;
    }
    const members = () =>
      new InMemoryRepository<Member>({
        table: 'members',
        columns: ['id', 'org', 'email'],
        uniqueKeys: [['org', 'email']],
      });

    it('names a composite key like PostgreSQL does', async () => {
      const repo = members();
      await repo.create({ org: 'a', email: 'x@example.com' });
      await repo.create({ org: 'b', email: 'x@example.com' });
      await expect(repo.create({ org: 'a', email: 'x@example.com' })).rejects.toMatchObject({
        constraint: 'members_org_email_key',
        columns: ['org', 'email'],
      });
    });

    it('never conflicts on a key with a null column', async () => {
      const repo = members();
      await repo.create({ org: 'a', email: null });
      await repo.create({ org: 'a' });
      expect(await repo.count({ org: 'a' })).toBe(2);
    });
  });

  describe('divergences from PostgreSQL', () => {
    it('orders strings by UTF-16 code units, not by collation', async () => {
      const repo = people({
        seed: [seedRow(1, 'bob'), seedRow(2, 'Bob', { email: 'bob2@example.com' }), seedRow(3, 'ann')],
      });
      expect((await repo.findMany({ orderBy: 'name' })).map((row) => row.name)).toEqual(['Bob', 'ann', 'bob']);
    });

    it('stores columns that are neither given nor defaulted as null', async () => {
      const repo = people({ defaults: undefined });
      const ann = await repo.create({ email: 'ann@example.com', name: 'ann' });
      expect(ann).toMatchObject({ score: null, team: null, deleted_at: null });
    });

    it('calls defaults() once per row', async () => {
      let calls = 0;
      const repo = people({ defaults: () => ({ score: ++calls }) });
      const rows = await repo.createMany([
        { email: 'ann@example.com', name: 'ann' },
        { email: 'bob@example.com', name: 'bob', score: 0 },
      ]);
      expect(rows.map((row) => row.score)).toEqual([1, 0]);
      expect(calls).toBe(2);
    });
  });

  describe('timestamps', () => {
    it('gives created_at and updated_at the same instant on create', async () => {
      const ann = await people().create({ email: 'ann@example.com', name: 'ann' });
      expect(ann.updated_at.getTime()).toBe(ann.created_at.getTime());
    });

    it('keeps an updated_at the patch sets itself', async () => {
      const repo = people();
      const ann = await repo.create({ email: 'ann@example.com', name: 'ann' });
      expect((await repo.update(ann.id, { updated_at: day('2001-01-01') })).updated_at).toEqual(day('2001-01-01'));
    });

    it('soft delete leaves updated_at alone; restore moves it', async () => {
      const repo = people({ seed: [seedRow(1, 'ann')] });
      await repo.delete(1);
      expect(repo.rows()[0]!.updated_at).toEqual(day('2024-01-01'));
      expect((await repo.restore(1)).updated_at.getTime()).toBeGreaterThan(day('2024-01-01').getTime());
    });
  });

  describe('upsert', () => {
    it('sets updated_at but keeps created_at when it updates', async () => {
      const repo = people({ seed: [seedRow(1, 'ann')] });
      const row = await repo.upsert(
        { email: 'ann@example.com', name: 'anna', created_at: day('1999-01-01') },
        { conflictColumns: ['email'] },
      );
      expect(row).toMatchObject({ id: 1, name: 'anna', created_at: day('2024-01-01') });
      expect(row.updated_at.getTime()).toBeGreaterThan(day('2024-01-01').getTime());
    });

    it('inserts when the matching row is soft-deleted, which conflicts with it', async () => {
      const repo = people({ seed: [seedRow(1, 'ann', { deleted_at: day('2024-02-01') })] });
      await expect(
        repo.upsert({ email: 'ann@example.com', name: 'anna' }, { conflictColumns: ['email'] }),
      ).rejects.toBeInstanceOf(ConflictError);
    });
  });

  describe('without a soft-delete column', () => {
    const plain = () =>
      new InMemoryRepository<Tag, Tag, Partial<Tag>, string, false>({
        table: 'tags',
        columns: ['slug', 'label'],
        primaryKey: 'slug',
        seed: [{ slug: 'a', label: 'A' }],
      });

    it('delete removes the row', async () => {
      const tags = plain();
      await tags.delete('a');
      expect(tags.rows()).toEqual([]);
      await expect(tags.delete('a')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('withDeleted and restore are ValidationErrors at run time', async () => {
      const tags = plain();
      await expect(tags.findById('a', { withDeleted: true } as never)).rejects.toBeInstanceOf(ValidationError);
      const restore = tags.restore.bind(tags as unknown as InMemoryRepository<Tag, Tag, Partial<Tag>, string, true>);
      await expect(restore('a')).rejects.toBeInstanceOf(ValidationError);
    });

    it('does not offer restore or withDeleted in its type', () => {
      const tags = plain();
      // @ts-expect-error restore needs a soft-delete column
      void tags.restore('a').catch(() => undefined);
      // @ts-expect-error withDeleted needs a soft-delete column
      void tags.findById('a', { withDeleted: true }).catch(() => undefined);
    });
  });

  describe('middleware', () => {
    it('runs every method, getById included (as findById), with no transaction', async () => {
      const seen: Array<Pick<RepositoryOperation, 'kind' | 'transaction'>> = [];
      const spy: RepositoryMiddleware = {
        name: 'spy',
        handle: (operation, next) => (seen.push({ kind: operation.kind, transaction: operation.transaction }), next()),
      };
      const repo = people({ middleware: [spy], seed: [seedRow(1, 'ann')] });
      await repo.getById(1);
      await repo.updateMany({ name: 'ann' }, { score: 1 });
      for await (const _ of repo.stream()) break;
      expect(seen).toEqual([
        { kind: 'findById', transaction: undefined },
        { kind: 'updateMany', transaction: undefined },
        { kind: 'stream', transaction: undefined },
      ]);
    });

    it('a scope() that throws rejects the call instead of throwing synchronously', async () => {
      const tenant: RepositoryMiddleware = {
        name: 'tenant',
        scope: () => {
          throw new TenantRequiredError('no tenant');
        },
      };
      const repo = people({ middleware: [tenant] });
      const pending = repo.count();
      await expect(pending).rejects.toBeInstanceOf(TenantRequiredError);
      const iterator = repo.stream()[Symbol.asyncIterator]();
      await expect(iterator.next()).rejects.toBeInstanceOf(TenantRequiredError);
    });

    const teams = () => {
      const repo = people({
        seed: [
          seedRow(1, 'ann', { team: 'red' }),
          seedRow(2, 'bob', { team: 'blue' }),
          seedRow(3, 'cat', { team: 'green' }),
        ],
      });
      return repo.withMiddleware([{ name: 'teams', scope: () => ({ team: ['red', 'blue'] }) }]);
    };

    it('an IN scope restricts reads and accepts a create inside it', async () => {
      const scoped = teams();
      expect(await scoped.count()).toBe(2);
      await expect(scoped.update(3, { name: 'cathy' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(scoped.update(1, { team: 'green' })).rejects.toBeInstanceOf(ValidationError);
      expect((await scoped.create({ email: 'eve@example.com', name: 'eve', team: 'blue' })).team).toBe('blue');
    });

    it('an IN scope rejects a create outside it, or one that names no value of it', async () => {
      await expect(teams().create({ email: 'dan@example.com', name: 'dan', team: 'green' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(teams().create({ email: 'dan@example.com', name: 'dan' })).rejects.toBeInstanceOf(ValidationError);
    });

    it('a scope column outside the table is a ConfigError naming tenantColumn (middleware configuration, not client input)', async () => {
      const repo = people({ middleware: [{ name: 'bad', scope: () => ({ org: 1 }) }] });
      await expect(repo.findMany()).rejects.toMatchObject({ name: 'ConfigError', option: 'tenantColumn' });
      await expect(repo.findMany()).rejects.toThrow("add 'bad' to the repository's skipMiddleware");
    });
  });

  describe('stream', () => {
    it('iterates over a snapshot taken when iteration starts', async () => {
      const repo = people({ seed: [seedRow(1, 'ann'), seedRow(2, 'bob')] });
      const names: string[] = [];
      for await (const row of repo.stream(undefined, { batchSize: 1 })) {
        names.push(row.name);
        if (names.length === 1) await repo.create({ email: 'cat@example.com', name: 'cat' });
      }
      expect(names).toEqual(['ann', 'bob']);
    });
  });

  describe('configuration', () => {
    it('rejects option columns that are not in columns with a ConfigError naming the option', () => {
      expect(() => people({ primaryKey: 'nope' as keyof ContractRow })).toThrow(
        expect.objectContaining({ name: 'ConfigError', option: 'primaryKey' }) as Error,
      );
      expect(() => people({ uniqueKeys: [['nope' as keyof ContractRow]] })).toThrow(
        expect.objectContaining({ name: 'ConfigError', option: 'uniqueKeys' }) as Error,
      );
      expect(() => people({ defaultOrderBy: 'nope' as keyof ContractRow })).toThrow(
        expect.objectContaining({ name: 'ConfigError', option: 'defaultOrderBy' }) as Error,
      );
      expect(() => people({ defaults: () => ({ nope: 1 }) as Partial<ContractRow> })).not.toThrow();
    });

    it('rejects defaults() naming an unknown column when it is used', async () => {
      const repo = people({ defaults: () => ({ nope: 1 }) as Partial<ContractRow> });
      await expect(repo.create({ email: 'ann@example.com', name: 'ann' })).rejects.toBeInstanceOf(ValidationError);
    });

    it('works without schemas, timestamps or defaults', async () => {
      const tags = new InMemoryRepository<Tag>({ table: 'tags', columns: ['slug', 'label'], primaryKey: 'slug' });
      await tags.create({ slug: 'a', label: 'A' });
      expect(await tags.update('a', { label: 'B' })).toEqual({ slug: 'a', label: 'B' });
    });
  });
});
