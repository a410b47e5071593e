import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { QueryError, type RepositoryMiddleware } from '../../../src/index.js';
import { isRealServer } from '../../support/test-database.js';
import { useAuditFixture } from './audit-fixture.js';

// An audit row exists if and only if its change committed: the write, the read of its
// rows before it and the audit insert share one transaction.
const f = useAuditFixture('audit_tx');
const person = (name: string) => ({ email: `${name}@example.com`, name });
const count = async (table: 'accounts' | 'audit_log') =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(f.t.db.kysely)).rows[0]!.n);

describe('auditLog and transactions', () => {
  it('an outer transaction that throws leaves neither the change nor its audit rows', async () => {
    const accounts = f.accounts();
    await expect(
      f.t.db.transaction(async () => {
        const row = await accounts.create(person('ada'));
        await accounts.update(row.id, { name: 'Ada L.' });
        await accounts.updateMany({ name: 'Ada L.' }, { team: 'red' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await count('accounts')).toBe(0);
    expect(await count('audit_log')).toBe(0);
  });

  it('a rolled-back savepoint drops exactly its audit rows; the rest commit with one transaction id', async () => {
    const accounts = f.accounts();
    await f.t.db.transaction(async () => {
      const ada = await accounts.create(person('ada'));
      await f.t.db
        .transaction(async () => {
          await accounts.create(person('bob'));
          await accounts.update(ada.id, { name: 'changed in the savepoint' });
          throw new Error('undo the savepoint');
        })
        .catch(() => {});
      await f.t.db.transaction(() => accounts.update(ada.id, { team: 'kept' })); // a released savepoint
      await accounts.create(person('cy'));
    });
    const entries = await f.auditRows();
    expect(entries.map((entry) => [entry.operation, entry.row_id])).toEqual([
      ['create', '1'],
      ['update', '1'],
      ['create', '3'],
    ]);
    expect(entries[1]!.changes.team).toEqual({ before: null, after: 'kept' });
    expect(entries[1]!.changes.name).toBeUndefined();
    expect(new Set(entries.map((entry) => entry.transaction_id)).size).toBe(1);
  });

  it.runIf(isRealServer())(
    'a transaction retried after a serialization failure records one audit row per committed change, not per attempt',
    async () => {
      const accounts = f.accounts();
      const ada = await accounts.create(person('ada'));
      let attempts = 0;
      await f.t.db.transaction(
        async (tx) => {
          attempts++;
          if (attempts === 1) {
            await sql`select 1`.execute(tx); // takes the snapshot
            // Another session changes the row and commits: this attempt can no longer update it.
            await f.t.db.outsideTransaction(() => accounts.update(ada.id, { team: 'concurrent' }));
          }
          await accounts.update(ada.id, { name: `attempt ${attempts}` });
          await accounts.create(person(`new-${attempts}`));
        },
        { isolationLevel: 'repeatable read', retries: 3 },
      );
      expect(attempts).toBe(2);
      const entries = await f.auditRows();
      expect(entries.map((entry) => entry.operation)).toEqual(['create', 'update', 'update', 'create']);
      expect(entries[2]!.changes.name).toEqual({ before: 'ada', after: 'attempt 2' });
      expect(entries[3]!.changes.name).toEqual({ after: 'new-2' });
      expect(await count('accounts')).toBe(2);
    },
  );

  it('a failing audit insert fails the write, which is rolled back (fail closed)', async () => {
    const accounts = f.accounts({ table: 'no_such_audit_table' });
    await expect(accounts.create(person('ada'))).rejects.toBeInstanceOf(QueryError);
    expect(await count('accounts')).toBe(0);
  });

  it.runIf(isRealServer())(
    'updateMany touches exactly the rows it read: a row another transaction made match in between is left alone',
    async () => {
      // Between the read of the targeted rows and the UPDATE, another session inserts a
      // matching row and commits; under READ COMMITTED the UPDATE would see it.
      const between: RepositoryMiddleware = {
        name: 'between',
        async handle(operation, next) {
          if (operation.kind === 'updateMany')
            await f.t.db.outsideTransaction(() =>
              f.t.db.kysely.insertInto('accounts').values({ email: 'late@x.io', name: 'late', team: 'red' }).execute(),
            );
          return next();
        },
      };
      const accounts = f.accounts({}, { middleware: [between] });
      await accounts.create({ ...person('ada'), team: 'red' });
      expect(await accounts.updateMany({ team: 'red' }, { team: 'blue' })).toBe(1);
      const late = await f.t.db.kysely
        .selectFrom('accounts')
        .selectAll()
        .where('email', '=', 'late@x.io')
        .executeTakeFirst();
      expect(late?.team).toBe('red');
      const updates = (await f.auditRows()).filter((entry) => entry.operation === 'updateMany');
      expect(updates.map((entry) => entry.row_id)).toEqual(['1']);
    },
  );
});
