import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { SerializationFailureError } from '../../../src/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { useTestDatabase } from '../../support/test-database.js';

interface DB {
  items: { label: string };
}

const logger = captureLogger();
const t = useTestDatabase<DB>('hooks', { logger });

beforeAll(async () => {
  await sql`create table items (label text not null)`.execute(t.db.kysely);
});

describe('afterCommit', () => {
  it('runs once, in registration order, after COMMIT, outside the transaction', async () => {
    const calls: string[] = [];
    await t.db.transaction(async (tx) => {
      tx.afterCommit(() => void calls.push('outer 1'));
      await t.db.transaction(async (inner) => {
        inner.afterCommit(() => void calls.push('inner'));
      });
      tx.afterCommit(async () => {
        // Outside the transaction: sees committed data on the pool.
        expect(t.db.currentTransaction()).toBeUndefined();
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from items where label = 'committed'`.execute(t.db.kysely);
        calls.push(`outer 2 sees ${rows[0]!.n}`);
      });
      await t.db.kysely.insertInto('items').values({ label: 'committed' }).execute();
      expect(calls).toEqual([]);
    });
    expect(calls).toEqual(['outer 1', 'inner', 'outer 2 sees 1']);
  });

  it('keeps registration order across concurrent savepoints', async () => {
    const calls: string[] = [];
    await t.db.transaction(async (tx) => {
      await Promise.all([
        t.db.transaction(async (a) => {
          a.afterCommit(() => void calls.push('a, registered first, released last'));
          await new Promise((resolve) => setTimeout(resolve, 30));
        }),
        new Promise((resolve) => setTimeout(resolve, 10)).then(() => tx.afterCommit(() => void calls.push('outer'))),
      ]);
    });
    expect(calls).toEqual(['a, registered first, released last', 'outer']);
  });

  it('drops hooks of a savepoint that rolled back, keeps the others', async () => {
    const calls: string[] = [];
    await t.db.transaction(async (tx) => {
      tx.afterCommit(() => void calls.push('outer'));
      await t.db
        .transaction(async (inner) => {
          inner.afterCommit(() => void calls.push('rolled back'));
          throw new Error('savepoint fails');
        })
        .catch(() => {});
    });
    expect(calls).toEqual(['outer']);
  });

  it('never runs hooks of a failed attempt; only the successful attempt counts', async () => {
    const calls: string[] = [];
    let attempt = 0;
    await t.db.transaction(
      async (tx) => {
        attempt++;
        tx.afterCommit(() => void calls.push(`attempt ${attempt}`));
        if (attempt === 1) throw new SerializationFailureError('simulated', { sqlState: '40001' });
      },
      { retries: 1 },
    );
    expect(calls).toEqual(['attempt 2']);
  });

  it('never runs when the transaction rolls back', async () => {
    const calls: string[] = [];
    await t.db
      .transaction(async (tx) => {
        tx.afterCommit(() => void calls.push('commit'));
        throw new Error('rollback');
      })
      .catch(() => {});
    expect(calls).toEqual([]);
  });

  it('logs a failing hook and still reports the committed transaction as a success', async () => {
    const calls: string[] = [];
    const result = await t.db.transaction(async (tx) => {
      tx.afterCommit(() => {
        throw new Error('hook exploded');
      });
      tx.afterCommit(() => void calls.push('next hook still runs'));
      await t.db.kysely.insertInto('items').values({ label: 'kept despite hook' }).execute();
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(calls).toEqual(['next hook still runs']);
    expect(
      logger.lines.some((line) => line.level === 'error' && line.message?.startsWith('afterCommit hook failed')),
    ).toBe(true);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from items where label = 'kept despite hook'`.execute(t.db.kysely);
    expect(rows[0]!.n).toBe(1);
  });

  it('db.afterCommit registers on the ambient transaction, or runs at once outside one', async () => {
    const calls: string[] = [];
    await t.db.afterCommit(() => void calls.push('immediately'));
    await t.db.transaction(async () => {
      await t.db.afterCommit(() => void calls.push('after commit'));
      calls.push('inside');
    });
    expect(calls).toEqual(['immediately', 'inside', 'after commit']);
  });
});

describe('afterRollback', () => {
  it('runs with the error after the outermost ROLLBACK, never after a commit', async () => {
    const seen: unknown[] = [];
    const failure = new Error('rolled back');
    await t.db
      .transaction(async (tx) => {
        tx.afterRollback((error) => void seen.push(error));
        throw failure;
      })
      .catch(() => {});
    await t.db.transaction(async (tx) => {
      tx.afterRollback(() => void seen.push('must not run'));
    });
    expect(seen).toEqual([failure]);
  });

  it('runs right after a savepoint rolls back, and moves up with a released savepoint', async () => {
    const calls: string[] = [];
    await t.db
      .transaction(async () => {
        await t.db
          .transaction(async (inner) => {
            inner.afterRollback(() => void calls.push('savepoint rolled back'));
            throw new Error('x');
          })
          .catch(() => {});
        calls.push('outer continues');
        await t.db.transaction(async (released) => {
          released.afterRollback(() => void calls.push('released, then outer rolled back'));
        });
        throw new Error('outer fails');
      })
      .catch(() => {});
    expect(calls).toEqual(['savepoint rolled back', 'outer continues', 'released, then outer rolled back']);
  });

  it('runs for each failed attempt of a retried transaction', async () => {
    const calls: number[] = [];
    let attempt = 0;
    await t.db.transaction(
      async (tx) => {
        attempt++;
        tx.afterRollback(() => void calls.push(attempt));
        if (attempt < 3) throw new SerializationFailureError('simulated', { sqlState: '40001' });
      },
      { retries: 3 },
    );
    expect(calls).toEqual([1, 2]);
  });
});
