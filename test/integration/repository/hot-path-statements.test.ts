import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { BaseRepository } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from './repository-fixture.js';

const spy = statementSpy();
const t = useTestDatabase<PeopleDB>('hot_paths', { ...spy.options, logParameters: true });
let people: BaseRepository<PeopleDB, 'people', 'deleted_at'>;

beforeAll(async () => {
  await createPeopleTable(t.db);
  people = new BaseRepository(t.db, peopleOptions);
});
beforeEach(async () => {
  await sql`truncate people restart identity`.execute(t.db.kysely);
  spy.clear();
});

describe('hot paths reuse one SQL text per shape, with values bound', () => {
  it('findById, create and update', async () => {
    const a = await people.create({ email: 'a@x.io', team: 'red' });
    const b = await people.create({ email: 'b@x.io', team: 'blue' });
    await people.findById(a.id);
    await people.findById(b.id);
    await people.update(a.id, { team: 'green' });
    await people.update(b.id, { team: 'pink' });
    const texts = spy.statements.filter((statement) => !statement.includes('pg_attribute'));
    expect(new Set(texts)).toEqual(
      new Set([
        'insert into "people" ("email", "team", "created_at", "updated_at") values ($1, $2, now(), now()) returning *',
        'select * from "people" where "id" = $1 and "deleted_at" is null',
        'update "people" set "team" = $1, "updated_at" = now() where "id" = $2 and "deleted_at" is null returning *',
      ]),
    );
    expect(texts.join(' ')).not.toContain('x.io'); // values never inlined
  });

  it('a different shape gets its own statement', async () => {
    await people.create({ email: 'a@x.io' });
    await people.create({ email: 'b@x.io', score: 3 });
    const inserts = spy.statements.filter((statement) => statement.startsWith('insert'));
    expect(inserts).toHaveLength(2);
    expect(inserts[0]).not.toBe(inserts[1]);
  });

  it('reads the column catalog once per repository', async () => {
    await people.findById(1);
    await people.findById(2);
    const fresh = new BaseRepository(t.db, peopleOptions);
    await fresh.findById(1);
    await fresh.count();
    expect(spy.statements.filter((statement) => statement.includes('pg_attribute'))).toHaveLength(1);
  });
  it('findMany, count, exists, paginate and delete reuse one text per shape, each call with its own values', async () => {
    await people.createMany([
      { email: 'a@x.io', team: 'red', score: 1 },
      { email: 'b@x.io', team: 'blue', score: 2 },
      { email: 'c@x.io', team: 'red', score: 3 },
    ]);
    spy.clear();
    const red = await people.findMany({ where: { team: 'red' }, limit: 5 });
    const blue = await people.findMany({ where: { team: 'blue' }, limit: 1 });
    expect(red.map((row) => row.email)).toEqual(['a@x.io', 'c@x.io']);
    expect(blue.map((row) => row.email)).toEqual(['b@x.io']);
    expect(await people.count({ team: 'red' })).toBe(2);
    expect(await people.count({ team: 'blue' })).toBe(1);
    expect(await people.exists({ team: 'blue' })).toBe(true);
    expect(await people.exists({ team: 'pink' })).toBe(false);
    const first = await people.paginate({ where: { team: 'red' }, pageSize: 1, page: 2 });
    const second = await people.paginate({ where: { team: 'blue' }, pageSize: 1, page: 1 });
    expect([first.items[0]?.email, first.total, second.items[0]?.email, second.total]).toEqual([
      'c@x.io',
      2,
      'b@x.io',
      1,
    ]);
    await people.delete(1);
    await people.delete(2);
    await expect(people.delete(1)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await people.findMany({ where: { team: 'red' }, limit: 5 })).toHaveLength(1);
    const texts = spy.statements.filter((statement) => !statement.includes('pg_attribute'));
    // Two calls of each shape above, one text for each: findMany, count, exists, paginate's page, update (soft delete).
    expect(new Set(texts).size).toBe(5);
    expect(texts.join(' ')).not.toMatch(/red|blue|x\.io/);
  });
});
