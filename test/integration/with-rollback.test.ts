import { type Generated, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository } from '../../src/index.js';
import { withRollback } from '../../src/testing/index.js';
import { useTestDatabase } from '../support/test-database.js';

interface DB {
  notes: { id: Generated<number>; body: string };
}

const t = useTestDatabase<DB>('with_rollback');
let notes: BaseRepository<DB, 'notes'>;
const count = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from notes`.execute(t.db.kysely)).rows[0]!.n;

beforeAll(async () => {
  await sql`create table notes (id serial primary key, body text not null)`.execute(t.db.kysely);
  notes = new BaseRepository(t.db, { table: 'notes' });
});

describe('withRollback', () => {
  it('returns what the test body returns and leaves no rows behind', async () => {
    const created = await withRollback(t.db, async () => {
      const note = await notes.create({ body: 'temporary' });
      expect(await notes.count()).toBe(1);
      return note;
    });
    expect(created.body).toBe('temporary');
    expect(await count()).toBe(0);
  });

  it("turns the code under test's own transactions into savepoints, and never runs afterCommit", async () => {
    const hooks: string[] = [];
    await withRollback(t.db, async () => {
      await t.db.transaction(async (tx) => {
        await notes.create({ body: 'inner' });
        tx.afterCommit(() => void hooks.push('commit'));
        tx.afterRollback(() => void hooks.push('rollback'));
      });
      expect(await notes.count()).toBe(1);
    });
    expect(await count()).toBe(0);
    expect(hooks).toEqual(['rollback']);
  });

  it('rethrows the test body’s own error, still rolling back', async () => {
    const failure = new Error('assertion failed');
    await expect(
      withRollback(t.db, async () => {
        await notes.create({ body: 'x' });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await count()).toBe(0);
  });
});
