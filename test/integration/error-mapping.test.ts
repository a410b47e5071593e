import { type Generated, sql } from 'kysely';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  CheckViolationError,
  ConflictError,
  ConnectionError,
  DeadlockError,
  ForeignKeyViolationError,
  NotNullViolationError,
  QueryError,
  SerializationFailureError,
  StatementTimeoutError,
} from '../../src/index.js';
import { type Gate, gate } from '../support/async.js';
import { isRealServer, useTestDatabase } from '../support/test-database.js';

interface DB {
  accounts: { id: number; email: string; org_id: number; balance: number };
  orgs: { id: number; name: string };
  ledger: { id: Generated<number>; class: number; value: number };
}

const t = useTestDatabase<DB>('errors');

beforeAll(async () => {
  await sql`
    create table orgs (id int primary key, name text not null);
    create table accounts (
      id int primary key,
      email text not null,
      org_id int not null references orgs (id),
      balance int not null default 0 constraint balance_non_negative check (balance >= 0),
      constraint accounts_org_email_key unique (org_id, email)
    );
    create table ledger (id serial primary key, class int not null, value int not null);
    insert into orgs values (1, 'acme');
    insert into accounts values (1, 'a@example.com', 1, 10), (2, 'b@example.com', 1, 10);
    insert into ledger (class, value) values (1, 10), (1, 20), (2, 100), (2, 200);
  `.execute(t.db.kysely);
});

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

describe('constraint violations', () => {
  it('maps 23505 to ConflictError with constraint, table and columns, and no values', async () => {
    const error = await failure(() =>
      t.db.kysely.insertInto('accounts').values({ id: 3, email: 'a@example.com', org_id: 1, balance: 0 }).execute(),
    );
    expect(error).toBeInstanceOf(ConflictError);
    const conflict = error as ConflictError;
    expect(conflict).toMatchObject({
      name: 'ConflictError',
      code: 'UNIQUE_VIOLATION',
      statusCode: 409,
      retryable: false,
      sqlState: '23505',
      constraint: 'accounts_org_email_key',
      table: 'accounts',
      columns: ['org_id', 'email'],
    });
    expect(JSON.stringify(conflict)).not.toContain('a@example.com');
    expect(conflict.message).not.toContain('a@example.com');
  });

  it('maps 23503 to ForeignKeyViolationError', async () => {
    const error = await failure(() =>
      t.db.kysely.insertInto('accounts').values({ id: 4, email: 'c@example.com', org_id: 999, balance: 0 }).execute(),
    );
    expect(error).toBeInstanceOf(ForeignKeyViolationError);
    expect(error).toMatchObject({
      code: 'FOREIGN_KEY_VIOLATION',
      statusCode: 409,
      table: 'accounts',
      columns: ['org_id'],
    });
    expect((error as ForeignKeyViolationError).constraint).toMatch(/org_id/);
    expect(JSON.stringify(error)).not.toContain('999');
  });

  it('maps 23502 to NotNullViolationError naming the column', async () => {
    const error = await failure(() =>
      sql`insert into accounts (id, email, org_id) values (5, null, 1)`.execute(t.db.kysely),
    );
    expect(error).toBeInstanceOf(NotNullViolationError);
    expect(error).toMatchObject({ code: 'NOT_NULL_VIOLATION', statusCode: 400, table: 'accounts', columns: ['email'] });
  });

  it('maps 23514 to CheckViolationError naming the constraint', async () => {
    const error = await failure(() =>
      t.db.kysely.updateTable('accounts').set({ balance: -5 }).where('id', '=', 1).execute(),
    );
    expect(error).toBeInstanceOf(CheckViolationError);
    expect(error).toMatchObject({
      code: 'CHECK_VIOLATION',
      statusCode: 400,
      constraint: 'balance_non_negative',
      table: 'accounts',
    });
  });

  it('keeps other SQLSTATEs as QueryError with sqlState, hiding echoed input of data exceptions', async () => {
    const missing = await failure(() => sql`select * from no_such_table`.execute(t.db.kysely));
    expect(missing).toBeInstanceOf(QueryError);
    expect(missing).toMatchObject({ code: 'QUERY_FAILED', sqlState: '42P01' });

    const badInput = await failure(() => sql`select ${'not-a-number-secret'}::int`.execute(t.db.kysely));
    expect(badInput).toMatchObject({ name: 'QueryError', sqlState: '22P02' });
    expect((badInput as Error).message).not.toContain('not-a-number-secret');
    expect(JSON.stringify(badInput)).not.toContain('not-a-number-secret');
  });

  it('keeps row values out of what a pino logger prints for the error, cause included', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const duplicate = await failure(() =>
      t.db.kysely.insertInto('accounts').values({ id: 9, email: 'a@example.com', org_id: 1, balance: 0 }).execute(),
    );
    const badInput = await failure(() => sql`select ${'not-a-number-secret'}::int`.execute(t.db.kysely));
    logger.error({ err: duplicate }, 'insert failed');
    logger.error({ err: badInput }, 'select failed');
    expect(lines.join('')).toContain('accounts_org_email_key');
    expect(lines.join('')).not.toContain('a@example.com');
    expect(lines.join('')).not.toContain('not-a-number-secret');
  });
});

