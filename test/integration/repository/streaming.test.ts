import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository } from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from './repository-fixture.js';

const t = useTestDatabase<PeopleDB>('streaming');
let people: BaseRepository<PeopleDB, 'people', 'deleted_at'>;

beforeAll(async () => {
  await createPeopleTable(t.db);
  people = new BaseRepository(t.db, peopleOptions);
  await sql`insert into people (email, team, score) select 'p' || i || '@x.io', case when i % 10 = 0 then 'tenth' end, i from generate_series(1, 100000) i`.execute(
    t.db.kysely,
  );
  await sql`update people set deleted_at = now() where score % 1000 = 0`.execute(t.db.kysely);
});

describe('stream', () => {
  it('yields every visible row in order through a server-side cursor', async () => {
    let count = 0;
    let previous = 0;
    let ordered = true;
    for await (const row of people.stream({}, { batchSize: 1_000 })) {
      ordered &&= row.id > previous;
      previous = row.id;
      count++;
    }
    expect(count).toBe(99_900);
    expect(ordered).toBe(true);
    expect(t.db.metrics().pool.active).toBe(0);
  });

  it('applies where filters and keeps memory flat by fetching batches', async () => {
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let peak = 0;
    for await (const row of people.stream({ team: 'tenth' }, { batchSize: 100 })) {
      expect(row.team).toBe('tenth');
      if (++count % 1_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(count).toBe(9_900);
    expect(peak).toBeLessThan(64 * 2 ** 20);
  });

  it('closes the cursor and returns the connection when the consumer stops early', async () => {
    const db = t.open({ pool: { max: 1 } });
    const repo = new BaseRepository(db, peopleOptions);
    let seen = 0;
    for await (const _row of repo.stream({}, { batchSize: 50 })) {
      if (++seen === 10) break;
    }
    expect(seen).toBe(10);
    expect(db.metrics().pool.active).toBe(0);
    // The single connection is usable again at once: nothing is left streaming on it.
    await expect(repo.count({ team: 'tenth' })).resolves.toBe(9_900);
  });

  it('streams on the ambient transaction connection, seeing its uncommitted rows', async () => {
    await t.db
      .transaction(async () => {
        await people.create({ email: 'uncommitted@x.io', team: 'fresh' });
        const seen: string[] = [];
        for await (const row of people.stream({ team: 'fresh' })) seen.push(row.email);
        expect(seen).toEqual(['uncommitted@x.io']);
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await people.count({ team: 'fresh' })).toBe(0);
  });
});
