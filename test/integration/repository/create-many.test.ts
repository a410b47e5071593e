import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { BaseRepository, ConflictError, ValidationError } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from './repository-fixture.js';

const spy = statementSpy();
const t = useTestDatabase<PeopleDB>('create_many', spy.options);
let people: BaseRepository<PeopleDB, 'people', 'deleted_at'>;
const inputs = (count: number, prefix = 'p') =>
  Array.from({ length: count }, (_, i) => ({ email: `${prefix}${i}@x.io`, team: i % 2 ? 'odd' : 'even', score: i }));

beforeAll(async () => {
  await createPeopleTable(t.db);
  people = new BaseRepository(t.db, peopleOptions);
});
beforeEach(async () => {
  await sql`truncate people restart identity`.execute(t.db.kysely);
  spy.clear();
});

describe('createMany', () => {
  it('inserts in as few statements as the 65,535-parameter limit allows, returning rows in input order', async () => {
    // 3 bound columns: 21,845 rows per statement, so 50,000 rows take 3 statements.
    const rows = await people.createMany(inputs(50_000));
    expect(rows).toHaveLength(50_000);
    expect(rows.map((row) => row.score)).toEqual(inputs(50_000).map((input) => input.score));
    const inserts = spy.statements.filter((statement) => statement.startsWith('insert'));
    expect(inserts).toHaveLength(3);
    expect(spy.statements.filter((statement) => statement === 'begin' || statement === 'commit')).toEqual([
      'begin',
      'commit',
    ]);
    expect(await people.count()).toBe(50_000);
  });

  it('is all or nothing across chunks: a conflict in the last chunk leaves nothing behind', async () => {
    await people.create({ email: 'taken@x.io' });
    const batch = [...inputs(30_000), { email: 'taken@x.io', team: null, score: 0 }];
    await expect(people.createMany(batch)).rejects.toBeInstanceOf(ConflictError);
    expect(await people.count()).toBe(1);
  });

  it('validates every item before writing anything', async () => {
    const batch: Array<Record<string, unknown>> = [...inputs(3), { email: 'x@x.io', nickname: 'nope' }];
    // @ts-expect-error an unknown column, on purpose
    await expect(people.createMany(batch)).rejects.toBeInstanceOf(ValidationError);
    expect(spy.statements.filter((statement) => statement.startsWith('insert'))).toHaveLength(0);
  });

  it('inside an ambient transaction, a failed batch rolls back only its savepoint', async () => {
    await t.db.transaction(async () => {
      await people.create({ email: 'kept@x.io' });
      await expect(
        people.createMany([...inputs(25_000), { email: 'kept@x.io', team: null, score: 0 }]),
      ).rejects.toBeInstanceOf(ConflictError);
    });
    expect(await people.count()).toBe(1);
  });
});