describe('timeouts and lost connections', () => {
  it.runIf(isRealServer())('maps statement_timeout (57014) to StatementTimeoutError', async () => {
    const db = t.open({ statementTimeoutMs: 100 });
    const error = await failure(() => sql`select pg_sleep(2)`.execute(db.kysely));
    expect(error).toBeInstanceOf(StatementTimeoutError);
    expect(error).toMatchObject({ code: 'STATEMENT_TIMEOUT', statusCode: 504, sqlState: '57014' });
  });

  it.runIf(isRealServer())(
    'maps a terminated backend (57P01) to a retryable ConnectionError and discards the connection',
    async () => {
      const victim = t.open({ pool: { max: 1 } });
      const { pid } = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(victim.kysely)).rows[0]!;
      const sleeping = failure(() => sql`select pg_sleep(5)`.execute(victim.kysely));
      await expect
        .poll(
          async () =>
            (
              await sql<{
                n: number;
              }>`select count(*)::int as n from pg_stat_activity where pid = ${pid} and query like '%pg_sleep(5)%'`.execute(
                t.db.kysely,
              )
            ).rows[0]!.n,
        )
        .toBe(1);
      await sql`select pg_terminate_backend(${pid})`.execute(t.db.kysely);
      const error = await sleeping;
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true, sqlState: '57P01' });
      // The broken client was destroyed, so the next query gets a fresh backend.
      const next = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(victim.kysely)).rows[0]!;
      expect(next.pid).not.toBe(pid);
    },
  );
});

describe.runIf(isRealServer())('concurrency failures between two real sessions', () => {
  it('maps 40001 from two conflicting serializable transactions to SerializationFailureError', async () => {
    const first = t.open();
    const second = t.open();
    const bothRead = { a: gate(), b: gate() };
    const run = (db: typeof first, readClass: number, writeClass: number, mine: Gate, other: Gate) =>
      db.kysely
        .transaction()
        .setIsolationLevel('serializable')
        .execute(async (trx) => {
          const { rows } = await sql<{
            total: number;
          }>`select sum(value)::int as total from ledger where class = ${readClass}`.execute(trx);
          mine.open();
          await other.promise;
          await trx.insertInto('ledger').values({ class: writeClass, value: rows[0]!.total }).execute();
        });
    const results = await Promise.allSettled([
      run(first, 1, 2, bothRead.a, bothRead.b),
      run(second, 2, 1, bothRead.b, bothRead.a),
    ]);
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(SerializationFailureError);
    expect(rejected[0]!.reason).toMatchObject({
      code: 'SERIALIZATION_FAILURE',
      sqlState: '40001',
      retryable: true,
      statusCode: 409,
    });
  });

  it('maps 40P01 from two sessions locking rows in opposite order to DeadlockError', async () => {
    const first = t.open();
    const second = t.open();
    const locked = { a: gate(), b: gate() };
    const run = (db: typeof first, own: number, other: number, mine: Gate, theirs: Gate) =>
      db.kysely.transaction().execute(async (trx) => {
        await sql`set local deadlock_timeout = '50ms'`.execute(trx);
        await trx.updateTable('accounts').set({ balance: 11 }).where('id', '=', own).execute();
        mine.open();
        await theirs.promise;
        await trx.updateTable('accounts').set({ balance: 12 }).where('id', '=', other).execute();
      });
    const results = await Promise.allSettled([
      run(first, 1, 2, locked.a, locked.b),
      run(second, 2, 1, locked.b, locked.a),
    ]);
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(DeadlockError);
    expect(rejected[0]!.reason).toMatchObject({ code: 'DEADLOCK_DETECTED', sqlState: '40P01', retryable: true });
  });
});
