import { type Generated, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, TransactionError } from '../../src/index.js';
import { withRollback } from '../../src/testing/index.js';
import { isRealServer, useTestDatabase } from '../support/test-database.js';

interface DB {
  notes: { id: Generated<number>; body: string };
}

const t = useTestDatabase<DB>('with_rollback_misuse');
let notes: BaseRepository<DB, 'notes'>;
const committed = async () =>
  (
    await sql<{ body: string }>`select body from notes order by id`.execute(t.db.outsideTransaction(() => t.db.kysely))
  ).rows.map((row) => row.body);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

beforeAll(async () => {
  await sql`create table notes (id serial primary key, body text not null)`.execute(t.db.kysely);
  notes = new BaseRepository(t.db, { table: 'notes' });
  await notes.count(); // columns loaded: later statements go straight to SQL
});

describe('withRollback misuse reaches the caller as a DataLayerError', () => {
  it('a callback that is not a function, or a db that is not a Database, is a TransactionError', async () => {
    await expect(withRollback(t.db, 42 as never)).rejects.toBeInstanceOf(TransactionError);
    await expect(withRollback({} as never, async () => 1)).rejects.toThrow(
      'withRollback(db, fn): db must be a Database',
    );
    await expect(withRollback(undefined as never, async () => 1)).rejects.toBeInstanceOf(TransactionError);
  });

  it('a write the test did not await fails with TransactionError instead of committing after the rollback', async () => {
    let late: Promise<unknown> | undefined;
    await withRollback(t.db, async () => {
      await notes.create({ body: 'inside' });
      // Settled into a value at once, so the rejection is never "unhandled" while withRollback runs.
      late = nextTurn()
        .then(() => notes.create({ body: 'fire-and-forget' }))
        .then(
          () => 'it ran',
          (error: unknown) => error,
        );
    });
    expect(await late).toBeInstanceOf(TransactionError);
    expect(await committed()).toEqual([]);
  });

  it.runIf(isRealServer())(
    'a savepoint still running when the callback fails finishes inside the transaction, never after its ROLLBACK',
    async () => {
      const failure = new Error('first sibling failed');
      await expect(
        withRollback(t.db, () =>
          Promise.all([
            t.db.transaction(async () => {
              throw failure;
            }),
            t.db.transaction(async () => {
              await notes.create({ body: 'sibling 1' });
              await sql`select pg_sleep(0.2)`.execute(t.db.kysely);
              await notes.create({ body: 'sibling 2' });
            }),
          ]),
        ),
      ).rejects.toBe(failure);
      expect(await committed()).toEqual([]);
    },
  );

  it('a value thrown by the test body that is not an Error is rethrown as it is', async () => {
    const thrown = { reason: 'not an Error' };
    await expect(
      withRollback(t.db, async () => {
        await notes.create({ body: 'x' });
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the point of the test
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(await committed()).toEqual([]);
  });

  it('withRollback nested in withRollback rolls back only its own savepoint', async () => {
    await withRollback(t.db, async () => {
      await notes.create({ body: 'outer' });
      await withRollback(t.db, async () => {
        await notes.create({ body: 'inner' });
        expect(await notes.count()).toBe(2);
      });
      expect((await notes.findMany()).map((row) => row.body)).toEqual(['outer']);
    });
    expect(await committed()).toEqual([]);
  });
});
