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
});
