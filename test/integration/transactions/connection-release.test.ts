import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  ConflictError,
  ConnectionError,
  type Database,
  SerializationFailureError,
  StatementTimeoutError,
  TransactionError,
} from '../../../src/index.js';
import { sleep } from '../../support/async.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';

interface DB {
  items: { id: number; label: string };
  deferred: { id: number };
}

const t = useTestDatabase<DB>('release');

beforeAll(async () => {
  await sql`
    create table items (id int primary key, label text not null);
    create table deferred (id int, constraint deferred_id_key unique (id) deferrable initially deferred);
    insert into deferred values (1);
  `.execute(t.db.kysely);
});

/** Connections of one application name still inside a transaction on the server. */
async function idleInTransaction(applicationName: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity where application_name = ${applicationName} and state like 'idle in transaction%'
  `.execute(t.db.kysely);
  return rows[0]!.n;
}

describe('the COMMIT itself', () => {
  it('maps a failing COMMIT (deferred constraint) to its typed error and returns the connection', async () => {
    const db = t.open({ pool: { max: 1 } });
    await expect(
      db.transaction(() => db.kysely.insertInto('deferred').values({ id: 1 }).execute()),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(db.metrics().pool.active).toBe(0);
    await expect(sql`select 1`.execute(db.kysely)).resolves.toBeDefined();
    expect(db.metrics().transactions).toMatchObject({ active: 0, rolledBack: 1 });
  });

  it('refuses to report success when an earlier statement failed and its error was swallowed', async () => {
    const db = t.open({ pool: { max: 1 } });
    const error = await db
      .transaction(async () => {
        await db.kysely.insertInto('items').values({ id: 100, label: 'lost' }).execute();
        await sql`select * from no_such_table`.execute(db.kysely).catch(() => {}); // swallowed
      })
      .catch((caught: unknown) => caught);
    // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK, not an error.
    expect(error).toBeInstanceOf(TransactionError);
    expect((error as Error).message).toMatch(/nothing was committed/);
    expect(await db.kysely.selectFrom('items').selectAll().where('id', '=', 100).execute()).toEqual([]);
  });
});

describe('abort signal', () => {
  it('rolls back when the signal fires mid-transaction: the next statement fails and nothing commits', async () => {
    const controller = new AbortController();
    const error = await t.db
      .transaction(
        async () => {
          await t.db.kysely.insertInto('items').values({ id: 200, label: 'aborted' }).execute();
          controller.abort(new Error('client went away'));
          await t.db.kysely.insertInto('items').values({ id: 201, label: 'never' }).execute();
        },
        { signal: controller.signal },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionError);
    expect((error as Error).message).toContain('client went away');
    expect(await t.db.kysely.selectFrom('items').selectAll().where('id', '>=', 200).execute()).toEqual([]);
    expect(t.db.metrics().pool.active).toBe(0);
  });

  it('never commits a callback that finished after the abort, and rejects an already-aborted signal up front', async () => {
    const controller = new AbortController();
    await expect(
      t.db.transaction(
        async () => {
          await t.db.kysely.insertInto('items').values({ id: 210, label: 'x' }).execute();
          controller.abort();
        },
        { signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(TransactionError);
    const before = t.db.metrics().acquire.total;
    await expect(t.db.transaction(async () => {}, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      TransactionError,
    );
    expect(t.db.metrics().acquire.total).toBe(before + 1);
    expect(await t.db.kysely.selectFrom('items').selectAll().where('id', '=', 210).execute()).toEqual([]);
  });
});

describe.runIf(isRealServer())('a connection broken mid-transaction', () => {
  it('is destroyed, not returned to the pool', async () => {
    const db = t.open({ pool: { max: 1 } });
    const pidBefore = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely)).rows[0]!.pid;
    await expect(
      db.transaction(() => sql`select pg_terminate_backend(pg_backend_pid())`.execute(db.kysely)),
    ).rejects.toBeInstanceOf(ConnectionError);
    expect(db.metrics().pool).toMatchObject({ active: 0 });
    const pidAfter = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely)).rows[0]!.pid;
    expect(pidAfter).not.toBe(pidBefore);
  });
});

describe.runIf(isRealServer())('a connection whose backend dies between statements', () => {
  it('does not crash the process with an unhandled error; the next statement fails typed', async () => {
    const db = t.open({ pool: { max: 1 } });
    const error = await db
      .transaction(async () => {
        const { pid } = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely)).rows[0]!;
        // Another handle (its own pool) kills this backend while we sit idle in the transaction.
        await sql`select pg_terminate_backend(${pid})`.execute(t.db.kysely);
        await sleep(100);
        await sql`select 1`.execute(db.kysely);
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(db.metrics().pool.active).toBe(0);
    await expect(sql`select 1 as ok`.execute(db.kysely)).resolves.toMatchObject({ rows: [{ ok: 1 }] });
  });
});

describe.runIf(isRealServer())('1,000 random mixes of outcomes', () => {
  it('always returns every connection to the pool, leaving none in a transaction', async () => {
    const applicationName = `release-${Date.now()}`;
    const db: Database<DB> = t.open({ pool: { max: 4, connectionTimeoutMs: 10_000 }, applicationName });
    let seed = 20_261_122;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let nextId = 1_000;

    const scenarios: Array<() => Promise<unknown>> = [
      // commit
      () => db.transaction(() => db.kysely.insertInto('items').values({ id: nextId++, label: 'commit' }).execute()),
      // the callback throws
      () =>
        db
          .transaction(async () => {
            await db.kysely.insertInto('items').values({ id: nextId++, label: 'rollback' }).execute();
            throw new Error('callback failed');
          })
          .then(fail, expectError(Error)),
      // a nested savepoint fails, the outer commits
      () =>
        db.transaction(async () => {
          await db
            .transaction(async () => {
              throw new Error('inner');
            })
            .catch(() => {});
          await Promise.all([
            db.transaction(() => sleep(1)),
            db.kysely.insertInto('items').values({ id: nextId++, label: 'outer' }).execute(),
          ]);
        }),
      // COMMIT fails on a deferred unique constraint
      () =>
        db
          .transaction(() => db.kysely.insertInto('deferred').values({ id: 1 }).execute())
          .then(fail, expectError(ConflictError)),
      // a swallowed error makes COMMIT roll back
      () =>
        db
          .transaction(() => sql`select 1/0`.execute(db.kysely).catch(() => undefined))
          .then(fail, expectError(TransactionError)),
      // the signal aborts mid-transaction
      () => {
        const controller = new AbortController();
        return db
          .transaction(
            async () => {
              setTimeout(() => controller.abort(), 0);
              await sleep(2);
              await sql`select 1`.execute(db.kysely);
            },
            { signal: controller.signal },
          )
          .then(fail, expectError(TransactionError));
      },
      // the connection breaks
      () =>
        db
          .transaction(() => sql`select pg_terminate_backend(pg_backend_pid())`.execute(db.kysely))
          .then(fail, expectError(ConnectionError)),
      // a statement times out
      () =>
        db
          .transaction(() => sql`select pg_sleep(0.05)`.execute(db.kysely), { statementTimeoutMs: 5 })
          .then(fail, expectError(StatementTimeoutError)),
      // a retried attempt
      () => {
        let attempt = 0;
        return db.transaction(
          async () => {
            if (attempt++ === 0) throw new SerializationFailureError('simulated', { sqlState: '40001' });
          },
          { retries: 1 },
        );
      },
    ];

    const counts = new Array<number>(scenarios.length).fill(0);
    let index = 0;
    const worker = async () => {
      while (index < 1_000) {
        index++;
        const pick = Math.floor(random() * scenarios.length);
        counts[pick]!++;
        await scenarios[pick]!();
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));

    expect(counts.every((count) => count > 50)).toBe(true);
    expect(db.metrics().pool).toMatchObject({ active: 0, waiting: 0 });
    expect(db.metrics().pool.total).toBeLessThanOrEqual(4);
    expect(db.metrics().transactions.active).toBe(0);
    expect(await idleInTransaction(applicationName)).toBe(0);
    // Every pooled connection is healthy and outside a transaction.
    const states = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.transaction(async () => (await sql<{ ok: number }>`select 1 as ok`.execute(db.kysely)).rows[0]!.ok),
      ),
    );
    expect(states).toEqual([1, 1, 1, 1]);
  }, 120_000);
});

function fail(): never {
  throw new Error('expected the transaction to fail');
}

function expectError(type: abstract new (...args: never[]) => Error) {
  return (error: unknown) => {
    if (!(error instanceof type)) throw error;
  };
}
