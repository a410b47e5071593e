import { type Generated, sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { TransactionError } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { throughPgBouncer, useTestDatabase } from '../../support/test-database.js';

interface DB {
  fast_items: { id: Generated<number>; label: string };
}

// The per-transaction fast paths (no options parse, statements queued without waiting
// for a free lock, scopes ended without a tick) must keep what the slow paths guaranteed.
const spy = statementSpy();
const t = useTestDatabase<DB>('tx_fast_paths', spy.options);
const insert = (label: string) => t.db.kysely.insertInto('fast_items').values({ label }).execute();
const log = () =>
  spy.statements.map((statement) => (statement.startsWith('insert into "fast_items"') ? 'insert' : statement));

beforeAll(async () => {
  await sql`create table fast_items (id serial primary key, label text not null)`.execute(t.db.kysely);
});
beforeEach(async () => {
  await sql`truncate fast_items`.execute(t.db.kysely);
  spy.clear();
});

describe('db.transaction() fast paths', () => {
  it('rejects (never throws synchronously) on an invalid option, and opens no transaction', async () => {
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = t.db.transaction(async () => insert('never'), { retries: -1 });
    }).not.toThrow();
    await expect(pending).rejects.toThrow(TransactionError);
    await expect(t.db.transaction(async () => 1, { bogus: true } as never)).rejects.toThrow(/bogus/);
    expect(log()).toEqual([]);
  });

  it('accepts undefined and null options alike', async () => {
    expect(await t.db.transaction(async () => 'a', undefined)).toBe('a');
    expect(await t.db.transaction(async () => 'b', null as never)).toBe('b');
    // No statement ran: the deferred BEGIN was never sent, so neither was a COMMIT (behind
    // PgBouncer BEGIN carries `set local`s and goes at once).
    expect(log()).toEqual(throughPgBouncer() ? ['begin', 'commit', 'begin', 'commit'] : []);
    spy.clear();
    await t.db.transaction(() => insert('c'), null as never);
    expect(log()).toEqual(['begin', 'insert', 'commit']);
  });

  it('queues an outer statement issued in the same tick after a nested call behind the savepoint', async () => {
    await t.db.transaction(async () => {
      const first = insert('before');
      const nested = t.db.transaction(() => insert('inside'));
      const after = insert('after'); // the savepoint holds the lock now: this waits for it
      await Promise.all([first, nested, after]);
    });
    expect(log()).toEqual([
      'begin',
      'insert',
      'savepoint "dl_sp_1"',
      'insert',
      'release savepoint "dl_sp_1"',
      'insert',
      'commit',
    ]);
    const rows = await t.db.kysely.selectFrom('fast_items').select('label').orderBy('id').execute();
    expect(rows.map((row) => row.label)).toEqual(['before', 'inside', 'after']);
  });

  it('runs after-commit hooks of a released savepoint, and none of a rolled-back one', async () => {
    const ran: string[] = [];
    await t.db.transaction(async (tx) => {
      await t.db.transaction(async (inner) => {
        inner.afterCommit(() => void ran.push('released'));
      });
      await t.db
        .transaction(async (inner) => {
          inner.afterCommit(() => void ran.push('rolled back'));
          throw new Error('roll back');
        })
        .catch(() => {});
      tx.afterCommit(() => void ran.push('outer'));
    });
    expect(ran).toEqual(['released', 'outer']);
  });

  it('refuses a statement of a handle whose transaction ended, without touching the connection', async () => {
    let kept: Parameters<Parameters<typeof t.db.transaction>[0]>[0] | undefined;
    await t.db.transaction(async (tx) => {
      kept = tx;
    });
    spy.clear();
    await expect(kept!.insertInto('fast_items').values({ label: 'late' }).execute()).rejects.toThrow(TransactionError);
    expect(log()).toEqual([]);
  });
});
