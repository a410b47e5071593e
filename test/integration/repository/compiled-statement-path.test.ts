import { type KyselyPlugin, sql } from 'kysely';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { BaseRepository, ConflictError, type Database, TransactionError } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { hasConcurrentSessions, useTestDatabase } from '../../support/test-database.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from './repository-fixture.js';

const spy = statementSpy();
const t = useTestDatabase<PeopleDB>('compiled_path', spy.options);
let people: BaseRepository<PeopleDB, 'people', 'deleted_at'>;

beforeAll(async () => {
  await createPeopleTable(t.db);
  people = new BaseRepository(t.db, { ...peopleOptions, coalesce: false });
  await people.count(); // reads the column catalog (through db.kysely) before any spy
});
beforeEach(async () => {
  await sql`truncate people restart identity`.execute(t.db.kysely);
  spy.clear();
});
afterEach(() => void vi.restoreAllMocks());

/** `db` as a wrapper would present it: the same methods, its own `kysely`. */
function wrapped(db: Database<PeopleDB>, kysely: Database<PeopleDB>['kysely']): Database<PeopleDB> {
  return new Proxy(db, {
    get(target, key) {
      if (key === 'kysely') return kysely;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('compiled repository statements run on the connection db.kysely would use, without its executor', () => {
  it('skip Kysely executeQuery and still pass the instrumented driver (hook, metrics)', async () => {
    const executeQuery = vi.spyOn(t.db.kysely, 'executeQuery');
    const before = t.db.metrics().queries.total;
    const row = await people.create({ email: 'a@x.io', team: 'red' });
    expect(await people.findById(row.id)).toMatchObject({ email: 'a@x.io' });
    expect(await people.update(row.id, { team: 'blue' })).toMatchObject({ team: 'blue' });
    expect(await people.count({ team: 'blue' })).toBe(1);
    expect(await people.exists({ team: 'red' })).toBe(false);
    expect(await people.findMany({ where: { team: 'blue' }, limit: 2 })).toHaveLength(1);
    await people.delete(row.id);
    expect(executeQuery).not.toHaveBeenCalled();
    expect(t.db.metrics().queries.total - before).toBe(7);
    expect(spy.statements).toHaveLength(7);
  });

  it('join the ambient transaction, and roll back with it', async () => {
    const failure = new Error('roll back');
    await expect(
      t.db.transaction(async () => {
        const row = await people.create({ email: 'b@x.io' });
        expect(await people.findById(row.id)).toMatchObject({ email: 'b@x.io' });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await people.count()).toBe(0);
    expect(t.db.metrics().pool.active).toBe(0); // every connection back
  });

  it('reject with the mapped error, and release the pooled connection', async () => {
    await people.create({ email: 'c@x.io' });
    await expect(people.create({ email: 'c@x.io' })).rejects.toBeInstanceOf(ConflictError);
    expect(t.db.metrics().pool.active).toBe(0);
  });

  it.runIf(hasConcurrentSessions())(
    "keep strictTransactions: a pooled statement inside another handle's transaction is refused",
    async () => {
      const strict = t.open({ strictTransactions: true });
      const strictPeople = new BaseRepository(strict, { ...peopleOptions, coalesce: false });
      await strictPeople.count(); // the catalog is read: what follows is the compiled statement alone
      await t.db.transaction(async () => {
        await expect(strictPeople.findById(1)).rejects.toBeInstanceOf(TransactionError);
        await expect(strict.outsideTransaction(() => strictPeople.count())).resolves.toBe(0);
      });
    },
  );

  it('run through the kysely of a Database that is not one createDatabase made (its plugins apply)', async () => {
    const seen: string[] = [];
    const plugin: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: (args) => {
        seen.push('result');
        return Promise.resolve(args.result);
      },
    };
    const wrapper = wrapped(t.db, t.db.kysely.withPlugin(plugin));
    const viaWrapper = new BaseRepository(wrapper, { ...peopleOptions, coalesce: false });
    const row = await viaWrapper.create({ email: 'd@x.io' });
    await viaWrapper.findById(row.id);
    expect(seen.length).toBeGreaterThanOrEqual(3); // the catalog read, the insert, the read
  });
});
