import { type Generated, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, SerializationFailureError, TransactionError } from '../../src/index.js';
import { withRollback } from '../../src/testing/index.js';
import { useTestDatabase } from '../support/test-database.js';

interface DB {
  accounts: { id: Generated<number>; owner: string; balance: number };
}

const t = useTestDatabase<DB>('with_rollback_options');
let accounts: BaseRepository<DB, 'accounts'>;
const committedRows = async () =>
  (
    await sql<{ n: number }>`select count(*)::int as n from accounts`.execute(
      t.db.outsideTransaction(() => t.db.kysely),
    )
  ).rows[0]!.n;
const setting = async (name: string) =>
  (await sql<{ value: string }>`select current_setting(${name}) as value`.execute(t.db.kysely)).rows[0]!.value;
const serializationFailure = sql`do $$ begin raise exception 'simulated write skew' using errcode = 'serialization_failure'; end $$`;

/** Code under test, as production has it: the documented serializable pattern. */
function openAccount(owner: string, onAttempt: (attempt: number) => Promise<void> = async () => {}) {
  let attempt = 0;
  return t.db.transaction(
    async () => {
      attempt++;
      const created = await accounts.create({ owner, balance: 0 });
      await onAttempt(attempt);
      return { created, attempt };
    },
    { isolationLevel: 'serializable', retries: 3 },
  );
}

beforeAll(async () => {
  await sql`create table accounts (id serial primary key, owner text not null, balance int not null)`.execute(
    t.db.kysely,
  );
  accounts = new BaseRepository(t.db, { table: 'accounts' });
});

describe('withRollback runs code under test that passes transaction options, unchanged', () => {
  it("accepts db.transaction(fn, { isolationLevel: 'serializable', retries: 3 }) as a savepoint and still rolls everything back", async () => {
    const result = await withRollback(t.db, async () => {
      const { created } = await openAccount('ada');
      expect(await accounts.count()).toBe(1);
      return created;
    });
    expect(result.owner).toBe('ada');
    expect(await committedRows()).toBe(0);
  });

  it('runs at the isolation level given to withRollback; a nested request for another level keeps the outer one', async () => {
    await withRollback(
      t.db,
      async () => {
        expect(await setting('transaction_isolation')).toBe('serializable');
        await t.db.transaction(async () => expect(await setting('transaction_isolation')).toBe('serializable'), {
          isolationLevel: 'read committed',
        });
      },
      { isolationLevel: 'serializable' },
    );
    await withRollback(t.db, async () => {
      await t.db.transaction(async () => expect(await setting('transaction_isolation')).toBe('read committed'), {
        isolationLevel: 'serializable',
        accessMode: 'read only',
      });
    });
  });

  it('retries: a serialization failure rolls back to the savepoint and re-runs the callback, up to `retries` times', async () => {
    const retriesBefore = t.db.metrics().transactions.retries;
    await withRollback(t.db, async () => {
      const { attempt } = await openAccount('bob', async (n) => {
        if (n < 3) await serializationFailure.execute(t.db.kysely);
      });
      expect(attempt).toBe(3);
      expect(await accounts.count()).toBe(1); // the failed attempts' rows were rolled back with their savepoint
    });
    expect(t.db.metrics().transactions.retries - retriesBefore).toBe(2);
    expect(await committedRows()).toBe(0);
  });

  it('retries: once they are used up the error is rethrown, and the test can go on in its transaction', async () => {
    await withRollback(t.db, async () => {
      await accounts.create({ owner: 'kept', balance: 1 });
      await expect(
        openAccount('eve', () => serializationFailure.execute(t.db.kysely).then(() => undefined)),
      ).rejects.toBeInstanceOf(SerializationFailureError);
      expect((await accounts.findMany()).map((row) => row.owner)).toEqual(['kept']);
    });
  });

  it('statementTimeoutMs applies inside the savepoint and the outer value is restored after it', async () => {
    await withRollback(
      t.db,
      async () => {
        expect(await setting('statement_timeout')).toBe('5s');
        await t.db.transaction(async () => expect(await setting('statement_timeout')).toBe('50ms'), {
          statementTimeoutMs: 50,
          retries: 1,
        });
        expect(await setting('statement_timeout')).toBe('5s');
      },
      { statementTimeoutMs: 5_000 },
    );
  });

  it('outside withRollback a nested transaction still refuses options it cannot honour', async () => {
    await expect(t.db.transaction(() => t.db.transaction(async () => 1, { retries: 3 }))).rejects.toBeInstanceOf(
      TransactionError,
    );
    await expect(
      t.db.transaction(() => t.db.transaction(async () => 1, { isolationLevel: 'serializable' })),
    ).rejects.toBeInstanceOf(TransactionError);
  });

  it('withRollback refuses retries and unknown options for its own transaction with a TransactionError', async () => {
    // @ts-expect-error not a withRollback option, on purpose
    await expect(withRollback(t.db, async () => 1, { retries: 2 })).rejects.toThrow(
      'Invalid withRollback option "retries"',
    );
    // @ts-expect-error unknown option, on purpose
    await expect(withRollback(t.db, async () => 1, { isolation: 'serializable' })).rejects.toBeInstanceOf(
      TransactionError,
    );
    await expect(withRollback(t.db, async () => 1, { isolationLevel: 'snapshot' as never })).rejects.toBeInstanceOf(
      TransactionError,
    );
  });
});
