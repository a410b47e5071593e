import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  BaseRepository,
  ConfigError,
  ConflictError,
  type RepositoryMiddleware,
  type RepositoryOperation,
  ValidationError,
} from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from './repository-fixture.js';

const t = useTestDatabase<PeopleDB>('repo_scoping');
let people: BaseRepository<PeopleDB, 'people', 'deleted_at'>;

/** Restricts everything to one team, the way the tenant filter restricts to one tenant. */
const teamScope = (team: string): RepositoryMiddleware => ({ name: `team:${team}`, scope: () => ({ team }) });

class TeamPeople extends BaseRepository<PeopleDB, 'people', 'deleted_at'> {
  highScorers(min: number) {
    return this.query().where('score', '>=', min).orderBy('id').execute();
  }
}

beforeAll(async () => {
  await createPeopleTable(t.db);
  people = new BaseRepository(t.db, peopleOptions);
});
beforeEach(async () => {
  await sql`truncate people restart identity`.execute(t.db.kysely);
  await people.createMany([
    { email: 'r1@x.io', team: 'red', score: 5 },
    { email: 'r2@x.io', team: 'red', score: 50 },
    { email: 'b1@x.io', team: 'blue', score: 60 },
  ]);
});

describe('configuration errors', () => {
  it('names a missing table', async () => {
    // @ts-expect-error not a table of PeopleDB, on purpose
    const missing = new BaseRepository(t.db, { table: 'no_such_table' });
    await expect(missing.count()).rejects.toThrow(ConfigError);
    await expect(missing.count()).rejects.toThrow(/no_such_table/);
  });

  it('names an option that points at a missing column', async () => {
    // @ts-expect-error not a column, on purpose
    const wrong = new BaseRepository(t.db, { table: 'people', softDelete: 'removed_at' });
    await expect(wrong.findById(1)).rejects.toMatchObject({ name: 'ConfigError', option: 'softDelete' });
  });

  it('rejects soft-delete features on a repository without a soft-delete column', async () => {
    const plain = new BaseRepository<PeopleDB, 'people'>(t.db, { table: 'people' });
    // @ts-expect-error withDeleted does not exist without softDelete
    await expect(plain.findById(1, { withDeleted: true })).rejects.toBeInstanceOf(ValidationError);
    await plain.delete(1); // a hard delete
    expect(await people.findById(1, { withDeleted: true })).toBeUndefined();
  });
});

describe('scopes from middleware', () => {
  it('restrict every read and write, including custom finders built on this.query()', async () => {
    const red = new TeamPeople(t.db, { ...peopleOptions, middleware: [teamScope('red')] });
    expect((await red.findMany()).map((row) => row.email)).toEqual(['r1@x.io', 'r2@x.io']);
    expect(await red.count()).toBe(2);
    expect((await red.highScorers(10)).map((row) => row.email)).toEqual(['r2@x.io']);
    await expect(red.getById(3)).rejects.toMatchObject({ name: 'NotFoundError' }); // blue's row: not revealed
    await expect(red.update(3, { score: 0 })).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await red.updateMany({}, { score: 1 }, { all: true })).toBe(2);
    expect((await people.getById(3)).score).toBe(60);
  });

  it('stamp creates, and reject input naming another scope value', async () => {
    const red = new BaseRepository(t.db, { ...peopleOptions, middleware: [teamScope('red')] });
    const created = await red.create({ email: 'new@x.io' });
    expect(created.team).toBe('red');
    await expect(red.create({ email: 'sneaky@x.io', team: 'blue' })).rejects.toBeInstanceOf(ValidationError);
    await expect(red.update(created.id, { team: 'blue' })).rejects.toBeInstanceOf(ValidationError);
    expect(await people.count({ email: 'sneaky@x.io' })).toBe(0);
  });

  it('never upsert over a row of another scope', async () => {
    const red = new BaseRepository(t.db, { ...peopleOptions, middleware: [teamScope('red')] });
    await expect(red.upsert({ email: 'b1@x.io', score: 0 }, { conflictColumns: ['email'] })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await people.findOne({ email: 'b1@x.io' }))?.score).toBe(60);
    expect((await red.upsert({ email: 'r1@x.io', score: 7 }, { conflictColumns: ['email'] })).score).toBe(7);
  });
});

describe('ambient transactions', () => {
  it('repository writes join the surrounding db.transaction and roll back with it', async () => {
    await t.db
      .transaction(async () => {
        await people.create({ email: 'tx@x.io' });
        await people.update(1, { score: 999 });
        expect(await people.count()).toBe(4);
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await people.count()).toBe(3);
    expect((await people.getById(1)).score).toBe(5);
  });

  it('middleware sees the transaction (for after-commit work) only inside one', async () => {
    const seen: Array<RepositoryOperation['transaction']> = [];
    const spy: RepositoryMiddleware = {
      name: 'spy',
      handle: (operation, next) => {
        seen.push(operation.transaction);
        return next();
      },
    };
    const watched = new BaseRepository(t.db, { ...peopleOptions, middleware: [spy] });
    await watched.count();
    await t.db.transaction(() => watched.count());
    expect(seen[0]).toBeUndefined();
    expect(typeof seen[1]?.afterCommit).toBe('function');
  });

  it('database-wide middleware runs before repository middleware', async () => {
    const order: string[] = [];
    const tag = (name: string): RepositoryMiddleware => ({
      name,
      handle: async (_operation, next) => {
        order.push(name);
        return next();
      },
    });
    const db = t.open({ middleware: [tag('database')] });
    const repo = new BaseRepository(db, { ...peopleOptions, middleware: [tag('repository')] });
    await repo.count();
    expect(order).toEqual(['database', 'repository']);
    expect(db.middleware.map((each) => each.name)).toEqual(['database']);
  });
});
