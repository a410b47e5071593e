import { beforeEach, describe, expect, it } from 'vitest';

import { ValidationError } from '../../src/errors/index.js';
import type { Where } from '../../src/repository/where-filter.js';
import {
  caught,
  type ContractContext,
  type ContractRepository,
  type ContractRow,
  type ContractUpdate,
  person,
} from './repository-contract.js';

/** A value of the wrong type, smuggled past TypeScript the way request input arrives. */
const bad = <T>(value: unknown): T => value as T;

/** Bad client input: a 400 `ValidationError` naming the column, before anything is written. */
export function inputContract(context: ContractContext): void {
  describe('bad input', () => badInput(context));
}

function badInput(context: ContractContext): void {
  let repo: ContractRepository;
  let ann: ContractRow;
  beforeEach(async () => {
    repo = context.repository();
    ann = await repo.create(person('ann', { team: 'red', score: 1 }));
  });

  async function rejected(promise: Promise<unknown>, column?: string): Promise<ValidationError> {
    const error = await caught(promise, ValidationError);
    expect(error.statusCode).toBe(400);
    if (column !== undefined) {
      expect(error.column).toBe(column);
      expect(error.message).toContain(column);
      expect(error.issues.some((issue) => issue.column === column)).toBe(true);
    }
    return error;
  }

  async function unchanged(): Promise<void> {
    expect(await repo.findMany({ withDeleted: true })).toEqual([ann]);
  }

  describe('ids of the wrong type', () => {
    const ids: Array<[string, unknown]> = [
      ['a non-numeric string', 'abc'],
      ['a fraction', 1.5],
      ['NaN', Number.NaN],
      ['an object', {}],
      ['2**40 (out of int4 range)', 2 ** 40],
      ['a Buffer', Buffer.from([1, 2, 3, 4])],
      ['undefined', undefined],
      ['null', null],
    ];

    it.each(ids)('%s is a ValidationError naming the key, in every method', async (_label, id) => {
      const key = bad<number>(id);
      await rejected(repo.findById(key), 'id');
      await rejected(repo.getById(key), 'id');
      await rejected(repo.findByIds([ann.id, key]), 'id');
      await rejected(repo.update(key, { name: 'x' }), 'id');
      await rejected(repo.delete(key), 'id');
      await rejected(repo.hardDelete(key), 'id');
      await rejected(repo.restore(key), 'id');
      await unchanged();
    });

    it('a numeric string is accepted for an integer key', async () => {
      expect(await repo.findById(bad<number>(String(ann.id)))).toEqual(ann);
    });
  });

  describe('where values', () => {
    it('of the wrong type are a ValidationError naming the column', async () => {
      const where = bad<Where<ContractRow>>({ score: 'abc' });
      await rejected(repo.findMany({ where }), 'score');
      await rejected(repo.count(where), 'score');
      await rejected(repo.findOne(where), 'score');
      await rejected(repo.exists(where), 'score');
      await rejected(repo.updateMany(where, { name: 'x' }), 'score');
      await rejected(repo.findMany({ where: bad({ score: [1, 'x'] }) }), 'score');
      await rejected(repo.findMany({ where: bad({ name: 'a\u0000b' }) }), 'name');
      await rejected(repo.findMany({ where: bad({ created_at: 'garbage' }) }), 'created_at');
      await unchanged();
    });

    it('undefined is a ValidationError, never a dropped filter', async () => {
      const where = bad<Where<ContractRow>>({ team: undefined });
      const error = await rejected(repo.findMany({ where }), 'team');
      expect(error.issues[0]?.code).toBe('undefined_filter');
      await rejected(repo.count(where), 'team');
      await rejected(repo.findOne(where), 'team');
      await rejected(repo.exists(where), 'team');
      await rejected(repo.paginate({ where }), 'team');
      await rejected(repo.updateMany(where, { name: 'x' }), 'team');
      await rejected(repo.findMany({ where: bad({ team: ['red', undefined] }) }), 'team');
      await unchanged();
    });

    it('an operator object is rejected, not compared as a value', async () => {
      const where = bad<Where<ContractRow>>({ name: { $ne: 'x' } });
      const error = await rejected(repo.findMany({ where }), 'name');
      expect(error.issues[0]?.code).toBe('unsupported_operator');
      await rejected(repo.updateMany(where, { score: 2 }), 'name');
      await rejected(repo.count(bad({ score: { $gt: 0 } })), 'score');
      await unchanged();
    });

    it('null (IS NULL), arrays (IN) and plain values still work', async () => {
      expect(await repo.count({ team: null })).toBe(0);
      expect(await repo.count({ team: ['red', 'blue'] })).toBe(1);
      expect(await repo.count({ score: 1, name: 'ann' })).toBe(1);
    });
  });

  describe('write values of the wrong type', () => {
    const cases: Array<[string, keyof ContractRow, unknown]> = [
      ['a garbage timestamp', 'created_at', 'garbage'],
      ['an invalid Date', 'created_at', new Date(Number.NaN)],
      ['a NUL character in text', 'name', 'a\u0000b'],
      ['a string in an integer column', 'score', 'abc'],
      ['a fraction in an integer column', 'score', 2.5],
      ['an integer out of range', 'score', 2 ** 40],
      ['a Buffer in an integer column', 'score', Buffer.from([0, 0, 0, 1, 2])],
      ['an object in a text column', 'team', { nested: true }],
    ];

    it.each(cases)(
      '%s: create is a ValidationError naming the column, nothing written',
      async (_label, column, value) => {
        await rejected(repo.create({ ...person('bob'), [column]: value }), column);
        await rejected(repo.createMany([person('cat'), { ...person('bob'), [column]: value }]), column);
        await rejected(repo.upsert({ ...person('ann'), [column]: value }, { conflictColumns: ['email'] }), column);
        await unchanged();
      },
    );

    it.each(cases)(
      '%s: update is a ValidationError naming the column, nothing changed',
      async (_label, column, value) => {
        await rejected(repo.update(ann.id, { [column]: value }), column);
        await rejected(repo.updateMany({ team: 'red' }, { [column]: value }), column);
        await unchanged();
      },
    );
  });

  describe('many-row writes and patches', () => {
    it('updateMany with an empty where needs { all: true }', async () => {
      await rejected(repo.updateMany({}, { score: 5 }));
      await rejected(repo.updateMany(bad(undefined), { score: 5 }));
      await unchanged();
      expect(await repo.updateMany({}, { score: 5 }, { all: true })).toBe(1);
      expect((await repo.getById(ann.id)).score).toBe(5);
    });

    it('an empty patch is a ValidationError and does not touch updated_at', async () => {
      await rejected(repo.update(ann.id, {}));
      await rejected(repo.update(ann.id, { name: undefined }));
      await rejected(repo.updateMany({ team: 'red' }, {}));
      await rejected(repo.updateMany({}, {}, { all: true }));
      await unchanged();
    });

    it('the primary key cannot be changed through update', async () => {
      await rejected(repo.update(ann.id, bad<ContractUpdate>({ id: ann.id + 1000 })), 'id');
      await rejected(repo.updateMany({ team: 'red' }, bad<ContractUpdate>({ id: 5 })), 'id');
      await unchanged();
      // The same key is not a change: the rest of the patch applies.
      expect((await repo.update(ann.id, bad<ContractUpdate>({ id: ann.id, name: 'anna' }))).name).toBe('anna');
    });
  });
}
