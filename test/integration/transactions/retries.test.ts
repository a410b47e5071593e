import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { QueryError, SerializationFailureError } from '../../../src/index.js';
import { type Gate, gate } from '../../support/async.js';
import { captureLogger } from '../../support/capture-logger.js';
import { hasConcurrentSessions, useTestDatabase } from '../../support/test-database.js';

interface DB {
  ledger: { class: number; value: number };
}

const logger = captureLogger();
const t = useTestDatabase<DB>('retries', { logger });

beforeAll(async () => {
  await sql`create table ledger (class int not null, value int not null)`.execute(t.db.kysely);
});
beforeEach(async () => {
  await sql`truncate ledger; insert into ledger values (1, 10), (1, 20), (2, 100), (2, 200)`.execute(t.db.kysely);
  logger.lines.length = 0;
});

/**
 * The classic write-skew: each transaction sums one class and inserts the sum into the
 * other. Under serializable, one of two concurrent runs must fail with 40001. On its
 * first attempt each waits for the other to have read, so the conflict really happens.
 */
function transfer(db: typeof t.db, from: number, to: number, mine: Gate, theirs: Gate, attempts: number[]) {
  return db.transaction(
    async () => {
      attempts.push(from);
      const { rows } = await sql<{
        total: number;
      }>`select sum(value)::int as total from ledger where class = ${from}`.execute(db.kysely);
      mine.open();
      await theirs.promise;
      await db.kysely.insertInto('ledger').values({ class: to, value: rows[0]!.total }).execute();
    },
    { isolationLevel: 'serializable', retries: 5 },
  );
}

describe.runIf(hasConcurrentSessions())('retrying the outermost transaction', () => {
  it('lets two conflicting serializable transactions both finish, with the result of a serial order', async () => {
    const first = t.open({ logger });
    const second = t.open({ logger });
    const read = { a: gate(), b: gate() };
    const attempts: number[] = [];
    await Promise.all([
      transfer(first, 1, 2, read.a, read.b, attempts),
      transfer(second, 2, 1, read.b, read.a, attempts),
    ]);

    // One of them ran twice: a 40001 made it re-run from scratch.
    expect(attempts).toHaveLength(3);
    expect(first.metrics().transactions.retries + second.metrics().transactions.retries).toBe(1);
    expect(
      logger.lines.filter((line) => line.message === 'transaction failed with a retryable error; re-running it'),
    ).toHaveLength(1);

    const sums = (
      await sql<{
        class: number;
        total: number;
      }>`select class, sum(value)::int as total from ledger group by class order by class`.execute(t.db.kysely)
    ).rows;
    // Serial orders: 1 then 2 gives class2 = 300+30 = 330, class1 = 30+330 = 360;
    //                2 then 1 gives class1 = 30+300 = 330, class2 = 300+330 = 630.
    expect([JSON.stringify(sums)]).toContain(
      [
        JSON.stringify([
          { class: 1, total: 360 },
          { class: 2, total: 330 },
        ]),
        JSON.stringify([
          { class: 1, total: 330 },
          { class: 2, total: 630 },
        ]),
      ].find((serial) => serial === JSON.stringify(sums)),
    );
    expect(sums.map((row) => row.total).sort()).not.toEqual([330, 330]); // the write-skew outcome
  });

  it('surfaces SerializationFailureError once retries are exhausted (retries: 0 by default)', async () => {
    const first = t.open();
    const second = t.open();
    const read = { a: gate(), b: gate() };
    const run = (db: typeof first, from: number, to: number, mine: Gate, theirs: Gate) =>
      db.transaction(
        async () => {
          const { rows } = await sql<{
            total: number;
          }>`select sum(value)::int as total from ledger where class = ${from}`.execute(db.kysely);
          mine.open();
          await theirs.promise;
          await db.kysely.insertInto('ledger').values({ class: to, value: rows[0]!.total }).execute();
        },
        { isolationLevel: 'serializable' },
      );
    const results = await Promise.allSettled([run(first, 1, 2, read.a, read.b), run(second, 2, 1, read.b, read.a)]);
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.reason).toBeInstanceOf(SerializationFailureError);
  });
});

describe('what is never retried', () => {
  it('re-runs nothing for errors that are not serialization failures or deadlocks', async () => {
    let calls = 0;
    await expect(
      t.db.transaction(
        async () => {
          calls++;
          await sql`select * from no_such_table`.execute(t.db.kysely);
        },
        { retries: 5 },
      ),
    ).rejects.toBeInstanceOf(QueryError);
    const plain = new Error('application error');
    await expect(
      t.db.transaction(
        async () => {
          calls++;
          throw plain;
        },
        { retries: 5 },
      ),
    ).rejects.toBe(plain);
    expect(calls).toBe(2);
  });

  it('starts each attempt fresh: a retryable error thrown by the callback re-runs it on a new transaction', async () => {
    let calls = 0;
    const pids: number[] = [];
    const result = await t.db.transaction(
      async (tx) => {
        calls++;
        pids.push((await sql<{ pid: number }>`select txid_current()::int as pid`.execute(tx)).rows[0]!.pid);
        await tx.insertInto('ledger').values({ class: 9, value: calls }).execute();
        if (calls < 3) throw new SerializationFailureError('simulated', { sqlState: '40001' });
        return calls;
      },
      { retries: 3 },
    );
    expect(result).toBe(3);
    expect(new Set(pids).size).toBe(3);
    const rows = await t.db.kysely.selectFrom('ledger').select('value').where('class', '=', 9).execute();
    expect(rows).toEqual([{ value: 3 }]); // the failed attempts left nothing behind
  });
});
