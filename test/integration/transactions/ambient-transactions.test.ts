import { type Generated, sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DatabaseTransaction, TransactionError } from '../../../src/index.js';
import { sleep } from '../../support/async.js';
import { hasConcurrentSessions, isRealServer, useTestDatabase } from '../../support/test-database.js';

interface DB {
  items: { id: Generated<number>; label: string };
}

const t = useTestDatabase<DB>('ambient');
const labels = async () =>
  (await t.db.kysely.selectFrom('items').select('label').orderBy('id').execute()).map((row) => row.label);

beforeAll(async () => {
  await sql`create table items (id serial primary key, label text not null)`.execute(t.db.kysely);
});
beforeEach(async () => {
  await sql`truncate items`.execute(t.db.kysely);
});

describe('db.transaction', () => {
  it('commits and returns what the callback returns', async () => {
    const result = await t.db.transaction(async (tx) => {
      expect(tx).toBeInstanceOf(DatabaseTransaction);
      expect(tx.depth).toBe(0);
      await tx.insertInto('items').values({ label: 'a' }).execute();
      return 42;
    });
    expect(result).toBe(42);
    expect(await labels()).toEqual(['a']);
  });

  it('rolls back everything and rethrows when the callback throws', async () => {
    const failure = new Error('boom');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.insertInto('items').values({ label: 'a' }).execute();
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await labels()).toEqual([]);
  });

  it('makes db.kysely ambient across awaits, timers and Promise.all', async () => {
    const helper = async (label: string) => {
      await sleep(5);
      await t.db.kysely.insertInto('items').values({ label }).execute();
    };
    await expect(
      t.db.transaction(async () => {
        await helper('awaited');
        await new Promise<void>((resolve, reject) => setTimeout(() => void helper('timer').then(resolve, reject), 5));
        await Promise.all([helper('all-1'), helper('all-2')]);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from items`.execute(t.db.kysely);
        expect(rows[0]!.n).toBe(4);
        throw new Error('roll it all back');
      }),
    ).rejects.toThrow('roll it all back');
    expect(await labels()).toEqual([]);
  });

  it.runIf(isRealServer())('runs every ambient statement on the one transaction connection', async () => {
    const pids = await t.db.transaction(async () => {
      const pid = async () =>
        (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(t.db.kysely)).rows[0]!.pid;
      return Promise.all([pid(), pid(), sleep(5).then(pid)]);
    });
    expect(new Set(pids).size).toBe(1);
  });

  it.runIf(hasConcurrentSessions())(
    'keeps other callers outside the transaction on the pool, not seeing uncommitted rows',
    async () => {
      await t.db.transaction(async () => {
        await t.db.kysely.insertInto('items').values({ label: 'uncommitted' }).execute();
        const seenOutside = await t.db.outsideTransaction(() => t.db.kysely.selectFrom('items').selectAll().execute());
        expect(seenOutside).toEqual([]);
      });
      expect(await labels()).toEqual(['uncommitted']);
    },
  );

  it.runIf(hasConcurrentSessions())(
    'outsideTransaction writes survive the rollback of the surrounding transaction',
    async () => {
      await expect(
        t.db.transaction(async () => {
          await t.db.kysely.insertInto('items').values({ label: 'inside' }).execute();
          await t.db.outsideTransaction(() => t.db.kysely.insertInto('items').values({ label: 'audit' }).execute());
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await labels()).toEqual(['audit']);
    },
  );

  it('exposes the ambient transaction through currentTransaction()', async () => {
    expect(t.db.currentTransaction()).toBeUndefined();
    await t.db.transaction(async () => {
      expect(t.db.currentTransaction()?.depth).toBe(0);
      await t.db.transaction(async () => {
        expect(t.db.currentTransaction()?.depth).toBe(1);
      });
    });
  });
});

describe('a handle used after its transaction ended', () => {
  it('throws TransactionError instead of falling back to the pool', async () => {
    let leaked: DatabaseTransaction<DB> | undefined;
    await t.db.transaction(async (tx) => {
      leaked = tx;
    });
    expect(leaked?.isActive).toBe(false);
    await expect(leaked!.insertInto('items').values({ label: 'late' }).execute()).rejects.toBeInstanceOf(
      TransactionError,
    );
    expect(() => leaked!.afterCommit(() => {})).toThrow(TransactionError);
    expect(await labels()).toEqual([]);
  });

  it('throws for ambient work that outlives the transaction (fire and forget)', async () => {
    let late: Promise<unknown> | undefined;
    await t.db.transaction(async () => {
      late = sleep(30).then(() => t.db.kysely.insertInto('items').values({ label: 'late' }).execute());
    });
    await expect(late).rejects.toBeInstanceOf(TransactionError);
    expect(await labels()).toEqual([]);
  });

  it('throws for a savepoint handle used after the savepoint ended, while the outer one goes on', async () => {
    await t.db.transaction(async () => {
      let inner: DatabaseTransaction<DB> | undefined;
      await t.db.transaction(async (tx) => {
        inner = tx;
      });
      await expect(inner!.selectFrom('items').selectAll().execute()).rejects.toBeInstanceOf(TransactionError);
      await t.db.kysely.insertInto('items').values({ label: 'outer still works' }).execute();
    });
    expect(await labels()).toEqual(['outer still works']);
  });
});

describe('options', () => {
  it('applies isolation level and access mode', async () => {
    const level = await t.db.transaction(
      async () =>
        (await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(t.db.kysely))
          .rows[0]!.level,
      { isolationLevel: 'repeatable read' },
    );
    expect(level).toBe('repeatable read');
    await expect(
      t.db.transaction(() => t.db.kysely.insertInto('items').values({ label: 'x' }).execute(), {
        accessMode: 'read only',
      }),
    ).rejects.toMatchObject({ name: 'QueryError', sqlState: '25006' });
  });

  it.runIf(isRealServer())('applies statementTimeoutMs with SET LOCAL, so it ends with the transaction', async () => {
    await expect(
      t.db.transaction(() => sql`select pg_sleep(1)`.execute(t.db.kysely), { statementTimeoutMs: 50 }),
    ).rejects.toMatchObject({
      name: 'StatementTimeoutError',
    });
    const after = await sql<{ value: string }>`select current_setting('statement_timeout') as value`.execute(
      t.db.kysely,
    );
    expect(after.rows[0]!.value).toBe('0');
  });

  it.each([
    [{ isolationLevel: 'chaos' }, 'isolationLevel'],
    [{ retries: -1 }, 'retries'],
    [{ statementTimeoutMs: 0 }, 'statementTimeoutMs'],
    [{ signal: 'stop' }, 'signal'],
    [{ retry: 3 }, 'retry'],
  ])('rejects %j with a TransactionError naming the option, before touching the database', async (options, option) => {
    const before = t.db.metrics().queries.total;
    // @ts-expect-error deliberately wrong options
    const error = await t.db.transaction(async () => {}, options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionError);
    expect((error as Error).message).toContain(`"${option}"`);
    expect(t.db.metrics().queries.total).toBe(before);
  });

  it("refuses kysely's own transaction() inside db.transaction(), which would commit early", async () => {
    await expect(
      t.db.transaction(() =>
        t.db.kysely.transaction().execute(async (trx) => trx.insertInto('items').values({ label: 'x' }).execute()),
      ),
    ).rejects.toBeInstanceOf(TransactionError);
    expect(await labels()).toEqual([]);
  });
});
